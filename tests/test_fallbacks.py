"""Fallbacks named: the texts a locale's copies will show in the source language
(no translation, or only a fuzzy one), counted by validate (and diff and import,
tests/integration/test_quick_start.py), listed with --verbose and by
`translations status --missing`, complete in JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run

NEW_TITLE = "Seconds Since the Last xAPI Event"
XAPI_LAG = "chart 'Seconds Since the Last xAPI Event' (assets/charts/xAPI_Lag.yaml [slice_name])"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The demo project with one chart renamed (no catalog has the new title) and
    one es_419 translation marked fuzzy."""
    project = tmp_path / "demo"
    project.mkdir()
    shutil.copy(REPO / "aspects-assets.yaml", project)
    for folder in ("assets", "templates", "translations"):
        shutil.copytree(REPO / folder, project / folder)
    chart = project / "assets" / "charts" / "xAPI_Lag.yaml"
    chart.write_text(chart.read_text().replace("slice_name: xAPI Lag\n",
                                               f"slice_name: {NEW_TITLE}\n"))
    po = project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    text = po.read_text()
    assert text.count('\nmsgid "Server Uptime"\n') == 1
    po.write_text(text.replace('\nmsgid "Server Uptime"\n', '\n#, fuzzy\nmsgid "Server Uptime"\n'))
    return project


def test_validate_counts_per_locale(demo: Path) -> None:
    result = run(["validate"], demo, env={"SUPERSET_DASHBOARD_LOCALES": ""})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "es_419: 2 text(s) will show in en (1 untranslated, 1 fuzzy)" in lines
    for locale in ("fr_CA", "ar", "pt_BR"):
        assert f"{locale}: 1 text(s) will show in en (1 untranslated, 0 fuzzy)" in lines
    assert NEW_TITLE not in result.output  # the texts themselves only with --verbose


def test_validate_verbose_names_each_text_and_its_assets(demo: Path) -> None:
    result = run(["validate", "--verbose", "--locale", "es_419"], demo,
                 env={"SUPERSET_DASHBOARD_LOCALES": ""})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index(f"  untranslated: {NEW_TITLE!r}")
    assert lines[at + 1] == f"      {XAPI_LAG}"
    fuzzy = lines.index("  fuzzy: 'Server Uptime'")
    assert lines[fuzzy + 1] == ("      chart 'Server Uptime' (assets/charts/Server_Uptime.yaml "
                                "[slice_name])")
    assert "fr_CA" not in result.output


def test_validate_json_lists_them_without_verbose(demo: Path) -> None:
    result = run(["validate", "--format", "json"], demo, env={"SUPERSET_DASHBOARD_LOCALES": ""})
    data = json.loads(result.output)
    by_locale = {f["locale"]: f for f in data["fallbacks"]}
    assert set(by_locale) == {"es_419", "fr_CA", "ar", "pt_BR"}
    assert by_locale["ar"] == {"locale": "ar", "untranslated": 1, "fuzzy": 0, "texts": [
        {"source": NEW_TITLE, "reason": "untranslated", "used_by": [XAPI_LAG]}]}
    assert [(t["source"], t["reason"]) for t in by_locale["es_419"]["texts"]] == [
        (NEW_TITLE, "untranslated"), ("Server Uptime", "fuzzy")]  # by msgid


def test_nothing_said_when_everything_is_translated(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    shutil.copy(REPO / "aspects-assets.yaml", project)
    for folder in ("assets", "templates", "translations"):
        shutil.copytree(REPO / folder, project / folder)
    result = run(["validate"], project, env={"SUPERSET_DASHBOARD_LOCALES": ""})
    assert result.exit_code == 0
    assert "will show in" not in result.output


def test_translations_status_missing_lists_them(demo: Path) -> None:
    result = run(["translations", "status", "--missing"], demo,
                 env={"SUPERSET_DASHBOARD_LOCALES": ""})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "es_419: 2 text(s) will show in en (1 untranslated, 1 fuzzy)" in lines
    assert lines.count(f"  untranslated: {NEW_TITLE!r}") == 4  # once per locale
    assert lines.count(f"      {XAPI_LAG}") == 4
    data = json.loads(run(["translations", "status", "--missing", "--format", "json"], demo,
                          env={"SUPERSET_DASHBOARD_LOCALES": ""}).output)
    es = next(m for m in data["missing"] if m["locale"] == "es_419")
    assert (es["untranslated"], es["fuzzy"]) == (1, 1)
    row = next(r for r in data["locales"] if r["locale"] == "es_419")
    assert (row["untranslated"], row["fuzzy"]) == (1, 1)  # the same count as the table


def test_translations_status_without_missing_keeps_its_json(demo: Path) -> None:
    data = json.loads(run(["translations", "status", "--format", "json"], demo,
                          env={"SUPERSET_DASHBOARD_LOCALES": ""}).output)
    assert "missing" not in data
