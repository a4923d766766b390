"""Row-level security, by its effect: what a user may read.

A table of courses in the local Superset's own PostgreSQL, a dataset on it with
a chart and a dashboard in two locales, and a filter on the table's schema for
the role `RLS Instructor`. A user holding that role reads `/api/v1/chart/data`
of the original chart and of every localized copy and gets only the filtered
rows; a user without it gets all rows. A locale added later is covered by the
next import, and a dataset made by hand on the schema shows as drift.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.core.i18n.localize import copy_uuid
from aspects_assets.superset.client import SupersetClient

from conftest import run

pytestmark = pytest.mark.integration

SCHEMA = "rls_demo"
ROLE = "RLS Instructor"
DATABASE = "b8a4f0d2-5b0e-4a55-9d51-7a1f3c2e0001"
DATASET = "b8a4f0d2-5b0e-4a55-9d51-7a1f3c2e0002"
CHART = "b8a4f0d2-5b0e-4a55-9d51-7a1f3c2e0003"
DASHBOARD = "b8a4f0d2-5b0e-4a55-9d51-7a1f3c2e0004"
ROWS = [("course-a", 10), ("course-a", 11), ("course-b", 20), ("course-c", 30)]
PASSWORD = "rls-test-Pa55"


def psql(uri: str, sql: str) -> None:
    subprocess.run(["psql", uri.replace("+psycopg2", ""), "-v", "ON_ERROR_STOP=1", "-q",
                    "-c", sql], check=True, capture_output=True, text=True)


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def make_project(root: Path, locales: list[str]) -> Path:
    assets = root / "assets"
    write(root / "aspects-assets.yaml", {
        "project": "rls-live", "assets_dir": "assets", "locales": locales,
        "variables": {"METADATA_URI": "postgresql://placeholder@127.0.0.1/x"},
        "variables_from_env": {"METADATA_URI": "ASPECTS_SUPERSET_METADATA_URI"},
    })
    write(assets / "databases" / "metadata.yaml", {
        "database_name": "RLS Metadata", "sqlalchemy_uri": "{{ METADATA_URI }}",
        "expose_in_sqllab": True, "allow_ctas": False, "allow_cvas": False,
        "allow_dml": False, "allow_run_async": False, "allow_file_upload": False,
        "cache_timeout": None,
        "extra": {"allows_virtual_table_explore": True}, "uuid": DATABASE,
        "version": "1.0.0"})
    write(assets / "datasets" / "courses.yaml", {
        "table_name": "courses", "schema": SCHEMA, "sql": "", "database_uuid": DATABASE,
        "uuid": DATASET, "version": "1.0.0", "metrics": [], "offset": 0,
        "cache_timeout": None, "params": None, "template_params": None, "extra": None,
        "filter_select_enabled": True, "main_dttm_col": None,
        "columns": [{"column_name": "course_key", "type": "TEXT", "groupby": True,
                     "filterable": True, "verbose_name": "Course"},
                    {"column_name": "learners", "type": "INTEGER", "groupby": True,
                     "filterable": True, "verbose_name": "Learners"}]})
    write(assets / "charts" / "courses.yaml", {
        "slice_name": "Courses", "viz_type": "table", "dataset_uuid": DATASET,
        "uuid": CHART, "version": "1.0.0", "query_context": None,
        "params": {"viz_type": "table", "query_mode": "raw",
                   "all_columns": ["course_key", "learners"], "row_limit": 100}})
    write(assets / "dashboards" / "courses.yaml", {
        "dashboard_title": "RLS courses", "slug": "rls-courses", "uuid": DASHBOARD,
        "version": "1.0.0", "_roles": [ROLE],
        "position": {
            "DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
            "GRID_ID": {"id": "GRID_ID", "type": "GRID", "children": ["ROW-1"],
                        "parents": ["ROOT_ID"]},
            "ROW-1": {"id": "ROW-1", "type": "ROW", "children": ["CHART-1"],
                      "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}},
            "CHART-1": {"id": "CHART-1", "type": "CHART", "children": [],
                        "parents": ["ROOT_ID", "GRID_ID", "ROW-1"],
                        "meta": {"uuid": CHART, "width": 4, "height": 50, "sliceName": "Courses"}}},
        "metadata": {}})
    write(assets / "row_level_security" / "courses.yaml", {
        "name": "rls_live_courses", "filter_type": "Regular", "roles": [ROLE],
        "group_key": "course", "clause": "course_key = 'course-a'",
        "description": "instructors see their course only",
        "datasets": {"schema": SCHEMA}})
    return root


def user_client(admin: SupersetClient, name: str, roles: list[str]) -> SupersetClient:
    ids = admin.roles()
    admin.request("POST", "/api/v1/security/users/", json={
        "first_name": name, "last_name": "Test", "username": name, "email": f"{name}@test.local",
        "active": True, "password": PASSWORD, "roles": [ids[r] for r in roles]})
    return SupersetClient(admin.url, name, PASSWORD)


def chart_rows(client: SupersetClient, admin: SupersetClient, chart_uuid: str) -> list[str]:
    """The course keys a user reads through the chart's own dataset."""
    chart = next(r for r in admin.list_all("chart", ["id", "uuid", "datasource_id"])
                 if r["uuid"] == chart_uuid)
    payload = {"datasource": {"id": chart["datasource_id"], "type": "table"},
               "force": True, "result_format": "json", "result_type": "full",
               "form_data": {"slice_id": chart["id"], "viz_type": "table"},
               "queries": [{"columns": ["course_key", "learners"], "metrics": [], "row_limit": 100,
                            "orderby": [], "filters": []}]}
    result = client.request("POST", "/api/v1/chart/data", json=payload).json()["result"]
    return sorted(str(row["course_key"]) for row in result[0]["data"])


@pytest.fixture
def courses_table(superset_env: dict[str, str]) -> str:
    uri = superset_env["ASPECTS_SUPERSET_METADATA_URI"]
    values = ", ".join(f"('{c}', {n})" for c, n in ROWS)
    psql(uri, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; "
              f"CREATE TABLE {SCHEMA}.courses (course_key text, learners int); "
              f"INSERT INTO {SCHEMA}.courses VALUES {values};")
    return uri


def test_instructors_see_only_their_course_in_every_copy(
        tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
        client: SupersetClient, courses_table: str) -> None:
    # The role comes from the roles the deployment declares (Aspects' roles.json).
    client.create_role(ROLE)
    project = make_project(tmp_path / "project", ["es_419", "fr_CA"])
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    instructor = user_client(client, "rls_instructor", ["Alpha", ROLE])
    other = user_client(client, "rls_other", ["Alpha"])
    charts = [CHART, copy_uuid(CHART, "es_419"), copy_uuid(CHART, "fr_CA")]
    everything = sorted(c for c, _ in ROWS)
    for chart in charts:
        assert chart_rows(instructor, client, chart) == ["course-a", "course-a"], chart
        assert chart_rows(other, client, chart) == everything, chart
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output

    # A locale added later: the next import covers its copy too.
    make_project(project, ["es_419", "fr_CA", "ar"])
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    assert chart_rows(instructor, client, copy_uuid(CHART, "ar")) == ["course-a", "course-a"]

    # A dataset made by hand on the schema is drift until the next import.
    database = next(r["id"] for r in client.list_all("database", ["id", "uuid"])
                    if r["uuid"] == DATABASE)
    client.request("POST", "/api/v1/dataset/", json={
        "database": database, "schema": SCHEMA, "table_name": "courses_by_hand",
        "sql": f"SELECT * FROM {SCHEMA}.courses"})
    result = run(["diff", "--format", "json"], project, env=superset_env)
    assert result.exit_code == 1, result.output
    assert "courses_by_hand" in json.dumps(json.loads(result.stdout)["rls"])
    result = run(["import"], project, env=superset_env)
    assert result.exit_code == 0, result.output
    result = run(["diff"], project, env=superset_env)
    assert result.exit_code == 0, result.output
