"""Faults against the real local Superset: the tool fails with one clear sentence
(exit 2, no traceback), tries a bounded number of times, leaves Superset in a state
the next run repairs, and survives a token that expires during a long run.

Requests are counted in-process: the CLI runs in this process (CliRunner), so
wrapping urllib3's `create_connection` counts connection attempts and wrapping
requests' `HTTPAdapter.send` counts the requests the client really sends.
Servers that are not Superset (a closed port, a listener that hangs up, a plain
HTTP server, an HTTPS server with a self-signed certificate) run in threads here.
A Superset with a 10 s token lifetime is started on its own port for one test
and stopped at the end of the module.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import urllib3.util.connection
import yaml
from requests.adapters import HTTPAdapter

from aspects_assets.core import chunking
from aspects_assets.superset.client import CONNECT_ATTEMPTS, SupersetClient
from aspects_assets.superset.live import list_rows

from conftest import BASE_PROJECT, REPO, corpus_dir, corpus_project, run

pytestmark = pytest.mark.integration


# -- counting what the client does -----------------------------------------------------

@dataclass
class Traffic:
    """Every request the client sent (method, path), and connection attempts."""

    requests: list[tuple[str, str]] = field(default_factory=list)
    connects: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, p in self.requests if method is None or m == method]


@pytest.fixture
def traffic(monkeypatch: pytest.MonkeyPatch) -> Traffic:
    seen = Traffic()
    send = HTTPAdapter.send
    connect = urllib3.util.connection.create_connection

    def counting_send(self: HTTPAdapter, request: requests.PreparedRequest,
                      *args: Any, **kwargs: Any) -> requests.Response:
        with seen.lock:
            seen.requests.append((str(request.method),
                                  urlsplit(request.url or "").path))
        return send(self, request, *args, **kwargs)

    def counting_connect(*args: Any, **kwargs: Any) -> socket.socket:
        with seen.lock:
            seen.connects += 1
        return connect(*args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", counting_send)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting_connect)
    return seen


def one_clear_sentence(output: str, exit_code: int, text: str) -> str:
    """Exit 2, no traceback, and an `Error:` line that says `text`. Returns that line."""
    assert exit_code == 2, output
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    assert text in errors[0], output
    return errors[0]


def env_for(url: str, password: str = "admin") -> dict[str, str]:
    return {"SUPERSET_URL": url, "SUPERSET_USERNAME": "admin", "SUPERSET_PASSWORD": password,
            "SUPERSET_DASHBOARD_LOCALES": ""}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_copy(tmp_path: Path, project: str, locales: list[str] | None = None) -> Path:
    target = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, target)
    config = target / "aspects-assets.yaml"
    text = config.read_text().replace("project: test-base", f"project: {project}")
    if locales:
        text = text.replace("locales: []", f"locales: [{', '.join(locales)}]")
    config.write_text(text)
    return target


# -- servers that are not Superset, in threads -------------------------------------------

class CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.connections = 0
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)

    def get_request(self) -> tuple[socket.socket, Any]:
        self.connections += 1
        return super().get_request()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """serve(tls=None) → a running CountingServer (stopped after the test)."""
    servers: list[CountingServer] = []

    def start(tls: ssl.SSLContext | None = None) -> CountingServer:
        server = CountingServer(QuietHandler, tls)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_superset_stopped_before_the_run(tmp_path: Path, traffic: Traffic) -> None:
    """Nothing listens: a bounded number of connection attempts, then one sentence."""
    project = base_copy(tmp_path, "faults-stopped")
    url = f"http://127.0.0.1:{free_port()}"
    for command in ("diff", "import"):
        before = traffic.connects
        started = time.monotonic()
        result = run([command], project, env=env_for(url))
        one_clear_sentence(result.output, result.exit_code,
                           f"cannot reach Superset at {url} after {CONNECT_ATTEMPTS + 1} "
                           "attempts: is it running, and is the URL right?")
        assert traffic.connects - before == CONNECT_ATTEMPTS + 1
        assert time.monotonic() - started < 30
    assert not (project / "embedded-dashboards.json").exists()


def test_a_server_that_hangs_up_is_not_asked_again(tmp_path: Path, traffic: Traffic) -> None:
    """A listener that accepts and closes: the login may have reached it, so it is not
    repeated (writes are never retried once sent)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []

    def accept_and_close() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)
            conn.close()

    threading.Thread(target=accept_and_close, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        result = run(["diff"], base_copy(tmp_path, "faults-hangup"), env=env_for(url))
        one_clear_sentence(result.output, result.exit_code,
                           f"the connection to Superset at {url} was lost during POST "
                           "/api/v1/security/login")
        assert len(accepted) == 1
        assert traffic.paths() == ["/api/v1/security/login"]
    finally:
        listener.close()


def test_wrong_password(tmp_path: Path, superset_env: dict[str, str],
                        traffic: Traffic) -> None:
    result = run(["import"], base_copy(tmp_path, "faults-password"),
                 env=env_for(superset_env["SUPERSET_URL"], password="not-the-password"))
    line = one_clear_sentence(result.output, result.exit_code,
                              "refused the login of user 'admin': wrong username or password")
    assert "not-the-password" not in result.output, line
    assert traffic.requests == [("POST", "/api/v1/security/login")]


def test_wrong_url(tmp_path: Path, superset_env: dict[str, str], traffic: Traffic,
                   serve: Any) -> None:
    project = base_copy(tmp_path, "faults-url")
    # Superset's address with a path that is not Superset's root
    wrong = superset_env["SUPERSET_URL"] + "/superset"
    result = run(["diff"], project, env=env_for(wrong))
    one_clear_sentence(result.output, result.exit_code,
                       f"no Superset login at {wrong}/api/v1/security/login (the server "
                       "answered 404): is the URL the address of Superset itself?")
    assert traffic.paths() == ["/superset/api/v1/security/login"]

    # another web server
    other = serve()
    url = f"http://127.0.0.1:{other.server_address[1]}"
    result = run(["import"], project, env=env_for(url))
    one_clear_sentence(result.output, result.exit_code, f"no Superset login at {url}")
    assert other.connections == 1

    # a host name that does not resolve
    before = traffic.connects
    result = run(["diff"], project, env=env_for("http://superset.invalid"))
    one_clear_sentence(result.output, result.exit_code,
                       "the host name 'superset.invalid' does not resolve")
    assert traffic.connects - before == CONNECT_ATTEMPTS + 1


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context


def test_tls_failure(tmp_path: Path, traffic: Traffic, serve: Any,
                     self_signed: tuple[Path, ssl.SSLContext]) -> None:
    cert, context = self_signed
    server = serve(tls=context)
    url = f"https://127.0.0.1:{server.server_address[1]}"
    project = base_copy(tmp_path, "faults-tls")
    result = run(["diff"], project, env=env_for(url))
    one_clear_sentence(result.output, result.exit_code,
                       f"TLS verification failed for {url}: the server's certificate is not "
                       "trusted (self-signed certificate; for a "
                       "private CA set REQUESTS_CA_BUNDLE to its certificate file)")
    assert server.connections == 1, "a TLS failure is not retried"

    # The hint is right: with the certificate trusted, TLS passes (this server is no Superset).
    result = run(["diff"], project, env={**env_for(url), "REQUESTS_CA_BUNDLE": str(cert)})
    one_clear_sentence(result.output, result.exit_code, f"no Superset login at {url}")

    # HTTPS to a plain-HTTP port: the handshake fails, and says so.
    plain = serve()
    url = f"https://127.0.0.1:{plain.server_address[1]}"
    result = run(["diff"], project, env=env_for(url))
    one_clear_sentence(result.output, result.exit_code,
                       f"TLS handshake with {url} failed")
    assert plain.connections == 1


# -- the real Superset: an import that breaks half-way --------------------------------------

def gunicorn_worker(port: int) -> int:
    """The pid of the gunicorn worker serving 127.0.0.1:port (the master's child)."""
    procs: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if "gunicorn" in cmdline and f"127.0.0.1:{port} " in cmdline:
            procs[int(entry.name)] = ppid
    workers = [pid for pid, ppid in procs.items() if ppid in procs]
    assert len(workers) == 1, f"gunicorn processes on port {port}: {procs}"
    return workers[0]


def wait_healthy(url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    pytest.fail(f"Superset at {url} did not come back within {timeout} s")


CORPUS_PASSWORDS = {"OpenedX Clickhouse": "CH_PASSWORD", "Superset Metadata": "META_PASSWORD"}


def corpus_env(url: str) -> dict[str, str]:
    return {**env_for(url), "CH_PASSWORD": "ch-secret-1", "META_PASSWORD": "meta-secret-2"}


def corpus_2024(tmp_path: Path, project: str, locales: list[str],
                translated: bool = False) -> Path:
    corpus = corpus_dir("aspects-2024-08")
    path = corpus_project(tmp_path, "aspects-2024-08", locales=locales,
                          do_not_translate=["ClickHouse"],
                          extra_strings=[str(corpus / "datasets_strings.yaml")],
                          databases={n: {"password_env": v} for n, v in CORPUS_PASSWORDS.items()})
    config = yaml.safe_load((path / "aspects-assets.yaml").read_text())
    config["project"] = project
    (path / "aspects-assets.yaml").write_text(yaml.safe_dump(config))
    if translated:
        result = run(["translations", "import-legacy", str(corpus / "locale.yaml")], path)
        assert result.exit_code == 0, result.output
    return path


def test_superset_killed_in_the_middle_of_an_import(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, client: SupersetClient,
) -> None:
    """The worker is killed while the second chunk is on the server: exit 2 naming what
    was applied and what was not; once Superset is back, `import` completes and `diff`
    finds nothing."""
    url = superset_env["SUPERSET_URL"]
    port = urlsplit(url).port or 80
    project = corpus_2024(tmp_path, "faults-killed", ["es_419", "fr_CA"])
    env = corpus_env(url)
    monkeypatch.setattr(chunking, "CHUNK_BUDGET_MS", 2000)  # chunks of about 2 s
    calls: list[int] = []
    killed: list[int] = []
    real_import = SupersetClient.import_bundle

    def import_then_kill(self: SupersetClient, bundle: bytes, **kwargs: Any) -> None:
        calls.append(len(bundle))
        if len(calls) == 2:  # the first chunk is in: kill while the second is being read
            def kill() -> None:
                pid = gunicorn_worker(port)
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            threading.Timer(0.3, kill).start()
        real_import(self, bundle, **kwargs)

    monkeypatch.setattr(SupersetClient, "import_bundle", import_then_kill)
    result = run(["import"], project, env=env)
    monkeypatch.setattr(SupersetClient, "import_bundle", real_import)
    assert killed, "the worker was not killed"
    line = one_clear_sentence(result.output, result.exit_code,
                              f"the connection to Superset at {url} was lost during POST "
                              "/api/v1/assets/import/")
    assert "\n" not in line
    output = result.output
    assert "The import stopped at chunk 2 of " in output
    assert "without an answer, Superset may have applied part of it" in output
    assert "Applied before it: 2 databases, " in output
    assert "Not sent: " in output and "charts" in output.split("Not sent: ")[1]
    assert "Nothing after that chunk was sent" in output
    assert len(calls) == 2, "nothing is sent after the chunk that failed"

    wait_healthy(url)  # gunicorn's master starts a new worker
    assert gunicorn_worker(port) != killed[0]
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sent"]["chart"] and report["sent"]["dashboard"]
    result = run(["diff"], project, env=env)
    assert result.exit_code == 0, result.output
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["import_requests"] == 0


def test_a_name_another_asset_holds_is_refused_before_anything_is_sent(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient, traffic: Traffic,
) -> None:
    """Superset's import also matches a dashboard by slug and a database by name: a new
    one would take over someone else's dashboard or database. Refused up front."""
    url = superset_env["SUPERSET_URL"]
    theirs = client.request("POST", "/api/v1/dashboard/", json={
        "dashboard_title": "Theirs", "slug": "course-overview"}).json()
    project = base_copy(tmp_path, "faults-taken")
    result = run(["import"], project, env=env_for(url))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (f"assets/dashboards/course.yaml [slug]: slug 'course-overview' already belongs to "
            f"another dashboard in Superset (id {theirs['id']}, uuid ") in result.output
    assert "nothing was sent" in result.output
    assert "/api/v1/assets/import/" not in traffic.paths()
    assert client.dashboard(theirs["id"])["dashboard_title"] == "Theirs"
    client.request("DELETE", f"/api/v1/dashboard/{theirs['id']}")

    # The same for a database name (another project's database, another uuid).
    result = run(["import"], project, env=env_for(url))
    assert result.exit_code == 0, result.output
    other = base_copy(tmp_path / "other", "faults-taken-2")
    for path in (other / "assets").rglob("*.yaml"):
        path.write_text(path.read_text().replace("0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d00",
                                                 "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d02")
                        .replace("slug: course-overview", "slug: course-overview-2"))
    before = len(traffic.paths())
    result = run(["import"], other, env=env_for(url))
    assert result.exit_code == 2, result.output
    assert ("assets/databases/clickhouse.yaml [database_name]: database_name 'ClickHouse' "
            "already belongs to another database in Superset") in result.output
    assert "/api/v1/assets/import/" not in traffic.paths()[before:]

    # And a dataset's table: Superset's import matches a dataset by (database, schema,
    # table_name) too, so another project's dataset on the same table (the database
    # shared) would be re-keyed to ours.
    third = base_copy(tmp_path / "third", "faults-taken-3")
    for path in (third / "assets").rglob("*.yaml"):
        text = path.read_text()
        for n in (2, 3, 4):
            text = text.replace(f"0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d000{n}",
                                f"0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d001{n}")
        path.write_text(text.replace("slug: course-overview", "slug: course-overview-3"))
    theirs_dataset = next(r for r in list_rows(client).values()
                          if r.uuid == "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002")
    before = len(traffic.paths())
    result = run(["import"], third, env=env_for(url))
    assert result.exit_code == 2, result.output
    assert ("assets/datasets/enrollments.yaml [table]: table 'reporting.enrollments (database "
            f"ClickHouse)' already belongs to another dataset in Superset (id "
            f"{theirs_dataset.id}, uuid {theirs_dataset.uuid})") in result.output
    assert "/api/v1/assets/import/" not in traffic.paths()[before:]
    assert "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0012" not in list_rows(client)


def test_a_chunk_superset_rejects_names_its_assets_and_nothing_is_sent_after(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch, client: SupersetClient, traffic: Traffic,
) -> None:
    """A dashboard's slug changes in the code, and while the import runs someone makes
    a dashboard with that slug (no check before the run can see it coming): Superset
    answers 500 "Import failed for an unknown reason" to that dashboard's chunk. The
    tool names the chunk's assets and Superset's message, and sends nothing after it:
    no later chunk, no roles, no embedding, no per-type import to find the cause."""
    url = superset_env["SUPERSET_URL"]
    project = base_copy(tmp_path, "faults-rejected", ["fr_CA", "es_419"])
    env = env_for(url)
    result = run(["import"], project, env=env)
    assert result.exit_code == 0, result.output
    for path, old, new in (("charts/enrollments.yaml", "slice_name: Enrollments over time",
                            "slice_name: Enrollments per day"),
                           ("dashboards/course.yaml", "slug: course-overview",
                            "slug: course-enrollment")):
        file = project / "assets" / path
        file.write_text(file.read_text().replace(old, new))
    monkeypatch.setattr(chunking, "CHUNK_BUDGET_MS", 1)  # one asset per chunk
    taken: list[tuple[int, str]] = []
    real_import = SupersetClient.import_bundle

    def import_racing(self: SupersetClient, bundle: bytes, **kwargs: Any) -> None:
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            dashboards = [n for n in archive.namelist() if "/dashboards/" in n]
            if dashboards and not taken:
                body = yaml.safe_load(archive.read(dashboards[0]))
                created = client.request("POST", "/api/v1/dashboard/", json={
                    "dashboard_title": "Made by hand", "slug": body["slug"]}).json()
                taken.append((int(created["id"]), str(body["uuid"])))
        real_import(self, bundle, **kwargs)

    monkeypatch.setattr(SupersetClient, "import_bundle", import_racing)
    start = len(traffic.requests)
    result = run(["import"], project, env=env)
    assert taken
    foreign_id, dashboard_uuid = taken[0]
    one_clear_sentence(result.output, result.exit_code,
                       "Superset answered 500 to POST /api/v1/assets/import/: Import failed "
                       "for an unknown reason")
    output = result.output
    # 3 charts (the original and its two copies), then 3 dashboards: one asset a chunk
    assert (f"The import stopped at chunk 4 of 6 (1 assets: dashboard 'Course overview' "
            f"[{dashboard_uuid}]); Superset rejected it. Applied before it: 3 charts. Not sent: "
            "2 dashboards. Nothing after that chunk was sent") in output, output
    sent = traffic.requests[start:]
    imports = [i for i, (_, p) in enumerate(sent) if p == "/api/v1/assets/import/"]
    assert len(imports) == 4
    after = [(m, p) for m, p in sent[imports[-1] + 1:]
             if not (m == "DELETE" and p.startswith("/api/v1/css_template/"))]  # the run's lock
    assert after == [], "nothing is sent after the failed chunk"
    assert not any(p.endswith("/import/") and p != "/api/v1/assets/import/" for _, p in sent)
    assert client.dashboard(foreign_id)["dashboard_title"] == "Made by hand"

    # The cause removed, the next run sends what is missing and ends clean.
    monkeypatch.setattr(SupersetClient, "import_bundle", real_import)
    client.request("DELETE", f"/api/v1/dashboard/{foreign_id}")
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["sent"]["dashboard"]) == 3
    result = run(["diff"], project, env=env)
    assert result.exit_code == 0, result.output


# -- a Superset whose tokens live 10 s ---------------------------------------------------------

SHORT_TOKEN_PORT = int(os.environ.get("ASPECTS_TEST_SHORT_TOKEN_PORT", "8093"))


@pytest.fixture(scope="module")
def short_token_superset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Superset of its own whose access tokens expire after 10 s."""
    config = tmp_path_factory.mktemp("short-token") / "short_token.py"
    config.write_text("from datetime import timedelta\n"
                      "JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds=10)\n")
    env = {**os.environ, "SUPERSET_LOCAL_PORT": str(SHORT_TOKEN_PORT),
           "SUPERSET_LOCAL_CONFIG": str(config)}
    if "ASPECTS_TEST_SUPERSET_VERSION" in os.environ:
        env["SUPERSET_VERSION"] = os.environ["ASPECTS_TEST_SUPERSET_VERSION"]
    script = str(REPO / "scripts" / "superset-local")
    started = subprocess.run([script, "start"], env=env, capture_output=True, text=True,
                             check=False)
    if started.returncode != 0:
        pytest.fail(f"superset-local start on port {SHORT_TOKEN_PORT} failed: "
                    f"{started.stderr[-2000:]}")
    try:
        reset = subprocess.run([script, "reset"], env=env, capture_output=True, text=True,
                               check=False)
        if reset.returncode != 0:
            pytest.fail(f"superset-local reset failed: {reset.stderr[-2000:]}")
        yield f"http://127.0.0.1:{SHORT_TOKEN_PORT}"
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, check=False)


def test_token_expiry_in_the_middle_of_a_long_run(
    tmp_path: Path, short_token_superset: str, traffic: Traffic,
) -> None:
    url = short_token_superset
    project = corpus_2024(tmp_path, "faults-token",
                          ["es_419", "fr_CA", "ar", "de_DE", "pt_BR", "zh_CN"])
    env = corpus_env(url)
    started = time.monotonic()
    result = run(["import", "--format", "json"], project, env=env)
    seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert seconds > 25, f"the run ({seconds:.0f} s) must outlive two tokens"
    refreshes = traffic.paths().count("/api/v1/security/refresh")
    logins = traffic.paths().count("/api/v1/security/login")
    print(f"\nimport of {url}: {seconds:.0f} s, {refreshes} token refreshes, {logins} login(s), "
          f"{len(traffic.requests)} requests")
    assert refreshes >= 2 and logins == 1
    # renewed before expiry, not before every call
    assert refreshes <= seconds / 5 + 2
    result = run(["diff"], project, env=env)
    assert result.exit_code == 0, result.output


# -- three imports of the 24-locale corpus -------------------------------------------------------

def live_uuids(client: SupersetClient) -> dict[str, set[str]]:
    return {kind: {str(r["uuid"]) for r in client.list_all(kind, ["uuid"])}
            for kind in ("database", "dataset", "chart", "dashboard")}


# All 24 locales take about 7.5 min on a shared 2-core machine (first import 288 s, then
# 6 s and 4 s; each diff 41-51 s): the default is the first 12, ASPECTS_TEST_ALL_LOCALES=1
# runs all 24.
ALL_LOCALES = os.environ.get("ASPECTS_TEST_ALL_LOCALES") == "1"


@pytest.mark.slow
def test_three_imports_of_the_24_locale_corpus(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient,
) -> None:
    from test_corpus_i18n import legacy_locales

    from aspects_assets.project.settings import load_settings
    from aspects_assets.run.pipeline import check

    locales = legacy_locales(corpus_dir("aspects-2024-08") / "locale.yaml")
    assert len(locales) == 24
    locales = locales if ALL_LOCALES else locales[:12]
    copies = len(locales) + 1
    project = corpus_2024(tmp_path, "faults-24", locales, translated=True)
    env = corpus_env(superset_env["SUPERSET_URL"])
    local = {kind: {a.uuid for a in check(load_settings(cwd=project, env=env)).assets
                    .of_kind(kind)} for kind in ("database", "dataset", "chart", "dashboard")}
    assert {k: len(v) for k, v in local.items()} == {
        "database": 2, "dataset": 36 * copies, "chart": 63 * copies, "dashboard": 4 * copies}
    before = live_uuids(client)
    seen: list[dict[str, set[str]]] = []
    times: list[tuple[float, float]] = []
    for _ in range(3):
        started = time.monotonic()
        result = run(["import", "--format", "json"], project, env=env)
        import_s = time.monotonic() - started
        assert result.exit_code == 0, result.output
        started = time.monotonic()
        result = run(["diff", "--format", "json"], project, env=env)
        diff_s = time.monotonic() - started
        assert result.exit_code == 0, result.output
        plan = json.loads(result.stdout)
        assert not plan["differences"] and not plan["assets"] and not plan["access"], plan
        seen.append(live_uuids(client))
        times.append((import_s, diff_s))
    print(f"\n{len(locales)} locales, (import s, diff s) per round:",
          [(round(a), round(b)) for a, b in times])
    for kind in local:
        assert local[kind] <= seen[0][kind]
        assert seen[0][kind] - before[kind] <= local[kind], "only the corpus was added"
        assert seen[0][kind] == seen[1][kind] == seen[2][kind], "no growth"
