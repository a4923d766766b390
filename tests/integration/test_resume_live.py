"""Resume, against the real local Superset: an import whose server goes away after
a few chunks is followed by a run that sends only what was not yet sent.

The fault: the CLI talks to Superset through a loopback proxy (a thread here) that
forwards every request, and after the first few import requests hangs up on every
further one without forwarding it, as a Superset stopped in the middle of a chunk
would (the proxy still forwards the rest, so that the run releases its lock and
the next one need not wait for its lease). Everything else is the real Superset.
Chunks are made small (a lower time budget) so that the project's own asset set
takes several.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from aspects_assets.core import chunking
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import list_rows, read_record

from conftest import REPO, run_cli

pytestmark = pytest.mark.integration

PROJECT = "resume-test"
IMPORT_PATH = "/api/v1/assets/import/"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
              "proxy-connection", "upgrade"}


class StoppingProxy(ThreadingHTTPServer):
    """Forwards to `upstream`; hangs up on every import request after the first
    `accept`."""

    daemon_threads = True

    def __init__(self, upstream: str, accept: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.accept = accept
        self.imports = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    server: StoppingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self) -> None:
        proxy = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.command == "POST" and self.path.startswith(IMPORT_PATH):
            with proxy.lock:
                proxy.imports += 1
                stop = proxy.imports > proxy.accept
            if stop:  # the server is gone: no answer
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
        upstream = http.client.HTTPConnection(*proxy.upstream, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        content = answer.read()
        self.send_response(answer.status, answer.reason)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = _forward


@pytest.fixture
def proxy(superset_env: dict[str, str]) -> Iterator[StoppingProxy]:
    server = StoppingProxy(superset_env["SUPERSET_URL"], accept=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def project_copy(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("assets", "templates", "translations"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, target / name)
    config = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    config["locales"] = ["es_419", "fr_CA", "ar"]
    config["project"] = PROJECT
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target



def test_a_run_after_a_stopped_server_sends_only_what_was_not_sent(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient, proxy: StoppingProxy, monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = project_copy(tmp_path)
    # Chunks of about 150 ms of server time: the project's assets take several.
    monkeypatch.setattr(chunking, "CHUNK_BUDGET_MS", 150)
    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    everything = {a["uuid"] for a in plan["assets"]}

    code, output, _ = run_cli(project, {**superset_env, "SUPERSET_URL": proxy.url}, "import")
    assert code == 2, output
    assert "Traceback" not in output
    assert "The import stopped at chunk 3 of " in output
    assert proxy.imports == 3, "two chunks went through, the third found the server gone"

    # What Superset accepted is in the record, as sent; nothing else is in Superset.
    record, _ = read_record(client, PROJECT)
    assert record is not None
    accepted = set(record.managed)
    live = set(list_rows(client))
    assert accepted and accepted < everything
    assert everything & live == accepted
    assert {m.changed_on for m in record.managed.values()} == {""}

    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    sent = {u for uuids in report["sent"].values() for u in uuids}
    assert sent == everything - accepted, "only what the stopped run did not send"
    assert report["touched_unchanged"] == len(accepted)
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output
    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["import_requests"] == 0
