"""Catalogs: .po files read with Babel, overrides, fallback, and bad inputs as files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from aspects_assets.model.errors import InputError, Problem
from aspects_assets.project.catalogs import (
    catalog_path,
    load_catalogs,
    load_overrides,
    parse_translation_yaml,
    read_catalog,
)
from aspects_assets.project.settings import load_settings

from conftest import DATA, run

I18N = DATA / "i18n"
BAD_PO = sorted((I18N / "bad_po").glob("*.po"))
BAD_OVERRIDES = sorted((I18N / "bad_overrides").glob("*.yaml"))


def settings_for(project: Path, **changes: object):  # type: ignore[no-untyped-def]
    config_file = project / "aspects-assets.yaml"
    config = yaml.safe_load(config_file.read_text())
    config.update(changes)
    config_file.write_text(yaml.safe_dump(config))
    return load_settings(cwd=project, env={})


def write_po(project: Path, locale: str, body: str) -> Path:
    path = catalog_path(project / "translations", locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + body)
    return path


@pytest.mark.parametrize("path", BAD_PO, ids=[p.stem for p in BAD_PO])
def test_bad_po_is_an_input_error_with_file_and_line(path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_catalog(path, f"shown/{path.name}", "es")
    assert caught.value.exit_code == 2
    assert caught.value.line is not None
    assert str(caught.value).startswith(f"shown/{path.name}:{caught.value.line}: invalid .po file")


@pytest.mark.parametrize("path", BAD_PO, ids=[p.stem for p in BAD_PO])
def test_bad_po_fails_validate_naming_the_file(base_project: Path, path: Path) -> None:
    settings_for(base_project, locales=["es_419"])
    target = catalog_path(base_project / "translations", "es_419")
    target.parent.mkdir(parents=True)
    shutil.copy(path, target)
    result = run(["validate"], base_project)
    assert result.exit_code == 2
    assert "translations/es_419/LC_MESSAGES/assets.po:" in result.output


@pytest.mark.parametrize("path", BAD_OVERRIDES, ids=[p.stem for p in BAD_OVERRIDES])
def test_bad_overrides_name_the_file(base_project: Path, path: Path) -> None:
    shutil.copy(path, base_project / path.name)
    settings = settings_for(base_project, locales=["es_419"], extra_translations=[path.name])
    with pytest.raises(InputError) as caught:
        load_overrides(settings.extra_translations, settings)
    assert str(caught.value).startswith(path.name)
    result = run(["validate"], base_project)
    assert result.exit_code == 2
    assert f"error: {path.name}" in result.output


@pytest.mark.parametrize("name", ["es-419", "xx-notalocale"])
def test_catalog_folder_must_be_a_locale_in_normal_form(base_project: Path, name: str) -> None:
    settings = settings_for(base_project, locales=["es_419"])
    (base_project / "translations" / name / "LC_MESSAGES").mkdir(parents=True)
    problems: list[Problem] = []
    load_catalogs(settings, settings.locales, problems)
    assert len(problems) == 1 and name in problems[0].message
    with pytest.raises(InputError, match=name):
        load_catalogs(settings, settings.locales)


def test_fuzzy_and_empty_entries_fall_back_to_the_source(base_project: Path) -> None:
    settings = settings_for(base_project, locales=["es_419"])
    write_po(
        base_project,
        "es_419",
        'msgid "Course"\nmsgstr "Curso"\n\n'
        '#, fuzzy\nmsgid "Day"\nmsgstr "Dia?"\n\n'
        'msgid "Enrollment"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Ido"\n',
    )
    catalog = load_catalogs(settings, ["es_419"])["es_419"]
    assert catalog.translate("Course") == "Curso"
    assert catalog.translate("Day") == "Day"
    assert catalog.translate("Enrollment") == "Enrollment"
    assert catalog.translate("Gone") == "Gone"
    assert catalog.entries["Day"].fuzzy
    assert catalog.entries["Course"].line == 5  # the msgid line
    assert catalog.file == "translations/es_419/LC_MESSAGES/assets.po"


def test_overrides_later_wins_locale_keys_normalized_and_empty_key_ignored(
    base_project: Path,
) -> None:
    for name in ("overrides_a.yaml", "overrides_b.yaml"):
        shutil.copy(I18N / name, base_project / name)
    settings = settings_for(
        base_project,
        locales=["es_419", "fr_CA"],
        extra_translations=["overrides_a.yaml", "overrides_b.yaml"],
    )
    write_po(base_project, "es_419", 'msgid "Course"\nmsgstr "Curso (catalog)"\n')
    catalogs = load_catalogs(settings, settings.locales)
    es = catalogs["es_419"]
    assert es.translate("Course") == "Curso (b)"  # the later file
    assert es.translate("Day") == "Día (second document)"  # the later document
    assert "" not in es.table
    assert catalogs["fr_CA"].translate("Course") == "Cours"
    assert es.overrides["Course"].file == "overrides_b.yaml"
    assert es.overrides["Course"].line == 2


def test_translation_yaml_keeps_placeholders_and_drops_the_tutor_patch_line() -> None:
    documents = parse_translation_yaml((I18N / "legacy.yaml").read_text(), "legacy.yaml")
    es = dict(documents)["es_419"]
    sources = [e.source for e in es]
    assert "{{ASPECTS_INSTRUCTOR_HELP_MARKDOWN}}" in sources
    assert "" not in sources


@pytest.mark.parametrize("context_first", [True, False], ids=["context-first", "context-last"])
def test_an_entry_with_msgctxt_never_replaces_the_one_without(base_project: Path,
                                                              context_first: bool) -> None:
    settings = settings_for(base_project, locales=["es_419"])
    plain = 'msgid "Course"\nmsgstr "Curso"\n\n'
    with_context = 'msgctxt "menu"\nmsgid "Course"\nmsgstr "Menú del curso"\n\n'
    write_po(base_project, "es_419", with_context + plain if context_first
             else plain + with_context)
    catalog = load_catalogs(settings, ["es_419"])["es_419"]
    assert catalog.translate("Course") == "Curso"


def test_an_entry_only_with_msgctxt_is_not_used(base_project: Path) -> None:
    settings = settings_for(base_project, locales=["es_419"])
    write_po(base_project, "es_419", 'msgctxt "menu"\nmsgid "Course"\nmsgstr "Menú"\n')
    assert load_catalogs(settings, ["es_419"])["es_419"].translate("Course") == "Course"


def test_the_same_msgid_in_two_contexts_is_no_duplicate(base_project: Path) -> None:
    path = write_po(base_project, "es_419",
                    'msgid "Course"\nmsgstr "Curso"\n\n'
                    'msgctxt "menu"\nmsgid "Course"\nmsgstr "Menú"\n')
    catalog = read_catalog(path, "assets.po", "es_419")
    assert {(m.id, m.context) for m in catalog if m.id} == {("Course", None), ("Course", "menu")}
