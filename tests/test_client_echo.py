"""A server that echoes the request back in its error answer (a proxy's debug
page, a misconfigured app) must not make the client print the password or a
token: whatever the client quotes of an answer is scrubbed first.

A real Superset cannot be made to do this, so a short-lived fake server on
127.0.0.1 answers: it serves at most a few dozen requests or a few seconds,
whichever comes first, and then stops by itself.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from aspects_assets.model.errors import SupersetError
from aspects_assets.superset.client import SupersetClient

PASSWORD = 'Superset-pw "7f3a/9c"'
DB_PASSWORD = "db-Pw-2b8d41"
CSRF = "IjM2YzE5ZGE0NmUxYmVlZDA3ZWNkYjZhZjE0ZDM4MDhmZTNjYzg5Mzci.Z0xBcA.YXl9yn1mXy2x0n-UqYNX"
REFRESH = "refresh-" + "r3fr35h" * 6


def _jwt() -> str:
    claims = {"iat": int(time.time()), "exp": int(time.time()) + 900, "sub": "1"}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{body}.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


ACCESS = _jwt()


class EchoServer(HTTPServer):
    """Answers login and CSRF like Superset; everything else (and the login in
    `echo_login` mode) is an error whose body is the request itself."""

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), EchoHandler)
        self.mode = mode
        self.timeout = 0.2

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class EchoHandler(BaseHTTPRequestHandler):
    server: EchoServer

    def _answer(self, status: int, body: bytes, content_type: str,
                headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _echo(self) -> bytes:
        """The request: all of it in JSON mode (a JSON message is quoted whole);
        otherwise what the client's first 200 quoted characters would reach: the
        body of a login, the credentials' headers of any other request."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.server.mode == "echo_json":
            return f"{self.requestline}\n{self.headers}".encode() + body
        if self.server.mode == "echo_login":
            return f"{self.requestline}\n".encode() + body
        shown = [f"{k}: {self.headers[k]}" for k in ("Authorization", "X-CSRFToken", "Cookie")]
        return "\n".join([self.requestline, *shown]).encode()

    def _handle(self) -> None:
        echoed = self._echo()
        path, mode = self.path.split("?")[0], self.server.mode
        if path == "/api/v1/security/login" and mode != "echo_login":
            self._answer(200, json.dumps({"access_token": ACCESS, "refresh_token": REFRESH}
                                         ).encode(), "application/json")
        elif path == "/api/v1/security/csrf_token/":
            self._answer(200, json.dumps({"result": CSRF}).encode(), "application/json",
                         {"Set-Cookie": f"session={CSRF}; HttpOnly"})
        elif mode == "echo_json":
            self._answer(400, json.dumps({"message": echoed.decode()}).encode(),
                         "application/json")
        elif mode == "echo_redirect":
            self._answer(302, b"", "text/html",
                         {"Location": f"/login/?token={ACCESS}&csrf_token={CSRF}"})
        else:
            self._answer(500, b"<html><pre>" + echoed + b"</pre></html>", "text/html")

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_server(request: pytest.FixtureRequest) -> Iterator[EchoServer]:
    server = EchoServer(request.param)
    deadline = time.monotonic() + 20

    def serve() -> None:  # stops by itself: a few seconds or a few dozen requests
        for _ in range(40):
            if time.monotonic() > deadline or getattr(server, "done", False):
                break
            server.handle_request()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server
    server.done = True  # type: ignore[attr-defined]
    thread.join(timeout=5)
    server.server_close()


def assert_scrubbed(message: str) -> None:
    for secret in (PASSWORD, "7f3a", DB_PASSWORD, ACCESS, ACCESS.split(".")[1], CSRF,
                   CSRF.split(".")[2], REFRESH):
        assert secret not in message, (secret, message)


@pytest.mark.parametrize("echo_server", ["echo_login"], indirect=True)
def test_an_echoed_login_does_not_show_the_password(echo_server: EchoServer) -> None:
    client = SupersetClient(echo_server.url, "admin", PASSWORD)
    with pytest.raises(SupersetError) as info:
        client.login()
    message = info.value.message
    assert "POST /api/v1/security/login" in message  # the body is quoted ...
    assert_scrubbed(message)  # ... without the password


@pytest.mark.parametrize("echo_server", ["echo_auth", "echo_json"], indirect=True)
def test_an_echoed_write_shows_no_token_and_no_password(echo_server: EchoServer) -> None:
    client = SupersetClient(echo_server.url, "admin", PASSWORD)
    with pytest.raises(SupersetError) as info:
        client.import_bundle(b"PK-zip", passwords={"databases/db.yaml": DB_PASSWORD})
    message = info.value.message
    assert "POST /api/v1/assets/import/" in message
    assert_scrubbed(message)


@pytest.mark.parametrize("echo_server", ["echo_redirect"], indirect=True)
def test_a_redirect_location_shows_no_token(echo_server: EchoServer) -> None:
    client = SupersetClient(echo_server.url, "admin", PASSWORD)
    with pytest.raises(SupersetError) as info:
        client.import_bundle(b"PK-zip")
    assert "redirected to /login/" in info.value.message
    assert_scrubbed(info.value.message)
