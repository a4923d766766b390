"""Embedding open to every site only when asked for by name, on both sides.

An empty `allowed_domains` is what Superset takes as "any site may embed". The
tool sends one only for `allow_any_domain: true`, and the Superset-side extension
(`superset_ext/`) refuses one unless the request says `allow_any_domain: true`
too; every change it makes is in Superset's event log with the user and the
dashboard.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import prison
import pytest

from aspects_assets.model.errors import SupersetError
from aspects_assets.superset.client import SupersetClient

from conftest import BASE_PROJECT, run

pytestmark = pytest.mark.integration

LMS = "http://lms.example.com"
EMBEDDED_UUID = "e1b0c1de-0000-4000-8000-00000000e001"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, target)
    config = target / "aspects-assets.yaml"
    config.write_text(config.read_text().replace("project: test-base",
                                                 "project: embedding-test"))
    return target


def put(client: SupersetClient, dashboard_id: int, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = client.request(
        "PUT", f"/api/v1/aspects_assets/embedded/{dashboard_id}", json=body).json()["result"]
    return result


def log_rows(client: SupersetClient, dashboard_id: int) -> list[dict[str, Any]]:
    query = {"filters": [{"col": "action", "opr": "eq", "value": "aspects_assets.put_embedded"},
                         {"col": "dashboard_id", "opr": "eq", "value": dashboard_id}],
             "columns": ["user.username", "action", "dashboard_id", "json"],
             "page_size": 100}
    rows: list[dict[str, Any]] = client.get_json(
        "/api/v1/log/", params={"q": prison.dumps(query)})["result"]
    return rows


def test_the_extension_refuses_an_empty_list_unless_asked_and_logs_each_change(
    project: Path, superset_reset: None, superset_env: dict[str, str], client: SupersetClient,
) -> None:
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert client.info().extension, "the extension is installed in this Superset"
    dashboard_id = int(client.dashboard("course-overview")["id"])
    before = client.embedded(dashboard_id)
    assert before is not None and before["allowed_domains"] == [LMS]
    logged_before = len(log_rows(client, dashboard_id))

    refused = [
        ({"uuid": EMBEDDED_UUID, "allowed_domains": []}, "lets every site embed"),
        ({"uuid": EMBEDDED_UUID}, "'allowed_domains' is required"),
        ({"uuid": EMBEDDED_UUID, "allowed_domains": [], "allow_any_domain": "yes"},
         "must be true or false"),
        ({"uuid": EMBEDDED_UUID, "allowed_domains": [LMS], "allow_any_domain": True},
         "contradict each other"),
    ]
    for body, message in refused:
        with pytest.raises(SupersetError) as info:
            put(client, dashboard_id, body)
        assert info.value.status == 400 and message in info.value.message, body
    # Nothing changed, and nothing was logged as a change.
    assert client.embedded(dashboard_id) == before
    assert len(log_rows(client, dashboard_id)) == logged_before

    opened = put(client, dashboard_id, {"uuid": EMBEDDED_UUID, "allowed_domains": [],
                                        "allow_any_domain": True})
    assert opened["allowed_domains"] == [] and opened["uuid"] == EMBEDDED_UUID
    put(client, dashboard_id, {"uuid": EMBEDDED_UUID, "allowed_domains": [LMS]})

    rows = [r for r in log_rows(client, dashboard_id) if EMBEDDED_UUID in r["json"]]
    assert len(rows) == 2
    for row in rows:
        assert row["user"]["username"] == superset_env["SUPERSET_USERNAME"]
        assert row["dashboard_id"] == dashboard_id
        assert EMBEDDED_UUID in row["json"]
    assert any('"allowed_domains": []' in r["json"] for r in rows)
    assert any(f'"allowed_domains": ["{LMS}"]' in r["json"] for r in rows)


def test_the_tool_opens_an_embedding_to_any_site_only_when_told_by_name(
    project: Path, superset_reset: None, superset_env: dict[str, str], client: SupersetClient,
) -> None:
    dashboard = project / "assets" / "dashboards" / "course.yaml"
    dashboard.write_text(dashboard.read_text().replace(
        f"  allowed_domains:\n  - {LMS}\n", "  allow_any_domain: true\n"))
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    embedded = client.embedded(int(client.dashboard("course-overview")["id"]))
    assert embedded is not None and embedded["allowed_domains"] == []
    assert run(["diff"], project, env=superset_env).exit_code == 0

    # The same file with the key misspelt: refused before anything is sent.
    dashboard.write_text(dashboard.read_text().replace("allow_any_domain", "allow_any_domains"))
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 2
    assert "[_embedded.allowed_domains]: is missing or empty" in result.output
