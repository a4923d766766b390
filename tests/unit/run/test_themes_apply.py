"""Themes against a Superset in memory: sent before dashboards are given them,
the dashboard's theme set after the import (which drops `theme_uuid`), drift,
the system themes, and Superset 5.0, which has none."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aspects_assets.core.kinds.themes import parse_theme
from aspects_assets.model.errors import InputError
from aspects_assets.model.plan import Action
from aspects_assets.model.snapshot import ServerInfo
from unit.fake_superset import FakeSuperset
from unit.run.test_apply import apply, imported, planned

DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"
THEME = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d7001"
THEME_FILE = {"theme_name": "Aspects", "json_data": {"token": {"colorPrimary": "#0a5c8f"},
                                                      "algorithm": "default"},
              "uuid": THEME, "version": "1.0.0"}


def themed_project(project: Path, theme: str | None = THEME, **settings: str) -> Path:
    folder = project / "assets" / "themes"
    folder.mkdir(exist_ok=True)
    (folder / "aspects.yaml").write_text(yaml.safe_dump(THEME_FILE))
    dashboard = project / "assets" / "dashboards" / "course.yaml"
    text = dashboard.read_text()
    if "theme_uuid" not in text:
        text = text.replace(f"uuid: {DASHBOARD}", f"uuid: {DASHBOARD}\ntheme_uuid: {theme or 'null'}")
    dashboard.write_text(text)
    if settings:
        config = project / "aspects-assets.yaml"
        config.write_text(config.read_text() + yaml.safe_dump({"superset": settings}))
    return project


def theme_of(fake: FakeSuperset, uuid: str) -> str | None:
    theme_id = fake.dashboard_theme.get(fake.assets[uuid]["id"])
    return fake.theme_rows[theme_id]["uuid"] if theme_id else None


def test_a_theme_file_in_superset_s_export_format_reads_as_a_theme() -> None:
    [theme], problems = parse_theme(THEME_FILE, "t.yaml")
    assert problems == [] and theme.uuid == THEME and theme.json_data["algorithm"] == "default"
    as_text = {**THEME_FILE, "json_data": '{"token": {}}'}  # an export may keep it as text
    assert parse_theme(as_text, "t.yaml")[0][0].json_data == {"token": {}}


@pytest.mark.parametrize(("change", "key"), [
    ({"json_data": {"token": "blue"}}, "json_data.token"),
    ({"json_data": {"algorithm": "sepia"}}, "json_data.algorithm"),
    ({"json_data": "{not json"}, "json_data"),
    ({"uuid": "not-a-uuid"}, "uuid"),
    ({"uuid": THEME.upper()}, "uuid"),
    ({"theme_name": ""}, "theme_name"),
    ({"version": "2"}, "version"),
    ({"colour": "red"}, "colour"),
])
def test_bad_theme_files_are_errors_naming_the_key(change: dict[str, object], key: str) -> None:
    themes, problems = parse_theme({**THEME_FILE, **change}, "t.yaml")
    assert themes == [] and [p.key for p in problems] == [key]


def test_themes_are_sent_and_each_dashboard_given_its_theme(base_project: Path) -> None:
    project = themed_project(base_project)
    fake = FakeSuperset()
    result = imported(fake, project)
    assert [r["uuid"] for r in fake.theme_rows.values()] == [THEME]
    assert theme_of(fake, DASHBOARD) == THEME
    assert fake.calls.index(("import", "theme")) < fake.calls.index(("put", "dashboard theme"))
    assert result.report.objects["themes"] == {"create": 1, "set on dashboards": 1}
    assert not planned(fake, project).plan.rendered, "a second import renders nothing"
    verified = planned(fake, project, verify=True)
    assert not verified.plan.has_differences, verified.plan

    # The theme taken off the dashboard in Superset: drift, and the import puts it back.
    fake.dashboard_theme[fake.assets[DASHBOARD]["id"]] = None
    fake.edit(DASHBOARD)
    drift = planned(fake, project, verify=True)
    [change] = drift.plan.to_send
    assert [(c.path, c.old, c.new) for c in change.changes] == [("theme_uuid", None, THEME)]
    apply(fake, project, planned(fake, project))
    assert theme_of(fake, DASHBOARD) == THEME


def test_a_theme_changed_in_superset_is_compared_field_by_field(base_project: Path) -> None:
    project = themed_project(base_project)
    fake = FakeSuperset()
    imported(fake, project)
    [row] = fake.theme_rows.values()
    row["theme_name"] = "Renamed"
    [change] = [c for c in planned(fake, project, verify=True).plan.object_changes]
    assert change.action == Action.UPDATE
    assert change.data["changes"] == [{"path": "theme_name", "old": "Renamed", "new": "Aspects"}]


def test_the_settings_make_a_theme_the_system_default(base_project: Path) -> None:
    project = themed_project(base_project, default_theme=THEME)
    fake = FakeSuperset()
    imported(fake, project)
    [row] = fake.theme_rows.values()
    assert row["is_system_default"] and not row["is_system_dark"]
    assert not planned(fake, project, verify=True).plan.has_differences


def test_prune_deletes_a_theme_the_code_no_longer_has(base_project: Path) -> None:
    project = themed_project(base_project, default_theme=THEME)
    fake = FakeSuperset()
    imported(fake, project)
    config = project / "aspects-assets.yaml"
    config.write_text(config.read_text().split("superset:")[0])
    (project / "assets" / "themes" / "aspects.yaml").unlink()
    dashboard = project / "assets" / "dashboards" / "course.yaml"
    dashboard.write_text(dashboard.read_text().replace(f"theme_uuid: {THEME}", "theme_uuid: null"))
    apply(fake, project, planned(fake, project), prune=True)
    assert fake.theme_rows == {} and theme_of(fake, DASHBOARD) is None


def test_a_dashboard_naming_a_theme_nobody_has_is_refused_before_anything_is_sent(
        base_project: Path) -> None:
    project = themed_project(base_project, theme="0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d7999")
    fake = FakeSuperset()
    plan = planned(fake, project)
    with pytest.raises(InputError) as refused:
        apply(fake, project, plan)
    assert refused.value.key == "theme_uuid" and "nothing was sent" in refused.value.message
    assert fake.imports == []


def test_on_superset_5_a_theme_is_an_error_naming_its_file(base_project: Path) -> None:
    project = themed_project(base_project, theme=None)
    fake = FakeSuperset(info_=ServerInfo("5.0.0", False, True))
    with pytest.raises(InputError) as refused:
        planned(fake, project)
    assert refused.value.file == "assets/themes/aspects.yaml"
    assert "has no themes" in refused.value.message


def test_the_2026_10_corpus_without_themes_sends_no_theme_and_shows_no_theme_drift(
        tmp_path: Path) -> None:
    """Aspects 6.1's dashboards carry `theme_uuid: null`: no theme request, no drift."""
    from aspects_assets.run.apply import apply_plan
    from unit.run.test_apply import settings_of

    from conftest import corpus_project

    databases = {name: {"password_env": "CORPUS_DB_PASSWORD"}
                 for name in ("OpenedX Clickhouse", "Superset Metadata")}
    project = corpus_project(tmp_path, "aspects-2026-10", databases=databases)
    fake = FakeSuperset()
    apply_plan(fake, planned(fake, project), settings_of(project),
               {"CORPUS_DB_PASSWORD": "not-a-real-password"}, prune_leftovers=False,
               progress=lambda what, n: None)
    assert fake.of_kind("dashboard"), "the corpus has dashboards"
    assert not [c for c in fake.calls if "theme" in c[1]]
    verified = planned(fake, project, verify=True)
    assert not [(c.title, f.path) for c in verified.plan.assets for f in c.changes
                if f.path.startswith("theme_uuid")]
    assert not verified.plan.has_differences


def test_without_themes_a_changed_dashboard_costs_no_theme_request_unless_edited_in_superset(
        base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    dashboard = base_project / "assets" / "dashboards" / "course.yaml"
    dashboard.write_text(dashboard.read_text().replace("slug: course-overview",
                                                       "slug: course-overview-2"))
    fake.calls.clear()
    apply(fake, base_project, planned(fake, base_project))
    assert ("put", "dashboard theme") not in fake.calls
    fake.edit(DASHBOARD)  # someone edited it (and may have given it a theme)
    fake.calls.clear()
    apply(fake, base_project, planned(fake, base_project))
    assert ("put", "dashboard theme") in fake.calls
    assert theme_of(fake, DASHBOARD) is None
