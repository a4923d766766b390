"""extract-translations and import-legacy, with GNU gettext as the outside judge."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import DATA, configure, run

I18N = DATA / "i18n"
needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("msgcmp") is None,
    reason="GNU gettext (msgfmt, msgcmp) is not installed: apt-get install gettext",
)


@pytest.fixture
def project(base_project: Path) -> Path:
    return configure(base_project, locales=["es_419", "fr_CA", "ar"])


def pot(project: Path) -> Path:
    return project / "translations" / "assets.pot"


def po(project: Path, locale: str) -> Path:
    return project / "translations" / locale / "LC_MESSAGES" / "assets.po"


def messages(path: Path) -> dict[str, object]:
    catalog = read_po(io.BytesIO(path.read_bytes()))
    return {m.id: m for m in catalog if m.id}


def gettext_judges(project: Path, locales: list[str], *, fuzzy: bool = False) -> None:
    """msgfmt --check accepts every .po; msgcmp finds every msgid of the .pot in each
    (with `fuzzy`, entries a merge marked fuzzy count as found: they are there,
    waiting for review)."""
    for locale in locales:
        checked = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po(project, locale))],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stderr
        compared = subprocess.run(
            [
                "msgcmp",
                "--use-untranslated",
                *(["--use-fuzzy"] if fuzzy else []),
                str(po(project, locale)),
                str(pot(project)),
            ],
            capture_output=True,
            text=True,
        )
        assert compared.returncode == 0, compared.stderr


def test_pot_has_header_sorted_entries_references_and_comments(project: Path) -> None:
    result = run(["extract-translations", "--pot-only"], project)
    assert result.exit_code == 0, result.output
    text = pot(project).read_text()
    assert text.startswith("# Translations of the Superset assets of test-base.")
    assert '"POT-Creation-Date: 2000-01-01 00:00+0000\\n"' in text
    assert "Generated-By" not in text
    assert "msgctxt" not in text
    assert not po(project, "es_419").exists()  # --pot-only
    found = messages(pot(project))
    assert list(found) == sorted(found)
    title = found["Course overview"]
    assert title.auto_comments == ["dashboard title"]  # type: ignore[attr-defined]
    assert title.locations == [("assets/dashboards/course.yaml#dashboard_title", None)]  # type: ignore[attr-defined]
    axis = found["Day"]
    assert axis.auto_comments == ["x axis title of chart Enrollments over time"]  # type: ignore[attr-defined]
    # the markdown text as rendered from its variable, not the {{ }} placeholder
    assert "## How to read this dashboard\nSelect a course in the filters panel.\n" in found
    # one msgid for every occurrence, each occurrence a reference
    enrollments = found["Enrollments"]
    assert len(enrollments.locations) == 2  # type: ignore[attr-defined]
    assert "metric label in chart Enrollments over time" in enrollments.auto_comments  # type: ignore[attr-defined]


def test_pot_is_byte_identical_for_the_same_input(project: Path) -> None:
    run(["extract-translations"], project)
    first = {p: p.read_bytes() for p in (project / "translations").rglob("*.po*")}
    shutil.rmtree(project / "translations")
    run(["extract-translations"], project)
    second = {p: p.read_bytes() for p in (project / "translations").rglob("*.po*")}
    assert first == second
    assert len(first) == 4


@needs_gettext
def test_merge_adds_obsoletes_and_marks_fuzzy(project: Path) -> None:
    assert run(["extract-translations"], project).exit_code == 0
    es = po(project, "es_419")
    text = es.read_text().replace(
        'msgid "Enrollment in one course."\nmsgstr ""',
        'msgid "Enrollment in one course."\nmsgstr "Inscripción en un curso."',
    )
    text = text.replace('msgid "Course"\nmsgstr ""', 'msgid "Course"\nmsgstr "Curso"')
    es.write_text(text)
    gettext_judges(project, ["es_419", "fr_CA", "ar"])
    # the sources change: one text edited, one removed, one added
    dashboard = project / "assets" / "dashboards" / "course.yaml"
    source = dashboard.read_text()
    source = source.replace(
        "description: Enrollment in one course.", "description: Enrollment in one course!"
    )
    source = source.replace("    name: Course\n", "    name: Course run\n")
    source = source.replace("meta: {text: Enrollment}", "meta: {text: Registrations}")
    dashboard.write_text(source)
    check = run(["extract-translations", "--check"], project)
    assert check.exit_code == 1
    assert "stale: translations/assets.pot" in check.output
    assert run(["extract-translations"], project).exit_code == 0
    found = messages(es)
    changed = found["Enrollment in one course!"]
    assert "fuzzy" in changed.flags  # type: ignore[attr-defined]
    assert changed.string == "Inscripción en un curso."  # type: ignore[attr-defined]
    assert "Registrations" in found
    assert '#~ msgid "Enrollment"' in es.read_text()  # removed → obsolete, kept
    assert "fuzzy" in found["Course run"].flags  # type: ignore[attr-defined]
    gettext_judges(project, ["es_419", "fr_CA", "ar"], fuzzy=True)
    assert run(["extract-translations", "--check"], project).exit_code == 0


def test_check_writes_nothing_and_reports_missing_catalogs(project: Path) -> None:
    result = run(["extract-translations", "--check"], project)
    assert result.exit_code == 1
    assert not (project / "translations").exists()
    assert "stale: translations/ar/LC_MESSAGES/assets.po" in result.output
    run(["extract-translations"], project)
    result = run(["extract-translations", "--check"], project)
    assert result.exit_code == 0, result.output
    # a new locale in the settings: its catalog is missing
    configure(project, locales=["es_419", "fr_CA", "ar", "de_DE"])
    result = run(["extract-translations", "--check"], project)
    assert result.exit_code == 1
    assert "de_DE" in result.output


def test_json_output_lists_stale_and_written_files(project: Path) -> None:
    result = run(["extract-translations", "--check", "--format", "json"], project)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"] == 4 and report["written"] == []
    assert "translations/assets.pot" in report["stale"]
    result = run(["extract-translations", "--format", "json"], project)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["written"] == report["stale"]
    result = run(["extract-translations", "--check", "--format", "json"], project)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"files": 4, "stale": [], "written": []}


def test_extra_strings_are_extracted(project: Path) -> None:
    shutil.copy(I18N / "strings.yaml", project / "strings.yaml")
    configure(project, extra_strings=["strings.yaml"])
    run(["extract-translations", "--pot-only"], project)
    found = messages(pot(project))
    assert found["verified"].locations == [("strings.yaml#enrollment_mode[1]", None)]  # type: ignore[attr-defined]
    assert found["registered"].auto_comments == [  # type: ignore[attr-defined]
        "data value of enrollment_status (translated at query time)"
    ]


def test_unrenderable_assets_stop_extraction(project: Path) -> None:
    (project / "assets" / "charts" / "broken.yaml").write_text("slice_name: {{ NOPE }}\n")
    result = run(["extract-translations"], project)
    assert result.exit_code == 2
    assert "NOPE" in result.output
    assert not pot(project).exists()


@needs_gettext
def test_import_legacy(project: Path) -> None:
    result = run(["translations", "import-legacy", str(I18N / "legacy.yaml")], project)
    assert result.exit_code == 0, result.output
    assert "es_419: 2 imported, 2 match no source text" in result.output
    assert "not imported: 'A string of an asset that is gone'" in result.output
    assert "not imported: '{{ASPECTS_INSTRUCTOR_HELP_MARKDOWN}}'" in result.output
    assert "de_DE: 1 string(s) not imported (locale not in the settings)" in result.output
    es = messages(po(project, "es_419"))
    assert es["Course"].string == "Curso"  # type: ignore[attr-defined]
    assert es["Course overview"].string == "Resumen del curso"  # type: ignore[attr-defined]
    header = po(project, "es_419").read_text()
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in header  # '' did not clobber it
    assert messages(po(project, "ar"))["Course"].string == ""  # type: ignore[attr-defined]
    gettext_judges(project, ["es_419", "fr_CA", "ar"])
    # the catalogs are what extract-translations would write: nothing stale
    assert run(["extract-translations", "--check"], project).exit_code == 0


def test_import_legacy_en_documents_take_the_locale_of_their_folder(project: Path) -> None:
    source = I18N / "openedx-translations" / "conf" / "locale" / "fr_CA" / "locale.yaml"
    result = run(["translations", "import-legacy", str(source)], project)
    assert result.exit_code == 0, result.output
    assert "fr_CA: 2 imported" in result.output
    assert messages(po(project, "fr_CA"))["Day"].string == "Jour"  # type: ignore[attr-defined]
    result = run(["translations", "import-legacy", "--as-locale", "ar", str(source)], project)
    assert "ar: 2 imported" in result.output


def test_import_legacy_json_output(project: Path) -> None:
    result = run(["translations", "import-legacy", str(I18N / "legacy.yaml"), "--format",
                  "json"], project)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    es = next(item for item in report["locales"] if item["locale"] == "es_419")
    assert es["imported"] == 2
    assert "A string of an asset that is gone" in es["unmatched"]
    assert report["not_configured"] == {"de_DE": 1}
    assert "translations/es_419/LC_MESSAGES/assets.po" in report["written"]
