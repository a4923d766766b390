"""`diff` against the real local Superset: what the project record vouches for is
compared without its export, and what changes behind the tool's back is still
found.

An asset that Superset did not move since the last import and that the code sends
as then is known without exporting it (`core.incremental.as_sent`): edits through
Superset's API move `changed_on`, so they are exported and shown field by field;
dashboard roles and embedding do not move it, and are read every time. What is
written without moving `changed_on` only `diff --full` sees: shown here with
Superset's own colours endpoint (`mark_updated=false`).

One module, one first import (the project's own asset set in two locales).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import repo_project, run_cli

pytestmark = pytest.mark.integration

PROJECT = "diff-test"
CHART_FILE = "Enrolled_Learners.yaml"
EMBEDDED_SLUG = "course-enrollment-engagement"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None,
            superset_env: dict[str, str]) -> Path:
    target = repo_project(tmp_path_factory.mktemp("diff") / "project", PROJECT,
                          ["es_419", "ar"])
    code, output, _ = run_cli(target, superset_env, "import")
    assert code == 0, output
    return target


def diff(project: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    code, output, plan = run_cli(project, env, "diff", "--format", "json", *args)
    assert code in (0, 1), output
    return code, plan


def changed(plan: dict[str, Any]) -> dict[str, list[str]]:
    """title (locale) → the paths that differ, of each asset that differs."""
    return {f"{a['title']} ({a['locale']})": [c["path"] for c in a["changes"]]
            for a in plan["assets"] if a["action"] == "update"}


def restore(project: Path, env: dict[str, str]) -> None:
    code, output, _ = run_cli(project, env, "import", "--verify")
    assert code == 0, output
    code, plan = diff(project, env, "--full")
    assert code == 0, plan


def test_after_an_import_the_record_vouches_for_every_asset(
        project: Path, superset_env: dict[str, str]) -> None:
    code, plan = diff(project, superset_env)
    assert code == 0, plan
    total = sum(sum(c.values()) for c in plan["counts"].values())
    assert plan["vouched_by_record"] == total > 0
    # The text form says so, on stderr, with the way to compare everything.
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output
    assert f"{total} of {total} assets compared through the project record" in output
    assert "--full exports them too" in output
    code, plan = diff(project, superset_env, "--full")
    assert (code, plan["vouched_by_record"]) == (0, 0)


def test_an_edit_in_superset_is_exported_and_shown_field_by_field(
        project: Path, superset_env: dict[str, str], client: SupersetClient) -> None:
    uuid = yaml.safe_load((project / "assets" / "charts" / CHART_FILE).read_text())["uuid"]
    chart = client.list_all("chart", ["id", "slice_name"],
                            [{"col": "uuid", "opr": "eq", "value": uuid}])
    assert len(chart) == 1, chart
    client.request("PUT", f"/api/v1/chart/{chart[0]['id']}",
                   json={"description": "Edited in Superset's UI"})
    code, plan = diff(project, superset_env)
    assert code == 1
    assert changed(plan) == {f"{chart[0]['slice_name']} (None)": ["description"]}
    total = sum(sum(c.values()) for c in plan["counts"].values())
    assert plan["vouched_by_record"] == total - 1
    restore(project, superset_env)


def test_roles_and_embedding_changed_behind_the_tools_back_are_found(
        project: Path, superset_env: dict[str, str], client: SupersetClient) -> None:
    dashboard = client.dashboard(EMBEDDED_SLUG)
    client.set_dashboard_roles(int(dashboard["id"]), [])
    client.set_embedded(int(dashboard["id"]), ["https://elsewhere.example"])
    code, plan = diff(project, superset_env)
    assert code == 1
    assert {(a["what"], a["title"]) for a in plan["access"]} >= {
        ("roles", dashboard["dashboard_title"]), ("embedding", dashboard["dashboard_title"])}
    restore(project, superset_env)


def test_colours_written_without_moving_changed_on_only_a_full_diff_finds(
        project: Path, superset_env: dict[str, str], client: SupersetClient) -> None:
    dashboard = client.dashboard(EMBEDDED_SLUG)
    client.request("PUT", f"/api/v1/dashboard/{dashboard['id']}/colors",
                   params={"mark_updated": "false"},
                   json={"color_scheme": "googleCategory20c"})
    code, plan = diff(project, superset_env)
    assert (code, changed(plan)) == (0, {})
    code, plan = diff(project, superset_env, "--full")
    assert code == 1
    assert changed(plan) == {f"{dashboard['dashboard_title']} (None)":
                             ["metadata.color_scheme"]}
    restore(project, superset_env)
