"""`_include_if`: assets left out by a false switch, dashboards without their nodes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from aspects_assets.core.conditional import include_conditions
from aspects_assets.model.assets import Asset, AssetSet

from conftest import run

PII_CHART = "c0000000-0000-4000-8000-000000000002"
PII_DATASET = "d0000000-0000-4000-8000-000000000002"
CHART = "c0000000-0000-4000-8000-000000000001"
DATASET = "d0000000-0000-4000-8000-000000000001"
DASHBOARD = {
    "uuid": "a0000000-0000-4000-8000-000000000001", "dashboard_title": "Learners",
    "position": {
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"]},
        "ROW-1": {"type": "ROW", "id": "ROW-1", "children": ["CHART-1", "CHART-2"]},
        "CHART-1": {"type": "CHART", "id": "CHART-1", "children": [], "meta": {"uuid": CHART}},
        "CHART-2": {"type": "CHART", "id": "CHART-2", "children": [],
                    "meta": {"uuid": PII_CHART}}},
    "metadata": {"native_filter_configuration": [
        {"id": "F1", "targets": [{"datasetUuid": DATASET}, {"datasetUuid": PII_DATASET}]},
        {"id": "F2", "targets": [{"datasetUuid": PII_DATASET}]}]},
}


def assets(switch: object = False) -> AssetSet:
    return AssetSet.of([
        Asset("dataset", {"uuid": DATASET}, "d1.yaml"),
        Asset("dataset", {"uuid": PII_DATASET}, "d2.yaml", private={"_include_if": "PII"}),
        Asset("chart", {"uuid": CHART, "dataset_uuid": DATASET}, "c1.yaml"),
        Asset("chart", {"uuid": PII_CHART, "dataset_uuid": PII_DATASET}, "c2.yaml",
              private={"_include_if": "PII"}),
        Asset("dashboard", copy.deepcopy(DASHBOARD), "dash.yaml"),
    ])


@pytest.mark.parametrize("off", [False, "false", "False", "0", "no", ""])
def test_a_false_switch_leaves_out_the_asset_its_nodes_and_its_filter_targets(off: object):
    kept, problems = include_conditions(assets(), {"PII": off})
    assert problems == []
    assert {a.uuid for a in kept} == {DATASET, CHART, DASHBOARD["uuid"]}
    dashboard = kept.by_uuid()[DASHBOARD["uuid"]]
    assert "CHART-2" not in dashboard.body["position"]
    assert dashboard.body["position"]["ROW-1"]["children"] == ["CHART-1"]
    filters = dashboard.body["metadata"]["native_filter_configuration"]
    assert [(f["id"], f["targets"]) for f in filters] == [("F1", [{"datasetUuid": DATASET}])]


@pytest.mark.parametrize("on", [True, "true", "1", "yes"])
def test_a_true_switch_keeps_everything_as_written(on: object):
    kept, problems = include_conditions(assets(), {"PII": on})
    assert problems == [] and kept == assets()


@pytest.mark.parametrize(("variables", "private", "words"), [
    ({}, {"_include_if": "PII"}, "not a variable"),
    ({"PII": "maybe"}, {"_include_if": "PII"}, "must be true or false"),
    ({"PII": 3}, {"_include_if": "PII"}, "must be true or false"),
    ({"PII": True}, {"_include_if": ["PII"]}, "must name a variable"),
])
def test_a_bad_condition_is_an_error_naming_the_file(variables, private, words):
    _, problems = include_conditions(
        AssetSet.of([Asset("chart", {"uuid": CHART}, "c1.yaml", private=private)]), variables)
    assert [(p.file, p.key, words in p.message) for p in problems] == [
        ("c1.yaml", "_include_if", True)]


def test_a_kept_chart_on_a_dataset_left_out_is_an_error():
    data = [a if a.uuid != PII_CHART else Asset("chart", a.body, a.source)
            for a in assets()]
    _, problems = include_conditions(AssetSet.of(data), {"PII": False})
    assert [(p.file, p.key) for p in problems] == [("c2.yaml", "dataset_uuid")]


def test_the_pipeline_leaves_out_the_asset_and_its_copies(base_project: Path):
    chart = base_project / "assets" / "charts" / "enrollments.yaml"
    uses_chart = "type: CHART" in (base_project / "assets" / "dashboards" / "course.yaml"
                                   ).read_text()
    chart.write_text("_include_if: SHOW_ENROLLMENTS\n" + chart.read_text())
    settings = base_project / "aspects-assets.yaml"
    config = yaml.safe_load(settings.read_text())
    config["locales"] = ["es_419"]
    config["variables"]["SHOW_ENROLLMENTS"] = False
    settings.write_text(yaml.safe_dump(config))
    result = run(["validate", "--format", "json"], base_project)
    assert result.exit_code == 0, result.output
    counts = yaml.safe_load(result.stdout)["counts"]
    assert counts["chart"] == 0 and counts["dashboard"] == 2 and uses_chart
