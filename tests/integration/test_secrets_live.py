"""Database passwords from the environment reach Superset only in the import's
`passwords` field: never in stdout, stderr, `--format json`, the bundle, the
manifest, the prune backup, the local notes, or the project record in Superset,
and Superset's own mask `XXXXXXXXXX` is never sent back as a password.

Three ways in: a URI with its password in an environment variable named by
`variables_from_env` (marked secret as a whole, too), one with its password in
the query (`?password=`), and `databases: {NAME: {password_env: VAR}}` for a URI
written with the mask. The record's inputs hash does not depend on any of them
(a dictionary attack over it recovers nothing), the prune backup is its owner's
only, and a Superset URL with a password in it is refused.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import yaml
from click.testing import Result
from requests.adapters import HTTPAdapter

from aspects_assets.superset.client import SupersetClient

from conftest import BASE_PROJECT, run

pytestmark = pytest.mark.integration

URI_SECRET = "uri-Pw-7f3a9c"  # in the URI given by the environment (variables_from_env)
ENV_SECRET = "env-Pw-2b8d41"  # in databases.NAME.password_env
QUERY_SECRET = "query-Pw-4e1f07"  # in the query of a URI given by the environment
SUPERSET_PASSWORD_IN_URL = "url-Pw-93ab10"
SECRETS = (URI_SECRET, ENV_SECRET, QUERY_SECRET, SUPERSET_PASSWORD_IN_URL)
MASK = "XXXXXXXXXX"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, target)
    second = target / "assets" / "databases" / "clickhouse_archive.yaml"
    second.write_text((target / "assets" / "databases" / "clickhouse.yaml").read_text()
                      .replace("database_name: ClickHouse", "database_name: ClickHouse archive")
                      .replace("'{{ DB_URI }}'",
                               f"clickhousedb://report:{MASK}@archive:8123/reporting")
                      .replace("0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001",
                               "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0051"))
    third = target / "assets" / "databases" / "clickhouse_query.yaml"
    third.write_text((target / "assets" / "databases" / "clickhouse.yaml").read_text()
                     .replace("database_name: ClickHouse", "database_name: ClickHouse query")
                     .replace("'{{ DB_URI }}'", "'{{ QUERY_URI }}'")
                     .replace("0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001",
                              "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0052"))
    config = yaml.safe_load((target / "aspects-assets.yaml").read_text())
    config.update(project="secrets-test", locales=["fr_CA"],
                  variables_from_env={"DB_URI": "TEST_CLICKHOUSE_URI",
                                      "QUERY_URI": "TEST_QUERY_URI"},
                  secret_variables=["DB_URI"],
                  databases={"ClickHouse archive": {"password_env": "TEST_ARCHIVE_PASSWORD"}})
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


@pytest.fixture
def sent_forms(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bodies of every import POST the client sends."""
    bodies: list[bytes] = []
    send = HTTPAdapter.send

    def recording(self: HTTPAdapter, request: requests.PreparedRequest,
                  *args: Any, **kwargs: Any) -> requests.Response:
        if request.method == "POST" and urlsplit(request.url or "").path.endswith("/import/"):
            assert isinstance(request.body, bytes)
            bodies.append(request.body)
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", recording)
    return bodies


def form_fields(body: bytes) -> dict[str, bytes]:
    boundary = body.split(b"\r\n", 1)[0]
    fields = {}
    for part in body.split(boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]+)"', head)
        if name:
            fields[name.group(1).decode()] = content.removesuffix(b"\r\n")
    return fields


def assert_no_secret(where: str, data: bytes | str) -> None:
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} found in {where}"


def check_run(result: Result, what: str) -> None:
    assert_no_secret(f"stdout of {what}", result.stdout)
    assert_no_secret(f"stderr of {what}", result.stderr)
    assert "Traceback" not in result.output


def environment(superset_env: dict[str, str], uri: str = URI_SECRET, env: str = ENV_SECRET,
                query: str = QUERY_SECRET) -> dict[str, str]:
    return {**superset_env,
            "TEST_CLICKHOUSE_URI": f"clickhousedb://report:{uri}@clickhouse:8123/reporting",
            "TEST_QUERY_URI": f"clickhousedb://report@clickhouse:8123/reporting?password={query}",
            "TEST_ARCHIVE_PASSWORD": env}


def test_passwords_reach_superset_only_in_the_passwords_field(
    project: Path, tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient,
    sent_forms: list[bytes],
) -> None:
    env = environment(superset_env)
    runs: list[tuple[str, list[str], int]] = [
        ("validate", ["validate"], 0),
        ("validate json", ["validate", "--format", "json"], 0),
        ("build zip", ["build", "--out", "dist/bundle.zip"], 0),
        ("build folder", ["build", "--out", "dist/folder"], 0),
        ("dry run", ["import", "--dry-run"], 0),
        ("diff before", ["diff", "--format", "json"], 1),
        ("import json", ["import", "--format", "json"], 0),
        ("diff", ["diff"], 0),
        ("diff json", ["diff", "--format", "json"], 0),
        ("import again", ["import"], 0),
    ]
    for what, args, code in runs:
        result = run(args, project, env=env)
        assert result.exit_code == code, (what, result.output)
        check_run(result, what)

    # What was sent: the passwords field has both, keyed by the files in the bundle,
    # and no mask; the bundle itself has neither.
    assert sent_forms, "the first import sent something"
    first = form_fields(sent_forms[0])
    passwords = json.loads(first["passwords"])
    assert sorted(passwords.values()) == sorted([URI_SECRET, ENV_SECRET, QUERY_SECRET]), passwords
    assert all(p.startswith("databases/") for p in passwords)
    for body in sent_forms:
        fields = form_fields(body)
        assert MASK not in json.loads(fields.get("passwords", b"{}")).values()
        with zipfile.ZipFile(io.BytesIO(fields["bundle"])) as archive:
            for name in archive.namelist():
                assert_no_secret(f"sent bundle {name}", archive.read(name))

    # The record's inputs hash leaves the secrets out: new passwords, same hash, and
    # nothing to send (a dictionary attack over the hash has nothing to match).
    record_before = client.find_css_template("aspects-assets:secrets-test")
    assert record_before is not None
    for guess in ("guess-1", URI_SECRET + "x"):
        other = environment(superset_env, uri=guess, env=guess, query=guess)
        result = run(["import", "--format", "json"], project, env=other)
        assert result.exit_code == 0, result.output
        assert sum(json.loads(result.stdout)["created"].values()) == 0
        record = client.find_css_template("aspects-assets:secrets-test")
        assert record is not None and record["css"] == record_before["css"]

    # A Superset URL with a password in it is refused before anything is sent.
    with_userinfo = {**env, "SUPERSET_URL": superset_env["SUPERSET_URL"].replace(
        "://", f"://admin:{SUPERSET_PASSWORD_IN_URL}@")}
    result = run(["diff"], project, env=with_userinfo)
    assert result.exit_code == 2
    assert "SUPERSET_URL: the Superset URL must not carry a user name or password" in (
        result.output)
    check_run(result, "diff with a password in SUPERSET_URL")

    # A database removed from the code and pruned: its backup holds no password either,
    # and only its owner may read it.
    shutil.rmtree(project / "backups", ignore_errors=True)
    (project / "assets" / "databases" / "clickhouse_archive.yaml").unlink()
    result = run(["import", "--prune", "--yes", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    check_run(result, "import --prune")
    report = json.loads(result.stdout)
    assert report["deleted"]["database"] == 1 and report["backup"]
    backup = project / report["backup"]
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700

    # Every file any run wrote, under the project and anywhere in this test's tmp dir.
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert project / "embedded-dashboards.json" in written
    assert project / report["backup"] in written
    assert any(p.suffix == ".zip" for p in (project / "dist").iterdir())
    for path in written:
        assert_no_secret(str(path), path.read_bytes())
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    assert_no_secret(f"{path}!{name}", archive.read(name))

    # The project record in Superset holds no password.
    record = client.find_css_template("aspects-assets:secrets-test")
    assert record is not None
    assert_no_secret("the project record", json.dumps(record))

    # A secret typed into Superset (a chart's description): `diff` shows the change,
    # never the secret.
    chart_id = next(r["id"] for r in client.list_all("chart", ["id", "uuid"])
                    if r["uuid"] == "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003")
    client.request("PUT", f"/api/v1/chart/{chart_id}", json={"description": f"pw {ENV_SECRET}"})
    for what, args in (("diff typed", ["diff"]), ("diff typed json", ["diff", "--format", "json"]),
                       ("dry run typed", ["import", "--dry-run", "--verify"])):
        result = run(args, project, env=env)
        assert result.exit_code == (0 if "dry" in what else 1), (what, result.output)
        assert f"pw {MASK}" in result.output, (what, result.output)
        check_run(result, what)
    # `pull` would write the live description into the chart's file: refused, nothing written.
    chart_file = project / "assets" / "charts" / "enrollments.yaml"
    before = chart_file.read_text()
    result = run(["pull", "--all-managed"], project, env=env)
    assert result.exit_code == 2, result.output
    assert "assets/charts/enrollments.yaml: the live chart 'Enrollments over time' holds " \
           "the password of database 'ClickHouse archive'" in result.output
    check_run(result, "pull typed")
    assert chart_file.read_text() == before
