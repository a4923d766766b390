"""Asset layers: the merge rules (project/layers.py) and a layered project read
end to end (settings, rendered layers, replacement, overrides, object kinds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.model.errors import InputError
from aspects_assets.project.layers import Entry, merge_override, stack
from aspects_assets.project.render import load_assets
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import check

from conftest import run

CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"


# -- the merge rules ---------------------------------------------------------------------

def test_an_override_merges_mappings_key_by_key_and_replaces_other_values() -> None:
    below = {"uuid": "u", "params": {"a": 1, "b": {"c": 2, "d": 3}}, "tags": [1, 2],
             "title": "x"}
    merged, missing = merge_override(below, {"_override": True, "uuid": "u",
                                             "params": {"b": {"c": 20}}, "tags": [9]})
    assert merged == {"uuid": "u", "params": {"a": 1, "b": {"c": 20, "d": 3}}, "tags": [9],
                      "title": "x"}
    assert missing == []
    assert below["params"]["b"]["c"] == 2, "the lower layer's data is not changed"


def test_a_mapping_replaces_a_value_that_is_not_one() -> None:
    merged, missing = merge_override({"x": None, "y": {"z": 1}}, {"x": {"a": 1}, "y": "flat"})
    assert merged == {"x": {"a": 1}, "y": "flat"} and missing == []


def test_every_key_path_the_asset_below_lacks_is_reported() -> None:
    _, missing = merge_override({"params": {"a": 1}}, {"params": {"b": 1, "a": 2}, "new": 1})
    assert missing == [("params", "b"), ("new",)]


def entry(layer: int, display: str, **data: Any) -> Entry:
    return Entry(layer, "chart", display, {"uuid": CHART, **data})


def test_a_higher_layer_replaces_the_asset_whole_and_overrides_stack_in_order() -> None:
    stacked, problems = stack([
        entry(0, "env/a.yaml", slice_name="A", description="d", params={"x": 1, "y": 2}),
        entry(1, "mid/a.yaml", slice_name="B", params={"x": 1}),
        entry(2, "top/o.yaml", _override=True, params={"x": 5}),
        entry(3, "top2/o.yaml", _override=True, slice_name="C"),
    ])
    assert problems == []
    (item,) = stacked
    assert item.data == {"uuid": CHART, "slice_name": "C", "params": {"x": 5}}
    assert item.definition.display == "mid/a.yaml"
    assert [e.display for e in item.overrides] == ["top/o.yaml", "top2/o.yaml"]
    assert [e.display for e in item.replaced] == ["env/a.yaml"]
    assert item.below(3) == {"uuid": CHART, "slice_name": "B", "params": {"x": 5}}
    assert item.below(2) == {"uuid": CHART, "slice_name": "B", "params": {"x": 1}}


def test_a_replacement_drops_the_overrides_below_it() -> None:
    stacked, problems = stack([
        entry(0, "env/a.yaml", slice_name="A"),
        entry(1, "mid/o.yaml", _override=True, slice_name="A2"),
        entry(2, "top/a.yaml", slice_name="B"),
    ])
    assert problems == [] and stacked[0].data["slice_name"] == "B"
    assert stacked[0].overrides == ()
    assert [e.display for e in stacked[0].replaced] == ["env/a.yaml", "mid/o.yaml"]


def test_override_problems_name_the_file_and_key() -> None:
    _, problems = stack([
        entry(0, "env/a.yaml", slice_name="A"),
        entry(1, "top/o.yaml", _override=True, params={"x": 1}),
        Entry(1, "chart", "top/p.yaml", {"_override": True, "uuid": "other"}),
        Entry(1, "dashboard", "top/q.yaml", {"_override": True}),
    ])
    shown = {(p.file, p.key, p.message.split(" (")[0]) for p in problems}
    assert shown == {
        ("top/o.yaml", "params", "no such key in env/a.yaml"),
        ("top/p.yaml", "uuid", "no lower layer has an asset with the uuid other"),
        ("top/q.yaml", "uuid", "an override must name the uuid of the asset it changes"),
    }


def test_files_of_one_layer_with_one_uuid_are_all_kept_for_validation_to_name() -> None:
    stacked, problems = stack([entry(0, "a.yaml"), entry(0, "b.yaml")])
    assert problems == [] and [s.definition.display for s in stacked] == ["a.yaml", "b.yaml"]


def test_a_problem_at_a_key_an_override_set_names_the_override_file() -> None:
    from aspects_assets.model.errors import Problem
    from aspects_assets.project.layers import attributed

    stacked, _ = stack([
        entry(0, "env/a.yaml", slice_name="A", params={"metrics": [1], "x": 1}),
        entry(1, "top/o.yaml", _override=True, params={"metrics": [{"label": 2}]}),
    ])
    problems = [Problem("error", "env/a.yaml", key, "bad") for key in
                ("params.metrics[0].label", "params.metrics", "params.x", "params.metricsx")]
    assert [p.file for p in attributed(problems, stacked)] == [
        "top/o.yaml", "top/o.yaml", "env/a.yaml", "env/a.yaml"]


# -- settings ----------------------------------------------------------------------------

def test_a_list_of_layers_is_read_lowest_first_relative_to_the_settings(tmp_path: Path
                                                                        ) -> None:
    for name in ("env", "overlay"):
        (tmp_path / name).mkdir()
    (tmp_path / "aspects-assets.yaml").write_text(
        "assets_dir:\n- {path: env, rendered: true}\n- path: overlay\n")
    settings = load_settings(cwd=tmp_path, env={})
    assert [(layer.path, layer.rendered) for layer in settings.layers] == [
        (tmp_path / "env", True), (tmp_path / "overlay", False)]
    assert settings.assets_dir == tmp_path / "overlay"
    assert settings.writable_layer == settings.layers[1]


def test_one_folder_is_one_layer_of_templates(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    assert [(layer.path, layer.rendered) for layer in settings.layers] == [
        (tmp_path / "assets", False)]


@pytest.mark.parametrize(("text", "key", "message"), [
    ("assets_dir: []\n", "assets_dir", "must name at least one folder"),
    ("assets_dir: [env]\n", "assets_dir[0]", "must be a dict, not str"),
    ("assets_dir: [{rendered: true}]\n", "assets_dir[0].path", "must be a str"),
    ("assets_dir: [{path: env}, {path: env}]\n", "assets_dir[1].path", "already a layer"),
    ("assets_dir: [{path: aspects-assets.yaml}]\n", "assets_dir[0].path", "is not a folder"),
])
def test_bad_layers_are_named(tmp_path: Path, text: str, key: str, message: str) -> None:
    (tmp_path / "env").mkdir()
    (tmp_path / "aspects-assets.yaml").write_text(text)
    with pytest.raises(InputError) as caught:
        load_settings(cwd=tmp_path, env={})
    assert caught.value.key == key and message in str(caught.value)


# -- a layered project -------------------------------------------------------------------

def layered(project: Path, *layers: dict[str, Any]) -> Path:
    config_file = project / "aspects-assets.yaml"
    config = yaml.safe_load(config_file.read_text())
    config["assets_dir"] = [{"path": "assets"}, *layers]
    for layer in layers:
        (project / layer["path"]).mkdir(parents=True, exist_ok=True)
    config_file.write_text(yaml.safe_dump(config))
    return project


def write(path: Path, data: dict[str, Any] | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))


def test_a_rendered_layer_is_read_as_yaml_and_keeps_superset_jinja_bare(base_project: Path
                                                                         ) -> None:
    layered(base_project, {"path": "env", "rendered": True})
    chart = yaml.safe_load((base_project / "assets" / "charts" / "enrollments.yaml").read_text())
    chart["description"] = "{{ current_username() }} sees {% if x %}this{% endif %}"
    write(base_project / "env" / "charts" / "enrollments.yaml", chart)
    assets = load_assets(load_settings(cwd=base_project, env={})).assets
    (loaded,) = [a for a in assets if a.uuid == CHART]
    assert loaded.body["description"] == chart["description"]
    assert loaded.source == "env/charts/enrollments.yaml"
    assert run(["validate"], base_project).exit_code == 0


def test_an_override_changes_one_key_and_never_reaches_the_bundle(base_project: Path) -> None:
    layered(base_project, {"path": "overlay"})
    write(base_project / "overlay" / "dashboards" / "course.yaml",
          {"_override": True, "uuid": DASHBOARD, "dashboard_title": "{{ REPORTING }} overview"})
    checked = check(load_settings(cwd=base_project, env={}))
    assert checked.errors == []
    dashboard = checked.assets.by_uuid()[DASHBOARD]
    assert dashboard.body["dashboard_title"] == "reporting overview"
    assert dashboard.body["slug"] == "course-overview"
    assert "_override" not in dashboard.private and "_override" not in dashboard.body
    result = run(["build", "--out", "out"], base_project)
    assert result.exit_code == 0, result.output
    (written,) = (base_project / "out").rglob("dashboards/*.yaml")
    assert "_override" not in written.read_text()
    assert "reporting overview" in written.read_text()


def test_validate_layers_says_where_each_asset_comes_from(base_project: Path) -> None:
    import json

    layered(base_project, {"path": "overlay"})
    write(base_project / "overlay" / "dashboards" / "course.yaml",
          {"_override": True, "uuid": DASHBOARD, "css": "x"})
    chart = yaml.safe_load((base_project / "assets" / "charts" / "enrollments.yaml").read_text())
    write(base_project / "overlay" / "charts" / "mine.yaml", {**chart, "slice_name": "Mine"})
    result = run(["validate", "--layers", "--format", "json"], base_project)
    assert result.exit_code == 0, result.output
    origins = {o["uuid"]: o for o in json.loads(result.output)["layers"]}
    assert origins[CHART]["file"] == "overlay/charts/mine.yaml"
    assert origins[CHART]["layer"] == 1
    assert origins[CHART]["replaces"] == ["assets/charts/enrollments.yaml"]
    assert origins[DASHBOARD]["file"] == "assets/dashboards/course.yaml"
    assert origins[DASHBOARD]["overrides"] == ["overlay/dashboards/course.yaml"]
    text = run(["validate", "--layers"], base_project).output
    assert "overlay/charts/mine.yaml (layer 1: overlay), replaces assets/charts/enrollments.yaml" \
        in text
    assert "assets/dashboards/course.yaml (layer 0: assets), overridden by " \
           "overlay/dashboards/course.yaml" in text


def test_a_higher_layer_replaces_a_row_level_security_filter_of_the_same_name(
        base_project: Path) -> None:
    layered(base_project, {"path": "overlay"})
    base = {"name": "by_course", "filter_type": "Regular", "roles": ["Instructor"],
            "clause": "course_key = 'a'", "datasets": {"schema": "reporting"}}
    write(base_project / "assets" / "row_level_security" / "f.yaml", base)
    write(base_project / "assets" / "row_level_security" / "g.yaml", {**base, "name": "other"})
    write(base_project / "overlay" / "row_level_security" / "f.yaml",
          {**base, "clause": "course_key = 'b'"})
    checked = check(load_settings(cwd=base_project, env={}))
    assert checked.errors == []
    filters = {f.name: f for f in checked.objects["rls"]}
    assert sorted(filters) == ["by_course", "other"]
    assert filters["by_course"].clause == "course_key = 'b'"
    assert filters["by_course"].source == "overlay/row_level_security/f.yaml"


def test_the_inputs_hash_covers_every_layer_and_their_order(base_project: Path) -> None:
    from aspects_assets.project.inputs import inputs_hash

    layered(base_project, {"path": "overlay"})
    write(base_project / "overlay" / "dashboards" / "course.yaml",
          {"_override": True, "uuid": DASHBOARD, "css": "x"})
    before = inputs_hash(load_settings(cwd=base_project, env={}), [])
    write(base_project / "overlay" / "dashboards" / "course.yaml",
          {"_override": True, "uuid": DASHBOARD, "css": "y"})
    changed = inputs_hash(load_settings(cwd=base_project, env={}), [])
    config = base_project / "aspects-assets.yaml"
    data = yaml.safe_load(config.read_text())
    data["assets_dir"] = [data["assets_dir"][0], {"path": "overlay", "rendered": True}]
    config.write_text(yaml.safe_dump(data))
    rendered = inputs_hash(load_settings(cwd=base_project, env={}), [])
    assert len({before, changed, rendered}) == 3


# -- pull into the layer that owns the asset -----------------------------------------------

PULL_DASHBOARD = "d16ba8ca-ede9-44cd-b4aa-9df555052826"  # Aspects Pipeline Health
PULL_CHART = "e1019702-7f68-44e9-9e86-37dcf954bf16"  # xAPI Lag


@pytest.fixture
def env_and_overlay(tmp_path: Path) -> Path:
    """This repository's project with its assets rendered into a Tutor-like env (the
    lowest layer, rendered) and an empty overlay of templates above it."""
    import shutil

    from conftest import REPO, render_into

    project = tmp_path / "project"
    project.mkdir()
    for name in ("assets", "templates"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "aspects-assets.yaml", project / "aspects-assets.yaml")
    render_into(project, project / "env")
    shutil.rmtree(project / "assets")
    config = yaml.safe_load((project / "aspects-assets.yaml").read_text())
    config["assets_dir"] = [{"path": "env", "rendered": True}, {"path": "overlay"}]
    (project / "overlay").mkdir()
    (project / "aspects-assets.yaml").write_text(yaml.safe_dump(config))
    return project


def _pull_layered(project: Path, edit: Any, *uuids: str) -> Any:
    from test_pull import _as_exported

    from aspects_assets.core.pull.plan import plan_pull
    from aspects_assets.project.render import source_files

    live = _as_exported(project, *uuids)
    edit(live)
    settings = load_settings(project / "aspects-assets.yaml", env={})
    loaded = load_assets(settings)
    assert not loaded.problems, loaded.problems
    paths = {settings.display(p): p for _, p in source_files(settings)}
    return plan_pull(settings, loaded.assets, live, paths, loaded.origins())


def _write(plan: Any) -> None:
    for change in plan.files:
        if change.text is not None:
            change.path.parent.mkdir(parents=True, exist_ok=True)
            change.path.write_text(change.text)


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.yaml"))}


def test_a_change_to_an_asset_of_the_rendered_layer_becomes_an_override_in_the_overlay(
        env_and_overlay: Path) -> None:
    from aspects_assets.core.pull.file_change import CREATED, UNCHANGED

    project = env_and_overlay
    env_before = _tree(project / "env")

    def retitle(live: Any) -> None:
        live[PULL_DASHBOARD].body["dashboard_title"] = "Pipeline health"

    plan = _pull_layered(project, retitle, PULL_DASHBOARD, PULL_CHART)
    by_uuid = {f.uuid: f for f in plan.files}
    assert by_uuid[PULL_CHART].status == UNCHANGED
    change = by_uuid[PULL_DASHBOARD]
    assert change.status == CREATED, change.reason
    assert change.display == "overlay/dashboards/Aspects_Pipeline_Health.yaml"
    assert yaml.safe_load(change.text or "") == {
        "_override": True, "uuid": PULL_DASHBOARD, "dashboard_title": "Pipeline health"}
    assert plan.new_strings == (("Pipeline health", "dashboard title"),)
    _write(plan)
    assert _tree(project / "env") == env_before, "the rendered layer is never written"
    again = _pull_layered(project, retitle, PULL_DASHBOARD)
    assert [f.status for f in again.files] == [UNCHANGED]
    origins = load_assets(load_settings(project / "aspects-assets.yaml", env={})).origins()
    assert [e.display for e in origins[PULL_DASHBOARD].overrides] == [change.display]


def test_an_existing_override_is_edited_and_keeps_its_comments_and_pinned_keys(
        env_and_overlay: Path) -> None:
    from aspects_assets.core.pull.file_change import UPDATED

    project = env_and_overlay
    env_title = yaml.safe_load(
        (project / "env/dashboards/Aspects_Pipeline_Health.yaml").read_text())["dashboard_title"]
    override = project / "overlay" / "dashboards" / "health.yaml"
    write(override, "# ours: the title as the operators want it\n_override: true\n"
                    f"uuid: {PULL_DASHBOARD}\ndashboard_title: {env_title}  # pinned\n"
                    "description: '{{ \"Ours\" }}'\n")

    def edit(live: Any) -> None:
        live[PULL_DASHBOARD].body["css"] = ".x { color: red }"
        live[PULL_DASHBOARD].body["description"] = "Ours, edited"

    plan = _pull_layered(project, edit, PULL_DASHBOARD)
    (change,) = plan.files
    assert change.status == UPDATED, change.reason
    assert change.path == override
    text = change.text or ""
    assert text.startswith("# ours: the title as the operators want it\n")
    assert f"dashboard_title: {env_title}  # pinned\n" in text
    assert yaml.safe_load(text) == {"_override": True, "uuid": PULL_DASHBOARD,
                                    "dashboard_title": env_title,
                                    "description": "Ours, edited", "css": ".x { color: red }"}


def test_a_key_superset_added_cannot_go_into_an_override_and_says_so(
        env_and_overlay: Path) -> None:
    from aspects_assets.core.pull.file_change import NOT_PULLABLE

    def add(live: Any) -> None:
        live[PULL_CHART].body["params"]["brand_new_option"] = True

    plan = _pull_layered(env_and_overlay, add, PULL_CHART)
    (change,) = plan.files
    assert change.status == NOT_PULLABLE
    assert "params.brand_new_option is new" in change.reason
    assert not (env_and_overlay / "overlay" / "charts").exists()


def test_an_asset_replaced_in_the_overlay_is_pulled_into_its_own_file(
        env_and_overlay: Path) -> None:
    import shutil

    from aspects_assets.core.pull.file_change import UPDATED

    project = env_and_overlay
    (project / "overlay" / "charts").mkdir()
    shutil.copy(project / "env/charts/xAPI_Lag.yaml", project / "overlay/charts/lag.yaml")

    def retitle(live: Any) -> None:
        live[PULL_CHART].body["slice_name"] = "Event lag"

    plan = _pull_layered(project, retitle, PULL_CHART)
    (change,) = plan.files
    assert change.status == UPDATED and change.display == "overlay/charts/lag.yaml"
    assert "slice_name: Event lag\n" in (change.text or "")


def test_nothing_is_written_when_every_layer_is_rendered(env_and_overlay: Path) -> None:
    from aspects_assets.core.pull.file_change import NOT_PULLABLE

    project = env_and_overlay
    config = yaml.safe_load((project / "aspects-assets.yaml").read_text())
    config["assets_dir"] = [config["assets_dir"][0]]
    (project / "aspects-assets.yaml").write_text(yaml.safe_dump(config))

    def retitle(live: Any) -> None:
        live[PULL_CHART].body["slice_name"] = "Event lag"

    plan = _pull_layered(project, retitle, PULL_CHART)
    (change,) = plan.files
    assert change.status == NOT_PULLABLE and "no layer above it" in change.reason
    assert change.text is None


def test_an_asset_new_to_the_code_is_pulled_into_the_top_layer_of_templates(
        env_and_overlay: Path) -> None:
    from aspects_assets.core.export import ExportedAsset
    from aspects_assets.core.pull.file_change import CREATED

    def copy_as_new(live: Any) -> None:
        body = {**live[PULL_CHART].body, "uuid": "5f0c9d1e-0000-4000-8000-000000000001",
                "slice_name": "Brand new"}
        live[body["uuid"]] = ExportedAsset("chart", body, None)

    plan = _pull_layered(env_and_overlay, copy_as_new, PULL_CHART)
    created = [f for f in plan.files if f.status == CREATED]
    assert [f.display for f in created] == ["overlay/charts/Brand_new.yaml"]
