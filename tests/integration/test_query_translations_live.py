"""Query-time translations against the real local Superset: the import stores the
project's table, and the extension's `translate_column` / `translate_column_bool`
answer real queries (chart data API and SQL Lab) in the user's locale.

The data is a small table made for the test in the local Superset's own
PostgreSQL metadata database (`scripts/superset-local metadata-uri`), read
through a database and a virtual dataset that the test project imports.
"""

from __future__ import annotations

import glob
import json
import subprocess
import textwrap
import uuid as uuid_lib
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.model.query_translations import table_name
from aspects_assets.superset.client import API, SupersetClient

from conftest import run

pytestmark = pytest.mark.integration

DATABASE_UUID = "5d0c2a52-3b0e-4f55-9c1e-8d3f2b7a0001"
DATASET_UUID = "5d0c2a52-3b0e-4f55-9c1e-8d3f2b7a0002"
TABLE = "qtrans_enrollments"
USER_PASSWORD = "qtrans-test-password"


def psql(uri: str, sql: str) -> None:
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1]
    subprocess.run([binary, uri.replace("+psycopg2", ""), "-v", "ON_ERROR_STOP=1", "-q",
                    "-c", sql], check=True, capture_output=True)


def write_project(root: Path) -> Path:
    (root / "assets" / "databases").mkdir(parents=True)
    (root / "assets" / "datasets").mkdir()
    (root / "aspects-assets.yaml").write_text(yaml.safe_dump({
        "project": "qtrans-live",
        "locales": ["es_419", "fr_CA"],
        "extra_strings": ["datasets_strings.yaml"],
        "variables": {"METADATA_URI": "unset"},
        "variables_from_env": {"METADATA_URI": "ASPECTS_SUPERSET_METADATA_URI"},
    }))
    (root / "datasets_strings.yaml").write_text(
        "enrollment_mode: [audit, verified, honor]\npassed: [passed, failed]\n")
    (root / "assets" / "databases" / "metadata.yaml").write_text(textwrap.dedent(f"""\
        database_name: Query translations metadata
        sqlalchemy_uri: '{{{{ METADATA_URI }}}}'
        expose_in_sqllab: true
        allow_ctas: false
        allow_cvas: false
        allow_dml: false
        allow_file_upload: false
        allow_run_async: false
        cache_timeout: null
        extra: {{allows_virtual_table_explore: true}}
        uuid: {DATABASE_UUID}
        version: 1.0.0
        """))
    columns = [{"column_name": name, "verbose_name": label, "type": kind, "groupby": True,
                "filterable": True, "is_dttm": False}
               for name, label, kind in (("id", "Id", "INTEGER"),
                                         ("enrollment_mode", "Enrollment mode", "VARCHAR"),
                                         ("passed_label", "Passed", "VARCHAR"))]
    dataset = {
        "table_name": "qtrans_enrollments_view",
        "schema": "public",
        # Superset's own Jinja, kept from ours by {% raw %} as in Aspects' datasets.
        "sql": "{% raw %}SELECT id, enrollment_mode, {{ translate_column_bool('passed') }}"
               f" AS passed_label FROM public.{TABLE}{{% endraw %}}",
        "database_uuid": DATABASE_UUID,
        "uuid": DATASET_UUID,
        "version": "1.0.0",
        "columns": columns,
        "metrics": [{"metric_name": "count", "verbose_name": "Count", "expression": "count(*)"}],
    }
    (root / "assets" / "datasets" / "enrollments.yaml").write_text(yaml.safe_dump(dataset))
    return root


def translate(project: Path, locale: str, translations: dict[str, str]) -> None:
    path = project / "translations" / locale / "LC_MESSAGES" / "assets.po"
    text = path.read_text()
    for source, target in translations.items():
        old = f'msgid "{source}"\nmsgstr ""'
        assert old in text, source
        text = text.replace(old, f'msgid "{source}"\nmsgstr {json.dumps(target)}')
    path.write_text(text)


def cli_json(project: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    result = run([*args, "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None,
            superset_env: dict[str, str]) -> Path:
    uri = superset_env["ASPECTS_SUPERSET_METADATA_URI"]
    psql(uri, f"DROP TABLE IF EXISTS public.{TABLE}; "
              f"CREATE TABLE public.{TABLE} (id int, enrollment_mode text, passed boolean); "
              f"INSERT INTO public.{TABLE} VALUES (1, 'audit', true), (2, 'verified', false), "
              "(3, 'honor', true), (4, 'unknown', false)")
    root = write_project(tmp_path_factory.mktemp("qtrans") / "project")
    assert run(["extract-translations"], root).exit_code == 0
    translate(root, "es_419", {"audit": "oyente", "verified": "verificado",
                               "passed": "aprobado", "failed": "reprobado"})
    translate(root, "fr_CA", {"audit": "d'audit", "honor": "honneur"})
    yield root
    psql(uri, f"DROP TABLE IF EXISTS public.{TABLE}")


def dataset_id(client: SupersetClient) -> int:
    rows = client.list_all("dataset", ["id", "uuid"])
    return next(int(r["id"]) for r in rows if str(r["uuid"]) == DATASET_UUID)


def chart_rows(client: SupersetClient, ds: int) -> list[dict[str, Any]]:
    """The dataset's rows with an ad-hoc column as Aspects' charts write it."""
    body = {
        "datasource": {"id": ds, "type": "table"},
        "force": True,
        "queries": [{
            "columns": ["id",
                        {"expressionType": "SQL", "label": "mode",
                         "sqlExpression": "{{translate_column('enrollment_mode')}}"},
                        "passed_label"],
            "metrics": [],
            "orderby": [["id", True]],
            "row_limit": 100,
        }],
        "result_format": "json",
        "result_type": "full",
    }
    result = client.request("POST", f"{API}/chart/data", json=body).json()
    rows: list[dict[str, Any]] = result["result"][0]["data"]
    return rows


def user_client(client: SupersetClient, username: str, roles: list[str]) -> SupersetClient:
    """A user with these roles (created when missing), logged in."""
    ids = client.roles()
    for role in roles:
        if role not in ids:
            ids[role] = client.create_role(role)
    client.request("POST", f"{API}/security/users/", json={
        "first_name": "Query", "last_name": "Translations", "username": username,
        "email": f"{username}@example.com", "active": True, "password": USER_PASSWORD,
        "roles": [ids[r] for r in roles]})
    return SupersetClient(client.url, username, USER_PASSWORD)


def test_import_stores_the_table_and_queries_answer_in_the_users_locale(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    report = cli_json(project, superset_env, "import")
    assert report["query_translations"] == "created"
    stored = client.find_css_template(table_name("qtrans-live"))
    assert stored is not None and '"oyente"' in stored["css"]
    ds = dataset_id(client)

    # The admin has no locale role: the values as they are.
    rows = chart_rows(client, ds)
    assert [(r["mode"], r["passed_label"]) for r in rows] == [
        ("audit", "passed"), ("verified", "failed"), ("honor", "passed"), ("unknown", "failed")]

    # A user whose locale role (as the import names them) is es_419.
    spanish = user_client(client, f"qtrans-es-{uuid_lib.uuid4().hex[:6]}",
                          ["Admin", "Admin - es_419"])
    rows = chart_rows(spanish, ds)
    assert [(r["mode"], r["passed_label"]) for r in rows] == [
        ("oyente", "aprobado"), ("verificado", "reprobado"), ("honor", "aprobado"),
        ("unknown", "reprobado")]

    french = user_client(client, f"qtrans-fr-{uuid_lib.uuid4().hex[:6]}",
                         ["Admin", "Admin - fr_CA"])
    assert [r["mode"] for r in chart_rows(french, ds)] == [
        "d'audit", "verified", "honneur", "unknown"]


def test_sql_lab_with_an_explicit_locale(project: Path, superset_env: dict[str, str],
                                         client: SupersetClient) -> None:
    cli_json(project, superset_env, "import")
    databases = client.list_all("database", ["id", "uuid"])
    db_id = next(int(d["id"]) for d in databases if str(d["uuid"]) == DATABASE_UUID)
    result = client.request("POST", f"{API}/sqllab/execute/", json={
        "database_id": db_id, "schema": "public", "runAsync": False,
        "sql": f"SELECT {{{{ translate_column('enrollment_mode', 'fr-ca') }}}} AS m "
               f"FROM public.{TABLE} ORDER BY id",
    }).json()
    assert [r["m"] for r in result["data"]] == ["d'audit", "verified", "honneur", "unknown"]


def test_a_changed_catalog_is_sent_and_answered_at_once(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    assert cli_json(project, superset_env, "import")["query_translations"] in (
        "created", "unchanged")
    assert cli_json(project, superset_env, "import")["query_translations"] == "unchanged"
    translate(project, "es_419", {"honor": "honor (es)"})
    assert cli_json(project, superset_env, "import")["query_translations"] == "updated"
    spanish = user_client(client, f"qtrans-es2-{uuid_lib.uuid4().hex[:6]}",
                          ["Admin", "Admin - es_419"])
    assert [r["mode"] for r in chart_rows(spanish, dataset_id(client))] == [
        "oyente", "verificado", "honor (es)", "unknown"]

    # No extra_strings any more: the table goes.
    settings_file = project / "aspects-assets.yaml"
    settings = yaml.safe_load(settings_file.read_text())
    settings_file.write_text(yaml.safe_dump({**settings, "extra_strings": []}))
    try:
        assert cli_json(project, superset_env, "import")["query_translations"] == "deleted"
        assert client.find_css_template(table_name("qtrans-live")) is None
    finally:
        settings_file.write_text(yaml.safe_dump(settings))
