"""Plain http to a host that is not this machine: the password (and every token)
travels in clear text. Each run says so once, on stderr, and goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from test_client_errors import FakeAdapter, superset

from aspects_assets.model.secrets import CleartextWarning
from aspects_assets.superset.client import SupersetClient

from conftest import run


def fake_client(url: str) -> SupersetClient:
    session = requests.Session()
    session.mount(url.split("://")[0] + "://", FakeAdapter(superset({})))
    return SupersetClient(url, "admin", "admin", session=session)


def test_the_client_warns_once_however_often_it_logs_in() -> None:
    client = fake_client("http://superset.example.com")
    with pytest.warns(CleartextWarning) as caught:
        client.login()
        client.login()
    assert len(caught) == 1
    assert "the Superset password and the session's tokens travel in clear text" in str(
        caught[0].message)


@pytest.mark.parametrize("url", ["https://superset.example.com", "http://127.0.0.1:8088",
                                 "http://localhost:8088"])
def test_no_warning_for_https_or_this_machine(url: str) -> None:
    fake_client(url).login()  # pytest turns any warning into an error


def test_a_run_says_it_once_on_stderr(base_project: Path) -> None:
    # .invalid never resolves (RFC 2606): the run fails after the warning, quickly.
    env = {"SUPERSET_URL": "http://superset.invalid:8088", "SUPERSET_USERNAME": "admin",
           "SUPERSET_PASSWORD": "pw-never-shown"}
    result = run(["diff"], base_project, env=env)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if "clear text" in line]
    assert lines == ["warning: http://superset.invalid:8088 is plain http to another machine: "
                     "the Superset password and the session's tokens travel in clear text; "
                     "use https://"]
    assert "does not resolve" in result.stderr
    assert "pw-never-shown" not in result.output
