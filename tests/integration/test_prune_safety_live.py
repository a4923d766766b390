"""`import --prune` deletes only what this project's record says it manages.

Two projects share one Superset: `prune-a` (the base asset set in two locales)
and `prune-b` (other assets: its own database, dataset, chart and dashboard).
Someone also makes a chart by hand through the API, on prune-a's dataset. Then
prune-a drops a chart and a locale and prunes: exactly its own leftovers go,
into the backup ZIP first; prune-b's assets and the hand-made chart stay.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import BASE_PROJECT, run

pytestmark = pytest.mark.integration

CHART_UUID = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
B_PREFIX = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d01"  # prune-b's uuids: ...0101 to ...0104


def project_copy(target: Path, name: str, locales: list[str]) -> Path:
    shutil.copytree(BASE_PROJECT, target)
    config = yaml.safe_load((target / "aspects-assets.yaml").read_text())
    config.update(project=name, locales=locales)
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def other_project(target: Path) -> Path:
    """The same shapes under other uuids, names and slug: another team's assets."""
    project_copy(target, "prune-b", [])
    for path in (target / "assets").rglob("*.yaml"):
        text = path.read_text().replace("0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d00", B_PREFIX)
        text = (text.replace("database_name: ClickHouse", "database_name: ClickHouse B")
                .replace("slug: course-overview", "slug: course-overview-b")
                .replace("table_name: enrollments", "table_name: enrollments_b")
                .replace("slice_name: Enrollments over time", "slice_name: B enrollments"))
        path.write_text(text)
    return target


def live(client: SupersetClient) -> dict[str, dict[str, int]]:
    """kind → uuid → id."""
    return {kind: {str(r["uuid"]): int(r["id"]) for r in client.list_all(kind, ["id", "uuid"])}
            for kind in ("database", "dataset", "chart", "dashboard")}


def cli(project: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = run(list(args), project, env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output, result.stdout


def test_prune_touches_only_this_projects_record(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str], client: SupersetClient,
) -> None:
    env = superset_env
    a = project_copy(tmp_path / "a", "prune-a", ["fr_CA", "es_419"])
    b = other_project(tmp_path / "b")
    for project in (a, b):
        code, output, _ = cli(project, env, "import")
        assert code == 0, output
    before = live(client)
    b_uuids = {u for kind in before.values() for u in kind if u.startswith(B_PREFIX)}
    assert len(b_uuids) == 4

    # A chart made by hand on prune-a's dataset: nobody's record has it.
    dataset_id = before["dataset"]["0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002"]
    made = client.request("POST", "/api/v1/chart/", json={
        "slice_name": "Made by hand", "viz_type": "table", "datasource_id": dataset_id,
        "datasource_type": "table", "params": "{}"}).json()
    hand_made_id = int(made["id"])

    # prune-a drops its chart (and the layout node showing it) and the es_419 locale.
    (a / "assets" / "charts" / "enrollments.yaml").unlink()
    dashboard = a / "assets" / "dashboards" / "course.yaml"
    text = dashboard.read_text().replace("ROW-1: {children: [CHART-1]", "ROW-1: {children: []")
    text = text[:text.index("  CHART-1:\n")] + text[text.index("metadata:\n"):]
    dashboard.write_text(text)
    config = yaml.safe_load((a / "aspects-assets.yaml").read_text())
    config["locales"] = ["fr_CA"]
    (a / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    code, output, stdout = cli(a, env, "diff", "--format", "json")
    assert code == 1, output
    leftovers = {x["uuid"] for x in json.loads(stdout)["assets"] if x["action"] == "delete"}
    code, output, _ = cli(a, env, "import", "--prune")
    assert code == 1, "not on a terminal: lists and waits for --yes"
    unchanged = live(client)
    assert all(before[k].items() <= unchanged[k].items() for k in before), "nothing deleted"
    code, output, stdout = cli(a, env, "import", "--prune", "--yes", "--format", "json")
    assert code == 0, output
    report = json.loads(stdout)
    after = live(client)

    gone = {u for kind in before for u in before[kind] if u not in after[kind]}
    assert gone == leftovers
    # the chart and its two copies, the es_419 copies of dataset and dashboard
    assert CHART_UUID in gone and len(gone) == 5, gone
    assert sum(report["deleted"].values()) == 5
    assert b_uuids <= {u for kind in after.values() for u in kind}, "prune-b's assets stay"
    assert hand_made_id in after["chart"].values(), "the hand-made chart stays"

    # The backup holds everything deleted, as Superset exported it.
    backup = a / report["backup"]
    with zipfile.ZipFile(backup) as archive:
        exported = {yaml.safe_load(archive.read(n)).get("uuid") for n in archive.namelist()
                    if n.endswith(".yaml") and "metadata.yaml" not in n}
    assert gone <= exported

    # Both projects are exactly as their code says.
    for project in (a, b):
        code, output, _ = cli(project, env, "diff")
        assert code == 0, output
    code, output, stdout = cli(b, env, "import", "--prune", "--yes", "--format", "json")
    assert code == 0, output
    assert sum(json.loads(stdout)["deleted"].values()) == 0
    assert hand_made_id in live(client)["chart"].values()
