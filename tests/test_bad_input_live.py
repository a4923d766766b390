"""Bad input through `import` and `diff`: exit 2, the file and key named, and not
one request sent to Superset.

The same case files as tests/test_validate_cases.py. SUPERSET_URL points at a
tiny HTTP server in a thread that records every request it gets (and answers
each with a 500, so that a request that slipped through fails loudly too).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_validate_cases import apply_case, assert_reported, case_args, cases_for, load_case

from conftest import run


class Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RecordingHandler)
        self.requests: list[str] = []
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def get_request(self):  # type: ignore[no-untyped-def]
        self.connections += 1
        return super().get_request()


class RecordingHandler(BaseHTTPRequestHandler):
    server: Recorder

    def _record(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_DELETE = _record

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("case_file", "command"),
                         cases_for({"import": ["import"], "diff": ["diff"]},
                                   default=["import", "diff"]))
def test_bad_input_sends_nothing(case_file: Path, command: list[str], base_project: Path,
                                 recorder: Recorder) -> None:
    case = load_case(case_file)
    apply_case(base_project, case)
    before = (recorder.connections, len(recorder.requests))
    env = {**(case.get("env") or {}), "SUPERSET_URL": recorder.url,
           "SUPERSET_USERNAME": "admin", "SUPERSET_PASSWORD": "admin"}
    result = run(case_args(case, command), base_project, env=env)
    assert_reported(case, result.exit_code, result.output)
    assert (recorder.connections, len(recorder.requests)) == before, recorder.requests
    assert not (base_project / "embedded-dashboards.json").exists()


def test_the_recorder_sees_a_run_that_gets_through(base_project: Path,
                                                   recorder: Recorder) -> None:
    """The check above is not vacuous: valid input does reach the recorder."""
    before = len(recorder.requests)
    env = {"SUPERSET_URL": recorder.url, "SUPERSET_USERNAME": "admin",
           "SUPERSET_PASSWORD": "admin"}
    result = run(["diff"], base_project, env=env)
    assert result.exit_code == 2, result.output
    assert recorder.requests[before:] == ["POST /api/v1/security/login"]
    assert "Traceback" not in result.output
