"""`translations export-legacy`: Aspects' locale.yaml from our catalogs.

The file is judged twice: by a faithful copy of the reader in Aspects 6.1.0
(`tutoraspects/templates/aspects/apps/superset/pythonpath/openedx/localization.py`,
which `translate_column` and `create_assets.py` use), and by our own
`translations import-legacy`, which must give back the catalogs it came from.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from aspects_assets.core.i18n.query_time import legacy_locale_yaml
from aspects_assets.project.catalogs import (
    Catalogs,
    LocaleCatalog,
    parse_translation_yaml,
    read_catalog,
)

from conftest import DATA, configure, corpus_dir, corpus_with_catalogs, run

LOCALES = ["es_ES", "pt_BR", "ar", "zh_HK"]


def aspects_read(text: str) -> dict[str, dict[str, str]]:
    """Aspects' reader, as it is: split on the exact line `---`, `safe_load` each
    part, later parts update earlier ones."""
    translations: dict[str, dict[str, str]] = {}
    for doc in text.split("\n---\n"):
        data = yaml.safe_load(doc)
        if data is not None:
            for lang, strings in data.items():
                translations.setdefault(lang, {}).update(strings)
    return translations


def aspects_get_translation(table: dict[str, dict[str, str]], text: str, language: str) -> str:
    return table.get(language, {}).get(text) or text


def effective(project: Path, locale: str) -> dict[str, str]:
    """msgid → msgstr of a catalog, without fuzzy or empty entries."""
    path = project / "translations" / locale / "LC_MESSAGES" / "assets.po"
    catalog = read_catalog(path, str(path), locale)
    return {m.id: m.string for m in catalog
            if m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def test_corpus_round_trip_through_aspects_reader_and_import_legacy(tmp_path: Path) -> None:
    project, _ = corpus_with_catalogs(tmp_path, LOCALES)
    result = run(["translations", "export-legacy", "--out", "out/locale.yaml",
                  "--format", "json"], project)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    text = (project / "out" / "locale.yaml").read_text(encoding="utf-8")

    # What Aspects' Superset would answer: exactly our catalogs' translations.
    table = aspects_read(text)
    assert sorted(table) == sorted(LOCALES)
    for locale in LOCALES:
        ours = effective(project, locale)
        assert ours, locale
        assert table[locale] == ours
        counted = next(r["translated"] for r in report["locales"] if r["locale"] == locale)
        assert counted == len(ours)
        some = next(iter(ours))
        assert aspects_get_translation(table, some, locale) == ours[some]

    # Back through import-legacy into empty catalogs: the same catalogs, the same file.
    before = {loc: effective(project, loc) for loc in LOCALES}
    shutil.rmtree(project / "translations")
    result = run(["translations", "import-legacy", "out/locale.yaml", "--format", "json"], project)
    assert result.exit_code == 0, result.output
    imported = json.loads(result.stdout)
    assert all(not item["unmatched"] for item in imported["locales"])
    assert {loc: effective(project, loc) for loc in LOCALES} == before
    assert run(["translations", "export-legacy", "--out", "again.yaml"], project).exit_code == 0
    assert (project / "again.yaml").read_text(encoding="utf-8") == text


TRICKY = [
    "---",
    "a\n---\nb",
    "...\nend of document?\n...",
    "  leading and trailing spaces  ",
    "trailing space on a line \nnext",
    "it's \"quoted\"",
    "{{ASPECTS_OPERATOR_HELP_MARKDOWN}}",
    "key: value # not a comment",
    "null",
    "yes",
    "123",
    "tab\there",
    "ends with a newline\n",
    "- a list?",
    "⏲️ Time Grain ⏲️",
]


def test_tricky_texts_survive_both_readers() -> None:
    table = {text: f"«{text}» traduit" for text in TRICKY}
    catalogs = Catalogs({"fr_CA": LocaleCatalog("fr_CA", None, table=table),
                         "ar": LocaleCatalog("ar", None)})
    text = legacy_locale_yaml(catalogs, ["fr_CA", "ar"], [*TRICKY, "untranslated"])
    assert aspects_read(text) == {"fr_CA": table, "ar": {}}
    ours = {key: {e.source: e.translation for e in entries}
            for key, entries in parse_translation_yaml(text, "locale.yaml")}
    assert ours == {"fr_CA": table, "ar": {}}
    # Documents are split on `---` lines only: none inside a text.
    assert text.splitlines().count("---") == 2


def test_dataset_strings_and_locale_option(base_project: Path) -> None:
    extra = base_project / "strings.yaml"
    shutil.copy(DATA / "i18n" / "strings.yaml", extra)
    more = base_project / "more_strings.yaml"
    more.write_text("enrollment_mode: [verified, honor, '']\ngraded: [graded, ungraded]\n")
    configure(base_project, locales=["es_419", "fr_CA"],
              extra_strings=["strings.yaml", "more_strings.yaml"])
    assert run(["extract-translations"], base_project).exit_code == 0
    po = base_project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    po.write_text(po.read_text().replace('msgid "audit"\nmsgstr ""',
                                         'msgid "audit"\nmsgstr "oyente"'))
    result = run(["translations", "export-legacy", "--out", "locale.yaml", "--locale", "es_419",
                  "--dataset-strings", "datasets_strings.yaml"], base_project)
    assert result.exit_code == 0, result.output
    assert aspects_read((base_project / "locale.yaml").read_text()) == {
        "es_419": {"audit": "oyente"}}
    strings = yaml.safe_load((base_project / "datasets_strings.yaml").read_text())
    assert strings == {"enrollment_mode": ["audit", "verified", "honor"],
                       "enrollment_status": ["registered"], "graded": ["graded", "ungraded"]}


def test_cannot_write_is_exit_2_naming_the_file(base_project: Path) -> None:
    (base_project / "a_file").write_text("")
    result = run(["translations", "export-legacy", "--out", "a_file/locale.yaml"], base_project)
    assert result.exit_code == 2
    assert "a_file/locale.yaml" in result.output and "cannot write" in result.output
    assert "Traceback" not in result.output


def test_corpus_strings_file_is_read_as_aspects_reads_it(tmp_path: Path) -> None:
    """Aspects' own datasets_strings.yaml, through --dataset-strings, comes out as
    Aspects' DATASET_STRINGS (`yaml.safe_load` of the file)."""
    source = corpus_dir("aspects-2026-10") / "datasets_strings.yaml"
    project, _ = corpus_with_catalogs(tmp_path, ["es_ES"], extra_strings=[str(source)])
    result = run(["translations", "export-legacy", "--out", "l.yaml",
                  "--dataset-strings", "d.yaml"], project)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((project / "d.yaml").read_text()) == yaml.safe_load(source.read_text())
