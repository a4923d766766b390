"""A Tutor operator's path against the real local Superset: `init --from-tutor` on a
real Tutor root (tutor-contrib-aspects 6.1.0), a Superset that holds assets Aspects
has retired (a chart of its `unused_uuids` and a localized copy of it), `adopt`,
`import --prune --yes` (which deletes both, after a backup), then `diff`.

One import of the plugin's assets in one locale (fr_CA), for the whole module."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
    env = {**superset_env, **PASSWORDS, "SUPERSET_DASHBOARD_LOCALES": LOCALE}
    # Aspects' init job imports its roles.json before its assets: the filters need
    # the Instructor role (roles with permissions as code are another change).
    client.create_role("Instructor")
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
    # The assets' tags ('original', a copy's locale) are set by the tags kind, which
    # is another change: until it is in, they are diff's only difference.
    changed = [c for c in diff["assets"] if c["action"] != "unchanged"]
    assert all(c["action"] == "update" and [f["path"] for f in c["changes"]] == ["tags"]
               for c in changed), [c for c in changed if c["changes"][0]["path"] != "tags"]
    assert code == (1 if changed else 0), output
    assert diff["access"] == [] and all(r["action"] == "unchanged" for r in diff["rls"])
