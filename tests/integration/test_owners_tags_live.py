"""Owners (settings `owners`) and tags (Superset's `tags:` key) against the real
Superset: set on originals and copies, read back through Superset's own API, a
change made in Superset found by `diff` and undone by `import`, and an unknown
username refused before anything is sent."""

from __future__ import annotations

import json
import secrets
import shutil
import uuid as uuidlib
from pathlib import Path
from typing import Any

import pytest

from aspects_assets.superset.client import SupersetClient

from conftest import BASE_PROJECT, configure, run

pytestmark = pytest.mark.integration

CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"
DATASET = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002"
USERS = ("owner-alice", "owner-bob")


def copy_uuid(base: str, locale: str) -> str:
    return str(uuidlib.uuid5(uuidlib.uuid5(uuidlib.UUID(base), "superset"), locale.lower()))


def make_user(client: SupersetClient, username: str) -> int:
    gamma = client.roles()["Gamma"]
    result = client.request("POST", "/api/v1/security/users/", json={
        "username": username, "first_name": username, "last_name": "Test",
        "email": f"{username}@example.com", "password": secrets.token_urlsafe(16),
        "active": True, "roles": [gamma]}).json()
    return int(result["id"])


def row(client: SupersetClient, kind: str, uuid: str) -> dict[str, Any]:
    rows = client.list_all(kind, ["id", "uuid", "slice_name", "owners.id", "tags.name",
                                  "tags.type"] if kind == "chart" else
                           ["id", "uuid", "owners.id", "tags.name", "tags.type"])
    return next(r for r in rows if r["uuid"] == uuid)


def owners(client: SupersetClient, kind: str, uuid: str) -> list[str]:
    """The owners' usernames as Superset's own show endpoint lists them."""
    names = {pk: name for name, pk in client.users().items()}
    shown = client.get_json(f"/api/v1/{kind}/{row(client, kind, uuid)['id']}")["result"]
    return sorted(names[o["id"]] for o in shown["owners"])


def tags(client: SupersetClient, kind: str, uuid: str) -> list[str]:
    return sorted(t["name"] for t in row(client, kind, uuid)["tags"] if t["type"] == 1)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, target)
    for path in ("assets/charts/enrollments.yaml", "assets/dashboards/course.yaml"):
        text = (target / path).read_text()
        (target / path).write_text(text + "tags: [original, enrollment]\n")
    config = target / "aspects-assets.yaml"
    config.write_text(config.read_text().replace("project: test-base",
                                                 "project: owners-tags-test"))
    return configure(target, locales=["es_419", "fr_CA"], owners=list(USERS))


def test_owners_and_tags_are_set_found_changed_and_put_back(
    project: Path, superset_reset: None, superset_env: dict[str, str], client: SupersetClient,
) -> None:
    # Listed here, not through client.users(), which reads once per client.
    users = {r["username"]: r["id"] for r in client.list_all("security/users",
                                                            ["id", "username"])}
    ids = {name: users.get(name) or make_user(client, name) for name in USERS}

    result = run(["import", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # A dataset, a chart and a dashboard, each in three forms.
    assert report["owners_set"] == 9 and report["tags_set"] == 6
    for kind, base in (("dataset", DATASET), ("chart", CHART), ("dashboard", DASHBOARD)):
        for uuid in (base, copy_uuid(base, "es_419"), copy_uuid(base, "fr_CA")):
            assert owners(client, kind, uuid) == sorted(USERS), (kind, uuid)
    for kind, base in (("chart", CHART), ("dashboard", DASHBOARD)):
        assert tags(client, kind, base) == ["enrollment", "original"]
        for locale in ("es_419", "fr_CA"):
            assert tags(client, kind, copy_uuid(base, locale)) == ["enrollment", locale]
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output

    # Changed in Superset: an owner taken away, a tag added by hand.
    chart_id = row(client, "chart", CHART)["id"]
    client.set_owners("chart", chart_id, [ids[USERS[0]]])
    client.tag_objects("by-hand", [("dashboard", row(client, "dashboard", DASHBOARD)["id"])])
    result = run(["diff", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 1, result.output
    access = {(a["what"], a["uuid"]): (a["old"], a["new"])
              for a in json.loads(result.stdout)["access"]}
    assert access == {
        ("owners", CHART): ([USERS[0]], sorted(USERS)),
        ("tags", DASHBOARD): (["by-hand", "enrollment", "original"],
                              ["enrollment", "original"])}
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert owners(client, "chart", CHART) == sorted(USERS)
    assert tags(client, "dashboard", DASHBOARD) == ["enrollment", "original"]
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output

    # A chart changed in the code is sent again (Superset's import makes the importing
    # user an owner of it): its owners are set again.
    chart = project / "assets" / "charts" / "enrollments.yaml"
    chart.write_text(chart.read_text().replace("Enrollments per day.", "Per day."))
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert owners(client, "chart", CHART) == sorted(USERS)

    # An unknown username: exit 2 naming the setting, and nothing is sent.
    chart.write_text(chart.read_text().replace("slice_name: Enrollments over time",
                                               "slice_name: Not sent"))
    configure(project, owners=[USERS[0], "owner-nobody"])
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 2, result.output
    assert "aspects-assets.yaml [owners]: no user 'owner-nobody' in Superset" in result.output
    assert row(client, "chart", CHART)["slice_name"] == "Enrollments over time"
