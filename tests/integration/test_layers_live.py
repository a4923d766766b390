"""Asset layers against the real local Superset: the aspects-2024-08 corpus rendered
into a Tutor-like env (the lowest layer, read without Jinja), an overlay that
replaces one chart and overrides one key of a dashboard; import, an empty diff,
and a UI edit of the overridden dashboard pulled into the overlay's override file,
never into the rendered layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import CORPUS_VARIABLES, corpus_project, render_into, run

pytestmark = pytest.mark.integration

CHART = "63f86926-3325-43cf-b075-ef37f5f60413"  # Courses
DASHBOARD = "02c0121c-40e9-4d8a-b86a-6b996a1cc6fe"  # Operator Dashboard
PASSWORDS = {"OpenedX Clickhouse": {"password_env": "CORPUS_DB_PASSWORD"},
             "Superset Metadata": {"password_env": "CORPUS_DB_PASSWORD"}}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layers")
    (root / "source").mkdir()
    env = render_into(corpus_project(root / "source", "aspects-2024-08"),
                      root / "project" / "env")
    overlay = root / "project" / "overlay"
    chart = yaml.safe_load((env / "charts" / "Courses_63f869.yaml").read_text())
    (overlay / "charts").mkdir(parents=True)
    (overlay / "charts" / "Courses.yaml").write_text(
        yaml.safe_dump({**chart, "slice_name": "Courses (ours)"}, sort_keys=False))
    (overlay / "dashboards").mkdir()
    (overlay / "dashboards" / "Operator_Dashboard.yaml").write_text(
        f"# the operators' title\n_override: true\nuuid: {DASHBOARD}\n"
        "dashboard_title: Operations\n")
    config = {
        "project": "layers-live",
        "assets_dir": [{"path": "env", "rendered": True}, {"path": "overlay"}],
        "variables": CORPUS_VARIABLES, "databases": PASSWORDS,
        "lock_in_ui": False,  # a development Superset whose UI edits are pulled
    }
    (root / "project" / "aspects-assets.yaml").write_text(yaml.safe_dump(config))
    return root / "project"


def cli(project: Path, env: dict[str, str], *args: str) -> tuple[int, str, dict[str, Any]]:
    result = run(list(args), project, env={**env, "CORPUS_DB_PASSWORD": "not-a-real-one"})
    data = json.loads(result.stdout) if "--format" in args and result.exit_code < 2 else {}
    return result.exit_code, result.output, data


def test_layers_import_diff_clean_and_a_ui_edit_is_pulled_into_the_override(
        project: Path, superset_env: dict[str, str], superset_reset: None,
        client: SupersetClient) -> None:
    code, output, checked = cli(project, superset_env, "validate", "--layers", "--format",
                                "json")
    assert code == 0, output
    origins = {o["uuid"]: o for o in checked["layers"]}
    assert len(origins) == 105
    assert origins[CHART]["file"] == "overlay/charts/Courses.yaml"
    assert origins[CHART]["replaces"] == ["env/charts/Courses_63f869.yaml"]
    assert origins[DASHBOARD]["file"] == "env/dashboards/Operator_Dashboard.yaml"
    assert origins[DASHBOARD]["rendered"] is True
    assert origins[DASHBOARD]["overrides"] == ["overlay/dashboards/Operator_Dashboard.yaml"]
    assert sum(1 for o in origins.values() if o["layer"] == 0) == 104

    code, output, report = cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["created"] == {"database": 2, "dataset": 36, "chart": 63, "dashboard": 4}
    charts = {r["uuid"]: r for r in client.list_all("chart", ["id", "uuid", "slice_name"])}
    assert charts[CHART]["slice_name"] == "Courses (ours)"
    dashboards = {r["uuid"]: r for r in client.list_all(
        "dashboard", ["id", "uuid", "dashboard_title", "slug"])}
    assert dashboards[DASHBOARD]["dashboard_title"] == "Operations"
    assert dashboards[DASHBOARD]["slug"] == "operator-dashboard"

    code, output, _ = cli(project, superset_env, "diff")
    assert code == 0, output

    # An author edits the overridden dashboard in Superset's UI.
    env_before = snapshot(project / "env")
    chart_before = (project / "overlay/charts/Courses.yaml").read_text()
    client.request("PUT", f"/api/v1/dashboard/{dashboards[DASHBOARD]['id']}",
                   json={"dashboard_title": "Operations overview",
                         "css": ".header { color: navy; }"})
    code, output, pulled = cli(project, superset_env, "pull", "--dashboard",
                               "operator-dashboard", "--format", "json")
    assert code == 0, output
    changed = [f for f in pulled["files"] if f["status"] != "unchanged"]
    assert [(f["file"], f["status"], f["fields"]) for f in changed] == [
        ("overlay/dashboards/Operator_Dashboard.yaml", "updated",
         ["css", "dashboard_title"])]
    override = (project / "overlay/dashboards/Operator_Dashboard.yaml").read_text()
    assert override.startswith("# the operators' title\n")
    assert yaml.safe_load(override) == {"_override": True, "uuid": DASHBOARD,
                                        "dashboard_title": "Operations overview",
                                        "css": ".header { color: navy; }"}
    assert snapshot(project / "env") == env_before, "the rendered layer is never written"
    assert (project / "overlay/charts/Courses.yaml").read_text() == chart_before

    # The layers now make what Superset has.
    code, output, _ = cli(project, superset_env, "diff")
    assert code == 0, output
