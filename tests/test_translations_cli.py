"""`translations status` and `translations check` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from aspects_assets.cli.main import cli
from aspects_assets.core.i18n.check import check_text

from conftest import DATA, configure, run

CASES = yaml.safe_load((DATA / "i18n" / "check_cases.yaml").read_text())


def set_translations(
    project: Path, locale: str, translations: dict[str, str], fuzzy: set[str]
) -> None:
    path = project / "translations" / locale / "LC_MESSAGES" / "assets.po"
    text = path.read_text()
    for source, target in translations.items():
        old = f'msgid {json.dumps(source, ensure_ascii=False)}\nmsgstr ""'
        assert old in text, source
        flag = "#, fuzzy\n" if source in fuzzy else ""
        new = f"{flag}msgid {json.dumps(source, ensure_ascii=False)}\nmsgstr {json.dumps(target, ensure_ascii=False)}"
        text = text.replace(old, new)
    path.write_text(text)


@pytest.fixture
def project(base_project: Path) -> Path:
    configure(base_project, locales=["es_419", "fr_CA"], do_not_translate=["ClickHouse"])
    assert run(["extract-translations"], base_project).exit_code == 0
    set_translations(
        base_project,
        "es_419",
        {
            "Course": "Curso",
            "Day": "Día",
            "Course Key": "Clave del curso",
            "Enrollment": "Inscripción",
        },
        fuzzy={"Enrollment"},
    )
    return base_project


@pytest.mark.parametrize(
    ("source", "translation", "expected"),
    CASES,
    ids=[f"{i}-{c[2] or 'clean'}" for i, c in enumerate(CASES)],
)
def test_check_rules(source: str, translation: str, expected: str) -> None:
    problems = check_text(source, translation, ["ClickHouse"])
    if expected:
        assert any(expected in p for p in problems), problems
    else:
        assert problems == []


def test_status_counts_and_percent(project: Path) -> None:
    result = run(["translations", "status", "--format", "json"], project)
    assert result.exit_code == 0, result.output
    rows = {r["locale"]: r for r in json.loads(result.output)["locales"]}
    es, fr = rows["es_419"], rows["fr_CA"]
    total = es["total"]
    assert total == 15
    assert (es["translated"], es["fuzzy"], es["untranslated"]) == (3, 1, total - 4)
    assert es["percent"] == round(100 * 3 / total, 1)
    assert (fr["translated"], fr["fuzzy"]) == (0, 0)
    text = run(["translations", "status"], project).output
    assert "es_419" in text and "translations/es_419/LC_MESSAGES/assets.po" in text


def test_status_fail_under(project: Path) -> None:
    result = run(["translations", "status", "--fail-under", "10", "--locale", "es_419"], project)
    assert result.exit_code == 0, result.output
    result = run(["translations", "status", "--fail-under", "50"], project)
    assert result.exit_code == 1
    assert "under 50%: es_419, fr_CA" in result.output


def test_status_lists_overrides_that_match_nothing(project: Path) -> None:
    (project / "more.yaml").write_text("es_419:\n  Course: Curso\n  Gone: Ido\n")
    configure(project, extra_translations=["more.yaml"])
    result = run(["translations", "status"], project)
    assert result.exit_code == 0
    assert "es_419: more.yaml:3: override matches no source text: 'Gone'" in result.output


def test_check_finds_problems_with_file_and_line(project: Path) -> None:
    result = run(["translations", "check"], project)
    assert result.exit_code == 0, result.output
    assert "0 problem(s) in 2 locale(s)" in result.output
    po = project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    po.write_text(po.read_text().replace('msgstr "Curso"', 'msgstr "Curso "'))
    (project / "more.yaml").write_text("fr_CA:\n  Course overview: <b>Aperçu</b> du cours\n")
    configure(project, extra_translations=["more.yaml"])
    result = run(["translations", "check"], project)
    assert result.exit_code == 1
    line = po.read_text().splitlines().index('msgid "Course"') + 1
    assert (
        f"es_419: translations/es_419/LC_MESSAGES/assets.po:{line}: leading or trailing"
        in result.output
    )
    assert "fr_CA: more.yaml:2: markup tags differ" in result.output
    data = json.loads(run(["translations", "check", "--format", "json"], project).output)
    assert {d["locale"] for d in data} == {"es_419", "fr_CA"}


def test_fuzzy_entries_are_not_checked(project: Path) -> None:
    po = project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    po.write_text(po.read_text().replace('msgstr "Inscripción"', 'msgstr "<b>Inscripción"'))
    assert run(["translations", "check"], project).exit_code == 0


@pytest.mark.parametrize(
    "command",
    [
        ["extract-translations"],
        ["translations"],
        ["translations", "status"],
        ["translations", "check"],
        ["translations", "import-legacy"],
        ["validate"],
        ["build"],
    ],
    ids=lambda c: "-".join(c),
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    if command[0] in ("validate", "build"):
        assert "--locale" in result.output


def test_bad_catalog_is_exit_2_for_translation_commands(project: Path) -> None:
    po = project / "translations" / "fr_CA" / "LC_MESSAGES" / "assets.po"
    po.write_text('msgid "Course"\nmsgstr "Cours\n')
    for command in (
        ["translations", "check"],
        ["translations", "status"],
        ["extract-translations"],
    ):
        result = run(command, project)
        assert result.exit_code == 2, command
        assert "translations/fr_CA/LC_MESSAGES/assets.po:2" in result.output


def test_a_secret_never_reaches_the_catalogs(base_project: Path) -> None:
    configure(base_project, locales=["fr_CA"], variables_from_env={"TOKEN": "TEST_TOKEN"},
              secret_variables=["TOKEN"])
    chart = base_project / "assets" / "charts" / "enrollments.yaml"
    chart.write_text(chart.read_text().replace("description: Enrollments per day.",
                                               "description: 'Token {{ TOKEN }}'"))
    result = run(["extract-translations"], base_project, env={"TEST_TOKEN": "tok-Secret-42"})
    assert result.exit_code == 2
    assert "assets/charts/enrollments.yaml [description]: holds secret variable TOKEN" in (
        result.output)
    assert "tok-Secret-42" not in result.output
    assert not list((base_project / "translations").rglob("*.po*"))
