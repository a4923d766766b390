"""`pull`'s pure parts: edits, the line merge, Jinja handling, file changes, targets."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.core.bundle import superset_body
from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.pull.edits import Edit, Named, edits
from aspects_assets.core.pull.file_change import CREATED, NOT_PULLABLE, UNCHANGED, UPDATED
from aspects_assets.core.pull.jinja import control_lines
from aspects_assets.core.pull.merge import merge_lines
from aspects_assets.core.pull.plan import plan_pull
from aspects_assets.core.pull.round_trip import writable
from aspects_assets.core.pull.source_form import source_form
from aspects_assets.core.pull.targets import dashboard_targets, managed_targets, pullable
from aspects_assets.model.errors import InputError
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.render import load_assets, source_files
from aspects_assets.project.settings import load_settings

from conftest import REPO

CHART = "e1019702-7f68-44e9-9e86-37dcf954bf16"  # xAPI Lag
DASHBOARD = "d16ba8ca-ede9-44cd-b4aa-9df555052826"  # Aspects Pipeline Health
METADATA_DB = "36a2ad67-1040-40e0-9c45-e99dd45caae3"
METADATA_DATASET = "e3cda819-3af5-42e7-b8d4-2219f7059a14"


# -- edits and the merge -------------------------------------------------------------------

def test_edits_go_as_deep_as_the_two_sides_allow() -> None:
    old = {"a": 1, "b": {"c": [1, 2], "d": "x"}, "gone": True}
    new = {"a": 1, "b": {"c": [1, 3], "d": "y"}, "added": None}
    assert edits(old, new) == [
        Edit(("gone",), "delete"),
        Edit(("b", "c", 1), "set", 3),
        Edit(("b", "d"), "set", "y"),
        Edit(("added",), "set", None),
    ]
    assert edits({"l": [1]}, {"l": [1, 2]}) == [Edit(("l",), "set", [1, 2])]


def test_dataset_columns_are_matched_by_name_not_position() -> None:
    old = {"columns": [{"column_name": "a", "type": "X"}, {"column_name": "b", "type": "Y"}]}
    new = {"columns": [{"column_name": "b", "type": "Z"}, {"column_name": "c"}]}
    assert edits(old, new) == [
        Edit(("columns", Named("column_name", "a")), "delete"),
        Edit(("columns", Named("column_name", "b"), "type"), "set", "Z"),
        Edit(("columns",), "append", {"column_name": "c"}),
    ]


def test_merge_keeps_the_original_where_ruamel_would_write_differently() -> None:
    base = "a: x\nb: 'long text'\nc: 1\n"
    ours = "a: x\nb: long\n  text\nc: 1\n"  # folded by another writer
    theirs = "a: y\nb: 'long text'\nc: 1\n"
    assert merge_lines(base, ours, theirs) == "a: y\nb: long\n  text\nc: 1\n"
    # Where both touch the same lines, the edit wins.
    assert merge_lines(base, ours, "a: x\nb: 'other'\nc: 1\n") == "a: x\nb: 'other'\nc: 1\n"
    assert merge_lines(base, base, theirs) == theirs


def test_superset_jinja_is_wrapped_in_raw_and_long_text_is_a_block() -> None:
    assert writable("where x in {{ filter_values('x') }}") == (
        "{% raw %}where x in {{ filter_values('x') }}{% endraw %}")
    assert writable("plain") == "plain"
    block = writable("select 1\nfrom t")
    assert type(block).__name__ == "LiteralScalarString"


def test_control_structures_at_line_level_are_found_outside_raw() -> None:
    text = ("a: 1\n{% if X %}\nb: 2\n{% endif %}\nsql: |\n  {% raw %}\n"
            "  {% if filter_values('x') %}x{% endif %}\n  {% endraw %}\n"
            "c: '{{ Y }}'\nd: |\n  {% filter indent(width=2) %}{% include 'q.sql' %}"
            "{% endfilter %}\n")
    assert control_lines(text) == [2, 4]


# -- files ---------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("assets", "templates", "aspects-assets.yaml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def _pull(project: Path, live: dict[str, ExportedAsset]) -> Any:
    settings = load_settings(project / "aspects-assets.yaml", env={})
    loaded = load_assets(settings)
    assert not loaded.problems
    paths = {settings.display(p): p for _, p in source_files(settings)}
    return plan_pull(settings, loaded.assets, live, paths), loaded.assets


def _as_exported(project: Path, *uuids: str) -> dict[str, ExportedAsset]:
    """What Superset's export of our own assets looks like: ids, defaults and
    query_context added."""
    settings = load_settings(project / "aspects-assets.yaml", env={})
    assets = load_assets(settings).assets.by_uuid()
    out = {}
    for uuid in uuids:
        asset = assets[uuid]
        body = copy.deepcopy(superset_body(asset))
        if asset.kind == "chart":
            body["params"]["datasource"] = "42__table"
            body["query_context"] = json.dumps({"datasource": {"id": 42}, "queries": []})
        if asset.kind == "dashboard":
            for node in body["position"].values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    node["meta"]["chartId"] += 100
        body.update({"is_managed_externally": True, "version": "1.0.0"})
        database = None
        if asset.kind == "dataset":
            database = superset_body(assets[body["database_uuid"]])
        out[uuid] = ExportedAsset(asset.kind, body, database)
    return out


def test_an_unchanged_asset_leaves_its_file_untouched(project: Path) -> None:
    live = _as_exported(project, CHART, DASHBOARD, METADATA_DB, METADATA_DATASET)
    plan, _ = _pull(project, live)
    assert {f.status for f in plan.files} == {UNCHANGED}
    assert all(f.text is None for f in plan.files)


def test_a_changed_title_is_a_one_line_edit(project: Path) -> None:
    live = _as_exported(project, CHART)
    live[CHART].body["slice_name"] = "Event lag"
    plan, _ = _pull(project, live)
    (change,) = plan.files
    assert change.status == UPDATED and change.fields == ("slice_name",)
    before = (project / "assets/charts/xAPI_Lag.yaml").read_text()
    assert change.text == before.replace("slice_name: xAPI Lag\n", "slice_name: Event lag\n")
    assert plan.new_strings == (("Event lag", "chart title"),)


def test_jinja_that_still_renders_to_the_live_value_is_kept(project: Path) -> None:
    live = _as_exported(project, METADATA_DB, METADATA_DATASET)
    live[METADATA_DB].body["cache_timeout"] = 600
    live[METADATA_DATASET].body["description"] = "Charts per dashboard"
    plan, _ = _pull(project, live)
    by_uuid = {f.uuid: f for f in plan.files}
    database = by_uuid[METADATA_DB].text or ""
    assert "sqlalchemy_uri: '{{ SUPERSET_METADATA_URI }}'" in database
    assert "cache_timeout: 600\n" in database
    dataset = by_uuid[METADATA_DATASET].text or ""
    assert "{% include 'queries/superset_dashboard_charts.sql' %}" in dataset
    assert "description: Charts per dashboard\n" in dataset


def test_live_sql_with_query_time_jinja_is_written_inside_raw(project: Path) -> None:
    live = _as_exported(project, METADATA_DATASET)
    live[METADATA_DATASET].body["sql"] = "select 1\nwhere x in {{ filter_values('x') }}"
    plan, _ = _pull(project, live)
    (change,) = plan.files
    assert change.status == UPDATED
    assert "sql: |-\n  {% raw %}select 1\n  where x in {{ filter_values('x') }}{% endraw %}\n" \
        in (change.text or "")


def test_a_dashboard_edit_keeps_private_keys_and_layout_ids(project: Path) -> None:
    live = _as_exported(project, DASHBOARD)
    live[DASHBOARD].body["published"] = False
    plan, _ = _pull(project, live)
    (change,) = plan.files
    before = (project / "assets/dashboards/Aspects_Pipeline_Health.yaml").read_text()
    assert change.text == before.replace("published: true\n", "published: false\n")
    assert "_roles:\n- '{{ OPERATOR_ROLE }}'\n" in (change.text or "")


def test_a_file_with_jinja_around_keys_is_not_pullable(project: Path) -> None:
    path = project / "assets/charts/xAPI_Lag.yaml"
    path.write_text("{% if true %}\n" + path.read_text() + "{% endif %}\n")
    live = _as_exported(project, CHART)
    live[CHART].body["slice_name"] = "Event lag"
    plan, _ = _pull(project, live)
    (change,) = plan.files
    assert change.status == NOT_PULLABLE and change.text is None
    assert "line 1" in change.reason


def test_a_new_asset_gets_a_file_that_renders_back_to_it(project: Path) -> None:
    live = _as_exported(project, DASHBOARD, CHART)
    (project / "assets/dashboards/Aspects_Pipeline_Health.yaml").unlink()
    (project / "assets/charts/xAPI_Lag.yaml").unlink()
    plan, _ = _pull(project, live)
    created = {f.uuid: f for f in plan.files}
    assert {f.status for f in created.values()} == {CREATED}
    for change in created.values():
        change.path.write_text(change.text or "")
    assert created[CHART].display == "assets/charts/xAPI_Lag.yaml"
    again, _ = _pull(project, live)
    assert {f.status for f in again.files} == {UNCHANGED}
    data = yaml.safe_load(created[DASHBOARD].text or "")
    assert data["version"] == "1.0.0"
    charts = [n for n in data["position"].values() if isinstance(n, dict)
              and n.get("type") == "CHART"]
    assert charts and all("chartId" not in n["meta"] for n in charts)


def test_source_form_gives_every_chart_reference_the_files_own_ids() -> None:
    a, b = "aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002"
    live = {"dashboard_title": "D", "position": {
        "CHART-a": {"type": "CHART", "meta": {"chartId": 40, "uuid": a}},
        "CHART-b": {"type": "CHART", "meta": {"chartId": 41, "uuid": b}}},
        "metadata": {
            "chart_configuration": {"40": {"id": 40, "crossFilters": {
                "scope": {"excluded": [40, 41, 999]}, "chartsInScope": [41]}}},
            "global_chart_configuration": {"scope": {"excluded": [41]}},
            "native_filter_configuration": [{"name": "F", "scope": {"excluded": [40]}}],
            "timed_refresh_immune_slices": [41], "expanded_slices": {"40": True}}}
    form = source_form("dashboard", live, ids={a: 1, b: 2})
    assert form["metadata"] == {
        "chart_configuration": {"1": {"id": 1, "crossFilters": {"scope": {"excluded": [1, 2]}}}},
        "global_chart_configuration": {"scope": {"excluded": [2]}},
        "native_filter_configuration": [{"name": "F", "scope": {"excluded": [1]}}],
        "timed_refresh_immune_slices": [2], "expanded_slices": {"1": True}}
    # a chart the file's layout does not have keeps its uuid (pull reports the file)
    assert source_form("dashboard", live, ids={a: 1})["metadata"][
        "timed_refresh_immune_slices"] == [b]


# -- what to pull -----------------------------------------------------------------------------

ROWS = {
    "o": LiveRow("dashboard", "o", 1, "", "health"),
    "c": LiveRow("dashboard", "c", 2, "", "health-es_419"),
    "x": LiveRow("chart", "x", 3, "", "A chart"),
}


def test_a_localized_copy_names_its_original_by_slug_or_record() -> None:
    targets = dashboard_targets(["health-es_419"], ROWS, None, ["es_419"])
    assert targets.uuids == ("o",)
    assert targets.redirects[0].as_dict() == {"asked": "health-es_419", "locale": "es_419",
                                              "original": "health"}
    record = ProjectRecord("p", {"c": ManagedAsset("dashboard", locale="es_419",
                                                   base_uuid="o")})
    assert dashboard_targets(["c"], ROWS, record, []).uuids == ("o",)
    assert dashboard_targets(["health", "o"], ROWS, None, []).uuids == ("o",)
    with pytest.raises(InputError, match="no dashboard"):
        dashboard_targets(["nope"], ROWS, None, [])


def test_all_managed_needs_the_record_and_skips_copies() -> None:
    record = ProjectRecord("p", {"o": ManagedAsset("dashboard"), "x": ManagedAsset("chart"),
                                 "c": ManagedAsset("dashboard", locale="es_419",
                                                   base_uuid="o")})
    targets = managed_targets(ROWS, record, "p")
    assert targets.uuids == ("o", "x")
    with pytest.raises(InputError, match="no record"):
        managed_targets(ROWS, None, "p")
    live = {u: ExportedAsset("chart", {"uuid": u}) for u in ("o", "x", "c", "dep")}
    assert set(pullable(live, targets, record, dependencies=False)) == {"o", "x"}
    assert set(pullable(live, targets, record, dependencies=True)) == {"o", "x", "dep"}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["aspects-2024-08", "aspects-2026-07"])
def test_the_real_aspects_files_take_a_title_change_as_a_one_line_edit(
        tmp_path: Path, name: str) -> None:
    """Aspects' own files (folded lines, escaped characters, Jinja, `_file_name`):
    every chart retitled in Superset is a one-line diff, nothing else moves."""
    import difflib

    from conftest import corpus_project

    root = corpus_project(tmp_path, name)
    settings = load_settings(root / "aspects-assets.yaml", env={})
    assets = load_assets(settings).assets
    databases = {a.uuid: superset_body(a) for a in assets.of_kind("database")}
    live = {}
    for asset in assets:
        body = copy.deepcopy(superset_body(asset))
        if asset.kind == "chart":
            body["slice_name"] = f"{body['slice_name']} (v2)"
        live[asset.uuid] = ExportedAsset(asset.kind, body,
                                     databases.get(str(body.get("database_uuid"))))
    paths = {settings.display(p): p for _, p in source_files(settings)}
    plan = plan_pull(settings, assets, live, paths)
    for change in plan.files:
        if change.kind != "chart":
            assert change.status == UNCHANGED, change
            continue
        assert change.status == UPDATED, change
        lines = [line for line in difflib.unified_diff(
            change.path.read_text().splitlines(), (change.text or "").splitlines(),
            lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert len(lines) == 2, (change.display, lines)
        assert lines[0].startswith("-slice_name:") and lines[1].startswith("+slice_name:")
        assert "(v2)" in lines[1], (change.display, lines)
