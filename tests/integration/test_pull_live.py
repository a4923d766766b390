"""`pull` against the real local Superset: the round trip of our own assets.

Import the project's assets, pull them all back: not a byte changes. Edit a chart
title through the API as a UI user would, pull: exactly that line changes.
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import REPO, run

pytestmark = pytest.mark.integration

CHART = "e1019702-7f68-44e9-9e86-37dcf954bf16"  # xAPI Lag
CHART_FILE = "assets/charts/xAPI_Lag.yaml"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None) -> Path:
    target = tmp_path_factory.mktemp("pull") / "project"
    target.mkdir()
    for name in ("assets", "templates", "translations"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, target / name)
    config = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    config["locales"] = ["es_419"]
    config["project"] = "pull-test"
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def cli(project: Path, env: dict[str, str], *args: str) -> tuple[int, str, dict[str, Any]]:
    result = run(list(args), project, env=env)
    data = json.loads(result.stdout) if "--format" in args else {}
    return result.exit_code, result.output, data


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pull_round_trip(project: Path, superset_env: dict[str, str],
                         client: SupersetClient) -> None:
    code, output, _ = cli(project, superset_env, "import")
    assert code == 0, output
    before = snapshot(project / "assets")

    code, output, report = cli(project, superset_env, "pull", "--all-managed",
                               "--format", "json")
    assert code == 0, output
    assert report["counts"]["unchanged"] == len(before), report["counts"]
    assert report["counts"]["updated"] == report["counts"]["created"] == 0
    assert snapshot(project / "assets") == before
    # The same check as `git diff --exit-code assets/`, against the repository's files.
    same = subprocess.run(["git", "diff", "--no-index", "--exit-code", "--stat",
                           str(REPO / "assets"), str(project / "assets")],
                          capture_output=True, text=True, check=False)
    assert same.returncode == 0, same.stdout

    chart = next(r for r in client.list_all("chart", ["id", "uuid"]) if r["uuid"] == CHART)
    client.request("PUT", f"/api/v1/chart/{chart['id']}",
                   json={"slice_name": "Event Lag in Seconds"})
    code, output, report = cli(project, superset_env, "pull", "--all-managed",
                               "--format", "json")
    assert code == 0, output
    updated = [f for f in report["files"] if f["status"] == "updated"]
    assert [(f["file"], f["fields"]) for f in updated] == [(CHART_FILE, ["slice_name"])]
    assert report["new_strings"][0]["text"] == "Event Lag in Seconds"
    after = snapshot(project / "assets")
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["charts/xAPI_Lag.yaml"]
    lines = [line for line in difflib.unified_diff(
        before["charts/xAPI_Lag.yaml"].decode().splitlines(),
        after["charts/xAPI_Lag.yaml"].decode().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert lines == ["-slice_name: xAPI Lag", "+slice_name: Event Lag in Seconds"]

    # The pulled code is what Superset has now: diff sees only the es_419 copy to redo.
    code, output, plan = cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    assert CHART not in json.dumps(plan)


def test_pulling_a_localized_copy_pulls_its_original(
        project: Path, superset_env: dict[str, str]) -> None:
    code, output, report = cli(project, superset_env, "pull", "--dashboard",
                               "aspects-pipeline-health-es_419", "--dry-run",
                               "--format", "json")
    assert code == 0, output
    assert report["localized_copies"] == [{"asked": "aspects-pipeline-health-es_419",
                                           "locale": "es_419",
                                           "original": "aspects-pipeline-health"}]
    files = {f["file"] for f in report["files"]}
    assert "assets/dashboards/Aspects_Pipeline_Health.yaml" in files
    assert all(f["status"] in ("unchanged", "updated") for f in report["files"])
