"""A Tutor operator's path against the real local Superset: `init --from-tutor` on a
real Tutor root (tutor-contrib-aspects 6.1.0), the operator's overlay replacing one
of the plugin's charts and overriding one key of a dashboard, a Superset that holds
assets Aspects has retired (a chart of its `unused_uuids` and a localized copy of
it), `adopt`, `import --prune --yes` (which deletes both, after a backup), `diff`,
then a UI edit of the overridden dashboard pulled into the overlay.

One import of the plugin's assets in one locale (fr_CA), for the whole module."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.core.bundle import build_bundle
from aspects_assets.core.i18n.localize import copy_uuid
from aspects_assets.model.assets import AssetSet
from aspects_assets.project.settings import load_settings
from aspects_assets.run.apply import database_passwords
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.superset.client import SupersetClient

from conftest import run

pytestmark = pytest.mark.integration

LOCALE = "fr_CA"
# Aspects' unused_uuids: "Course Info", retired in 2024; Aspects' copies of it kept
# their locale's uuid, and one of es_419 (a locale not configured here) remains.
RETIRED = "a433e3cc-8ed5-454a-8b17-5dd75cfc84e4"
RETIRED_COPY = copy_uuid(RETIRED, "es_419")
PASSWORDS = {"ASPECTS_CLICKHOUSE_REPORT_PASSWORD": "not-the-real-one",
             "SUPERSET_DB_PASSWORD": "not-the-real-one-either"}


def _cli(project: Path, env: dict[str, str], *args: str) -> tuple[int, str, dict[str, Any]]:
    result = run(list(args), project, env=env)
    assert "Traceback" not in result.output, result.output
    data = json.loads(result.stdout) if "--format" in args and result.exit_code < 2 else {}
    return result.exit_code, result.output, data


def _fill_retired(project: Path, env: dict[str, str], client: SupersetClient) -> None:
    """What an older Aspects left: its retired chart and a localized copy of it, on a
    dataset of today's assets (imported raw, as Aspects' own import does)."""
    settings = load_settings(cwd=project, env=env)
    assets = checked_or_fail(settings).assets
    chart = next(a for a in assets if a.kind == "chart" and a.locale is None)
    dataset = next(a for a in assets if a.uuid == chart.body["dataset_uuid"])
    database = next(a for a in assets if a.uuid == dataset.body["database_uuid"])
    old = [chart.with_body({**chart.body, "uuid": uuid, "slice_name": title})
           for uuid, title in ((RETIRED, "Course Info"), (RETIRED_COPY, "Información"))]
    bundle_assets = AssetSet.of([database, dataset, *old])
    bundle = build_bundle(bundle_assets)
    client.import_bundle(bundle.zip_bytes(), passwords=bundle.passwords(
        bundle_assets, database_passwords(bundle_assets, settings, env)), sparse=False)


def _overlay(project: Path) -> tuple[str, str, Path]:
    """The operator's own changes: a copy of one of the plugin's charts with another
    title (replacing it), and an override of one dashboard's title. Returns the
    chart's and the dashboard's uuid, and the Tutor env's assets folder."""
    settings = yaml.safe_load((project / "aspects-assets.yaml").read_text())
    env_assets = Path(settings["assets_dir"][0]["path"])
    generated = {p.name for p in (project / "tutor/assets").rglob("*.yaml")}
    chart_file = next(p for p in sorted((env_assets / "charts").glob("*.yaml"))
                      if p.name not in generated)
    chart = yaml.safe_load(chart_file.read_text())
    dashboard_file = next(p for p in sorted((env_assets / "dashboards").glob("*.yaml"))
                          if p.name not in generated)
    dashboard = yaml.safe_load(dashboard_file.read_text())
    overlay = project / "overlay" / "assets"
    (overlay / "charts").mkdir(parents=True)
    (overlay / "charts" / chart_file.name).write_text(
        yaml.safe_dump({**chart, "slice_name": "Ours: " + chart["slice_name"]}))
    (overlay / "dashboards").mkdir()
    (overlay / "dashboards" / dashboard_file.name).write_text(
        f"# the operator's title\n_override: true\nuuid: {dashboard['uuid']}\n"
        "dashboard_title: Our course dashboard\n")
    # UI edits are pulled here (a development Superset), an operator's key that
    # init keeps
    with (project / "aspects-assets.yaml").open("a") as config:
        config.write("lock_in_ui: false\n")
    return chart["uuid"], dashboard["uuid"], env_assets


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _live_uuids(client: SupersetClient) -> set[str]:
    return {str(r["uuid"]) for kind in ("dataset", "chart", "dashboard")
            for r in client.list_all(kind, ["uuid"])}


def test_init_adopt_prune_retired_then_diff(tutor_root: Path, tmp_path: Path,
                                            superset_reset: None,
                                            superset_env: dict[str, str],
                                            client: SupersetClient) -> None:
    project = tmp_path / "analytics"
    project.mkdir()
    code, output, _ = _cli(project, {}, "init", "--from-tutor", "--tutor-root", str(tutor_root))
    assert code == 0, output
    chart, dashboard, env_assets = _overlay(project)
    code, output, _ = _cli(project, {}, "init", "--from-tutor", "--tutor-root", str(tutor_root),
                           "--check")
    assert code == 0, output  # the overlay and the operator's key are the operator's
    env = {**superset_env, **PASSWORDS, "SUPERSET_DASHBOARD_LOCALES": LOCALE}
    _fill_retired(project, env, client)
    assert {RETIRED, RETIRED_COPY} <= _live_uuids(client)

    code, output, adopted = _cli(project, env, "adopt", "--format", "json")
    assert code == 1, output
    assert {f["uuid"] for f in adopted["retired"]} == {RETIRED, RETIRED_COPY}
    assert adopted["counts"]["retired"] == {"database": 0, "dataset": 0, "chart": 2,
                                            "dashboard": 0}

    code, output, imported = _cli(project, env, "import", "--prune", "--yes",
                                  "--format", "json")
    assert code == 0, output
    assert imported["deleted"] == {"database": 0, "dataset": 0, "chart": 2, "dashboard": 0}
    live = _live_uuids(client)
    assert not {RETIRED, RETIRED_COPY} & live
    assert copy_uuid("c0e64194-33d1-4d5a-8c10-4f51530c5ee9", LOCALE) in live
    backups = list((project / "backups").glob("*.zip"))
    assert len(backups) == 1

    code, output, diff = _cli(project, env, "diff", "--format", "json")
    assert code == 0, output
    assert [c for c in diff["assets"] if c["action"] != "unchanged"] == []

    charts = {r["uuid"]: r for r in client.list_all("chart", ["uuid", "slice_name"])}
    assert charts[chart]["slice_name"].startswith("Ours: ")
    dashboards = {r["uuid"]: r for r in client.list_all(
        "dashboard", ["id", "uuid", "dashboard_title", "slug"])}
    assert dashboards[dashboard]["dashboard_title"] == "Our course dashboard"
    # An author edits the overridden dashboard in Superset's UI; pull writes the
    # edit into the overlay's override file, never into the Tutor env.
    env_before = _files(env_assets)
    client.request("PUT", f"/api/v1/dashboard/{dashboards[dashboard]['id']}",
                   json={"dashboard_title": "Our course dashboard, edited"})
    code, output, pulled = _cli(project, env, "pull", "--dashboard",
                                dashboards[dashboard]["slug"], "--format", "json")
    assert code == 0, output
    changed = [(f["file"], f["fields"]) for f in pulled["files"] if f["status"] != "unchanged"]
    override = project / "overlay" / "assets" / "dashboards" / next(
        (project / "overlay" / "assets" / "dashboards").glob("*.yaml")).name
    assert changed == [(str(override.relative_to(project)), ["dashboard_title"])], changed
    assert yaml.safe_load(override.read_text())["dashboard_title"] == \
        "Our course dashboard, edited"
    assert override.read_text().startswith("# the operator's title\n")
    assert _files(env_assets) == env_before
    # The copy follows the original's new title (untranslated: it shows in the
    # source language) once the import sends it, with the original, whose code changed.
    code, output, imported = _cli(project, env, "import", "--format", "json")
    assert code == 0, output
    assert imported["updated"]["dashboard"] == 2, output
    code, output, _ = _cli(project, env, "diff")
    assert code == 0, output
    assert diff["access"] == [] and all(r["action"] == "unchanged" for r in diff["rls"])
