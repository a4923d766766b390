"""Roles with permissions, by their effect: what a user holding a role may do.

Open edX Aspects' own `roles.json` (tutor-contrib-aspects 6.1.0, its include and
its loop over locales unchanged) is imported into the real Superset beside a
database named as Aspects names its ClickHouse ("OpenedX Clickhouse", here on
the local Superset's PostgreSQL) with a table on the schema `xapi`. A user
holding Instructor reads its rows (the role's read-only permissions) and is
refused what the role does not allow (editing a dataset, the list of users); a
user holding only the empty `Instructor - es_419` of the same file is refused the
rows. The file's Public role (read access to charts and dashboards) does not
blind the tool. A second `diff` is clean; a permission removed in Superset is
drift until the next import; `--prune` deletes a role the project made only while
nobody holds it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from aspects_assets.model.errors import SupersetError
from aspects_assets.superset.client import SupersetClient

from conftest import run

pytestmark = pytest.mark.integration

DATABASE = "c4f1d2a0-6e3b-4b8e-9a51-2d7e5f3a0001"
XAPI = "c4f1d2a0-6e3b-4b8e-9a51-2d7e5f3a0002"
PASSWORD = "roles-test-Pa55"
MAPPING = {"admin": "Admin", "operator": "Operator", "instructor": "Instructor",
           "student": "Student"}


def psql(uri: str, sql: str) -> None:
    subprocess.run(["psql", uri.replace("+psycopg2", ""), "-v", "ON_ERROR_STOP=1", "-q",
                    "-c", sql], check=True, capture_output=True, text=True)


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def dataset(uuid: str, schema: str) -> dict[str, Any]:
    return {"table_name": "courses", "schema": schema, "sql": "", "database_uuid": DATABASE,
            "uuid": uuid, "version": "1.0.0", "metrics": [], "offset": 0,
            "cache_timeout": None, "params": None, "template_params": None, "extra": None,
            "filter_select_enabled": True, "main_dttm_col": None,
            "columns": [{"column_name": "course_key", "type": "TEXT", "groupby": True,
                         "filterable": True}]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, aspects_wheel: Path) -> Path:
    root = tmp_path_factory.mktemp("roles") / "project"
    roles = aspects_wheel / "templates" / "aspects" / "apps" / "superset" / "security"
    (root / "assets" / "roles").mkdir(parents=True)
    shutil.copy(roles / "roles.json", root / "assets" / "roles" / "roles.json")
    write(root / "aspects-assets.yaml", {
        "project": "roles-live", "assets_dir": "assets",
        # Aspects' include names its partial from the Tutor templates root.
        "templates_dir": str(aspects_wheel / "templates"),
        "locales": ["es_419"],
        "variables": {"SUPERSET_ROLES_MAPPING": MAPPING,
                      "SUPERSET_DASHBOARD_LOCALES": ["es_419"],
                      "METADATA_URI": "postgresql://placeholder@127.0.0.1/x"},
        "variables_from_env": {"METADATA_URI": "ASPECTS_SUPERSET_METADATA_URI"},
        # Aspects' file was exported from an older Superset: 54 of Instructor's
        # permissions are gone from 6.1 (FilterSets, can_add_slices, ...).
        "missing_permissions": "skip",
    })
    write(root / "assets" / "databases" / "clickhouse.yaml", {
        "database_name": "OpenedX Clickhouse", "sqlalchemy_uri": "{{ METADATA_URI }}",
        "expose_in_sqllab": True, "allow_ctas": False, "allow_cvas": False,
        "allow_dml": False, "allow_run_async": False, "allow_file_upload": False,
        "cache_timeout": None, "extra": {}, "uuid": DATABASE, "version": "1.0.0"})
    write(root / "assets" / "datasets" / "xapi_courses.yaml", dataset(XAPI, "xapi"))
    return root


@pytest.fixture(scope="module")
def imported(project: Path, superset_reset: None, superset_env: dict[str, str]) -> Path:
    uri = superset_env["ASPECTS_SUPERSET_METADATA_URI"]
    psql(uri, "DROP SCHEMA IF EXISTS xapi CASCADE; CREATE SCHEMA xapi; "
              "CREATE TABLE xapi.courses (course_key text); "
              "INSERT INTO xapi.courses VALUES ('course-a');")
    result = run(["import", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["objects"]["role_permissions"]["create"] >= 6  # Instructor, Student, ...
    assert "built-in role(s) Admin, Alpha, Gamma, sql_lab left as they are" in result.output
    return project


def admin(superset_env: dict[str, str]) -> SupersetClient:
    return SupersetClient(superset_env["SUPERSET_URL"], superset_env["SUPERSET_USERNAME"],
                          superset_env["SUPERSET_PASSWORD"])


def user_holding(superset_env: dict[str, str], username: str, role: str) -> SupersetClient:
    """A new user holding only `role`, logged in as that user."""
    client = admin(superset_env)
    client.request("POST", "/api/v1/security/users/", json={
        "first_name": username, "last_name": "Test", "username": username,
        "email": f"{username}@test.local", "active": True, "password": PASSWORD,
        "roles": [client.roles()[role]]})
    return SupersetClient(client.url, username, PASSWORD)


def chart_data(client: SupersetClient, dataset_id: int) -> list[dict[str, Any]]:
    payload = {"datasource": {"id": dataset_id, "type": "table"}, "force": True,
               "result_format": "json", "result_type": "full",
               "queries": [{"columns": ["course_key"], "metrics": [], "row_limit": 10,
                            "orderby": [], "filters": []}]}
    rows: list[dict[str, Any]] = client.request(
        "POST", "/api/v1/chart/data", json=payload).json()["result"][0]["data"]
    return rows


def test_instructor_may_read_what_its_permissions_allow_and_nothing_else(
        imported: Path, superset_env: dict[str, str]) -> None:
    client = admin(superset_env)
    ids = {r["uuid"]: int(r["id"]) for r in client.list_all("dataset", ["id", "uuid"])}
    user = user_holding(superset_env, "instructor_live", "Instructor")
    assert chart_data(user, ids[XAPI]) == [{"course_key": "course-a"}]
    nobody = user_holding(superset_env, "locale_only_live", "Instructor - es_419")
    with pytest.raises(SupersetError) as refused:
        chart_data(nobody, ids[XAPI])
    assert refused.value.status in (401, 403)
    # Read-only: no editing a dataset, no list of users.
    with pytest.raises(SupersetError) as refused:
        user.request("PUT", f"/api/v1/dataset/{ids[XAPI]}", json={"description": "x"})
    assert refused.value.status in (401, 403)
    with pytest.raises(SupersetError) as refused:
        user.request("GET", "/api/v1/security/users/")
    assert refused.value.status in (401, 403)
    # What the role was given, it may do: list dashboards.
    assert user.request("GET", "/api/v1/dashboard/").status_code == 200


def test_a_second_diff_is_clean_and_a_removed_permission_is_drift(
        imported: Path, superset_env: dict[str, str]) -> None:
    result = run(["diff"], imported, env=superset_env)
    assert result.exit_code == 0, result.output
    client = admin(superset_env)
    role = client.roles()["Instructor"]
    rows = client.get_json(f"/api/v1/security/roles/{role}/permissions/")["result"]
    dashboard = next(r for r in rows
                     if (r["permission_name"], r["view_menu_name"]) == ("can_read", "Dashboard"))
    client.set_role_permissions(role, [int(r["id"]) for r in rows if r is not dashboard])

    result = run(["diff", "--format", "json"], imported, env=superset_env)
    assert result.exit_code == 1, result.output
    roles = json.loads(result.stdout)["role_permissions"]
    [change] = [c for c in roles if c["action"] != "unchanged"]
    # What Superset 6.1 lacks of the file is listed, not hidden.
    student = next(c for c in roles if c["name"] == "Student")
    assert {"permission": "can_add", "view_menu": "FilterSets"} in student["left_out"]
    assert change["name"] == "Instructor" and change["action"] == "update"
    assert change["added"] == [{"permission": "can_read", "view_menu": "Dashboard"}]
    assert change["removed"] == []
    result = run(["diff"], imported, env=superset_env)
    assert "+ can_read on Dashboard" in result.output
    assert "left out (missing_permissions: skip) of Instructor" in result.output
    # An import with no input changed notices it (the record's digest) and puts it back.
    result = run(["import"], imported, env=superset_env)
    assert result.exit_code == 0, result.output
    assert run(["diff"], imported, env=superset_env).exit_code == 0


def test_with_the_files_public_role_the_tool_still_sees_every_asset(
        imported: Path, superset_env: dict[str, str]) -> None:
    url = superset_env["SUPERSET_URL"]
    # The trap is set: Aspects' Public role may read datasets' charts and dashboards...
    assert requests.get(f"{url}/api/v1/dashboard/", timeout=30).status_code == 200
    client = admin(superset_env)
    public = client.roles()["Public"]
    granted = {(r["permission_name"], r["view_menu_name"]) for r in
               client.get_json(f"/api/v1/security/roles/{public}/permissions/")["result"]}
    assert {("can_read", "Chart"), ("can_read", "Dashboard")} <= granted
    # ... and the tool is not caught: it finds every asset it imported.
    result = run(["diff", "--format", "json"], imported, env=superset_env)
    assert result.exit_code == 0, result.output
    result = run(["import", "--format", "json", "--verify"], imported, env=superset_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["unchanged"] == {"database": 1, "dataset": 2, "chart": 0, "dashboard": 0}
    assert report["import_requests"] == 0


def test_prune_deletes_a_role_the_project_made_unless_a_user_holds_it(
        imported: Path, superset_env: dict[str, str]) -> None:
    roles = imported / "assets" / "roles"
    extra = roles / "extra.yaml"
    extra.write_text(yaml.safe_dump([{"name": "Course Helper", "permissions": []},
                                     {"name": "Course Auditor", "permissions": []}]))
    assert run(["import"], imported, env=superset_env).exit_code == 0
    user_holding(superset_env, "auditor_live", "Course Auditor")
    extra.unlink()

    result = run(["import", "--prune", "--yes"], imported, env=superset_env)
    assert result.exit_code == 1, result.output
    assert "role Course Auditor" in result.output and "1 user(s) hold it" in result.output
    names = set(admin(superset_env).roles())
    assert "Course Helper" not in names and "Course Auditor" in names
    assert {"Instructor", "Public", "Gamma"} <= names  # not the project's to delete


def test_an_unknown_permission_is_an_error_naming_the_entry_before_anything_is_sent(
        imported: Path, superset_env: dict[str, str]) -> None:
    typo = imported / "assets" / "roles" / "typo.yaml"
    typo.write_text(yaml.safe_dump([{"name": "Course Typist", "permissions": [
        {"permission": {"name": "can_read"}, "view_menu": {"name": "Chart"}},
        {"permission": {"name": "can_raed"}, "view_menu": {"name": "Dashboard"}}]}]))
    config = imported / "aspects-assets.yaml"
    settings = config.read_text()
    config.write_text(settings.replace("missing_permissions: skip", "missing_permissions: error"))
    try:
        result = run(["import"], imported, env=superset_env)
        assert result.exit_code == 2, result.output
        assert ("assets/roles/typo.yaml [[0].permissions[1]]: Superset has no permission "
                "'can_raed' on 'Dashboard'") in result.output
        assert "Traceback" not in result.output
        assert "Course Typist" not in admin(superset_env).roles()
    finally:
        config.write_text(settings)
        typo.unlink()
