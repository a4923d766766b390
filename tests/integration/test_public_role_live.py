"""A Public role that may read charts and dashboards (as Open edX Aspects'
`roles.json` sets it) must not blind the tool.

Flask-AppBuilder serves an endpoint the Public role may use as public before it
looks at a token, so a client with a token alone is anonymous there. The tool
also logs in as the browser does; this test sets up the trap on the real
Superset, shows that a token alone falls into it, and that the tool does not.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import prison
import pytest
import requests
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import REPO, run

pytestmark = pytest.mark.integration

API = "/api/v1"


def permission_ids(client: SupersetClient, pairs: list[tuple[str, str]]) -> list[int]:
    rows = client.list_all("security/permissions-resources",
                           ["id", "permission.name", "view_menu.name"])
    wanted = set(pairs)
    return [int(r["id"]) for r in rows
            if (r["permission"]["name"], r["view_menu"]["name"]) in wanted]


@pytest.fixture
def public_reads_dashboards(client: SupersetClient) -> Iterator[None]:
    """The Public role with `can read` on Dashboard and Chart, restored after."""
    public = client.roles()["Public"]
    before = client.get_json(f"{API}/security/roles/{public}/permissions/")["result"]
    before_ids = [int(p["id"]) for p in before]
    added = permission_ids(client, [("can_read", "Dashboard"), ("can_read", "Chart")])
    assert len(added) == 2
    client.request("POST", f"{API}/security/roles/{public}/permissions",
                   json={"permission_view_menu_ids": sorted({*before_ids, *added})})
    yield
    client.request("POST", f"{API}/security/roles/{public}/permissions",
                   json={"permission_view_menu_ids": before_ids})


@pytest.fixture
def project(tmp_path: Path, superset_reset: None) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("assets", "templates", "translations"):
        shutil.copytree(REPO / name, target / name)
    config = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    config["locales"] = ["es_419"]
    config["project"] = "public-role"
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def token_only_dashboard_count(url: str) -> int:
    login = requests.post(f"{url}{API}/security/login", timeout=30,
                          json={"username": "admin", "password": "admin", "provider": "db"})
    token = login.json()["access_token"]
    listed = requests.get(f"{url}{API}/dashboard/", timeout=30,
                          params={"q": prison.dumps({"page_size": 100})},
                          headers={"Authorization": f"Bearer {token}"})
    return int(listed.json()["count"])


def test_the_tool_sees_every_asset_when_the_public_role_may_read_dashboards(
        project: Path, superset_env: dict[str, str], client: SupersetClient,
        public_reads_dashboards: None) -> None:
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    url = superset_env["SUPERSET_URL"]
    dashboards = client.list_all("dashboard", ["id"])
    assert dashboards, "the import made dashboards"
    # The trap is real: anonymous visitors may list, and a token alone sees nothing.
    anonymous = requests.get(f"{url}{API}/dashboard/", timeout=30)
    assert anonymous.status_code == 200
    assert token_only_dashboard_count(url) < len(dashboards)
    # The tool is not caught: diff finds nothing, a second import sends nothing.
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    result = run(["import", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert '"import_requests": 0' in result.stdout
