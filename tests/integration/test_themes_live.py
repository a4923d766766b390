"""Themes on the real Superset 6.1: a theme file and a dashboard that names it by
`theme_uuid`. Superset's `/api/v1/assets/import/` drops `theme_uuid`, so this
reads the dashboard back through the API and checks that it has the theme; a
theme taken off in Superset is drift until the next import; the settings make
the theme the system default; `--prune` deletes a theme the code dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import run

pytestmark = pytest.mark.integration

THEME = "d7e2a1b0-3c4d-4e5f-8a9b-0c1d2e3f0001"
DASHBOARD = "d7e2a1b0-3c4d-4e5f-8a9b-0c1d2e3f0002"
SLUG = "themed-courses"


def write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def make_project(root: Path, theme: str | None = THEME) -> Path:
    write(root / "aspects-assets.yaml", {"project": "themes-live", "assets_dir": "assets",
                                         "superset": {"default_theme": THEME}})
    if theme:
        write(root / "assets" / "themes" / "aspects.yaml", {
            "theme_name": "Aspects blue", "uuid": THEME, "version": "1.0.0",
            "json_data": {"token": {"colorPrimary": "#0a5c8f", "borderRadius": 4},
                          "algorithm": "default"}})
    write(root / "assets" / "dashboards" / "themed.yaml", {
        "dashboard_title": "Themed courses", "slug": SLUG, "uuid": DASHBOARD,
        "version": "1.0.0", "theme_uuid": theme,
        "position": {"DASHBOARD_VERSION_KEY": "v2",
                     "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
                     "GRID_ID": {"id": "GRID_ID", "type": "GRID", "children": [],
                                 "parents": ["ROOT_ID"]}},
        "metadata": {}})
    return root


def live_theme(client: SupersetClient) -> dict[str, Any] | None:
    """The dashboard's theme as Superset's dashboard API shows it, with its uuid."""
    theme = client.dashboard(SLUG).get("theme")
    if not theme:
        return None
    by_id = {t["id"]: t for t in client.themes() or []}
    return {**theme, "uuid": by_id[theme["id"]]["uuid"],
            "is_system_default": by_id[theme["id"]]["is_system_default"]}


def test_a_dashboard_gets_its_theme_and_keeps_it(
        tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
        client: SupersetClient) -> None:
    project = make_project(tmp_path / "project")
    result = run(["import", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["objects"]["themes"] == {
        "create": 1, "set on dashboards": 1, "update": 1}  # the theme, its slot, the dashboard
    theme = live_theme(client)
    assert theme is not None and theme["uuid"] == THEME
    assert theme["theme_name"] == "Aspects blue" and theme["is_system_default"]
    assert json.loads(theme["json_data"])["token"]["colorPrimary"] == "#0a5c8f"
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output

    # The theme taken off the dashboard in Superset: drift, and the import puts it back.
    client.set_dashboard_theme(int(client.dashboard(SLUG)["id"]), None)
    result = run(["diff", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 1, result.output
    [change] = json.loads(result.stdout)["assets"]
    assert change["changes"] == [{"path": "theme_uuid", "old": None, "new": THEME}]
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert (live_theme(client) or {}).get("uuid") == THEME
    assert run(["diff"], project, env=superset_env).exit_code == 0

    # The code drops the theme: the dashboard loses it, --prune deletes it.
    make_project(project, theme=None)
    (project / "assets" / "themes" / "aspects.yaml").unlink()
    write(project / "aspects-assets.yaml", {"project": "themes-live", "assets_dir": "assets"})
    result = run(["import", "--prune", "--yes"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert live_theme(client) is None
    assert THEME not in {t["uuid"] for t in client.themes() or []}
    assert run(["diff"], project, env=superset_env).exit_code == 0
