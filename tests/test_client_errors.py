"""SupersetClient's error paths that a real Superset cannot be made to produce on
demand: a fake adapter mounted on the client's own requests.Session answers.

Everything a real server can do is tested against one in tests/integration/.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import prison
import pytest
import requests
from requests.adapters import BaseAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, SSLError
from urllib3.exceptions import NewConnectionError as Urllib3NewConnectionError

from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.superset.client import (
    CONNECT_ATTEMPTS,
    REFRESH_MARGIN_S,
    SupersetClient,
    retry_policy,
)

URL = "https://superset.test"
Handler = Callable[[requests.PreparedRequest], requests.Response]


ISSUED = iter(range(1_000_000))


def jwt(lifetime: float) -> str:
    now = int(time.time())
    claims = {"iat": now, "exp": now + int(lifetime), "sub": "1", "jti": next(ISSUED)}
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{body}.sig"


def response(status: int, body: Any = None, *, content_type: str = "application/json",
             headers: dict[str, str] | None = None) -> requests.Response:
    out = requests.Response()
    out.status_code = status
    out.reason = {200: "OK", 302: "FOUND", 401: "UNAUTHORIZED", 404: "NOT FOUND",
                  500: "INTERNAL SERVER ERROR"}.get(status, "")
    raw = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    out._content = raw.encode()
    out.headers["Content-Type"] = content_type
    out.headers.update(headers or {})
    return out


class FakeAdapter(BaseAdapter):
    """Answers every request with `handler`, and remembers what was sent."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        answer = self.handler(request)
        answer.request = request
        answer.url = request.url or ""
        return answer

    def close(self) -> None:
        pass

    def paths(self) -> list[str]:
        return [f"{r.method} {(r.path_url or '').split('?')[0]}" for r in self.sent]


def superset(routes: dict[str, Handler | requests.Response],
             token_lifetime: float = 900) -> Handler:
    """A fake Superset: login, refresh and CSRF work; `routes` answers the rest."""
    def handle(request: requests.PreparedRequest) -> requests.Response:
        key = f"{request.method} {(request.path_url or '').split('?')[0]}"
        if key in routes:
            route = routes[key]
            return route(request) if callable(route) else route
        if key == "POST /api/v1/security/login":
            return response(200, {"access_token": jwt(token_lifetime),
                                  "refresh_token": "refresh"})
        if key == "POST /api/v1/security/refresh":
            return response(200, {"access_token": jwt(token_lifetime)})
        if key == "GET /api/v1/security/csrf_token/":
            return response(200, {"result": "csrf"})
        return response(404, {"message": "Not found"})
    return handle


def client_with(handler: Handler) -> tuple[SupersetClient, FakeAdapter]:
    session = requests.Session()
    adapter = FakeAdapter(handler)
    session.mount("https://", adapter)
    return SupersetClient(URL, "admin", "admin", session=session), adapter


def test_import_failure_keeps_supersets_message_and_payload() -> None:
    payload = {"errors": [{"message": "Import failed for an unknown reason",
                           "error_type": "GENERIC_COMMAND_ERROR"}],
               "message": "Import failed for an unknown reason"}
    client, adapter = client_with(superset({"POST /api/v1/assets/import/": response(500, payload)}))
    with pytest.raises(SupersetError) as info:
        client.import_bundle(b"zip", sparse=True)
    assert str(info.value.message) == ("Superset answered 500 to POST /api/v1/assets/import/: "
                                       "Import failed for an unknown reason")
    assert info.value.status == 500 and info.value.payload == payload
    assert adapter.paths().count("POST /api/v1/assets/import/") == 1


def test_a_redirected_write_is_an_error_and_is_not_followed() -> None:
    login_page = response(302, "", content_type="text/html",
                          headers={"Location": f"{URL}/login/"})
    client, adapter = client_with(superset({"POST /api/v1/assets/import/": login_page}))
    with pytest.raises(SupersetError, match=r"redirected to .*/login/"):
        client.import_bundle(b"zip")
    assert adapter.paths()[-1] == "POST /api/v1/assets/import/"  # not followed


def test_an_html_page_instead_of_json_is_an_error() -> None:
    page = response(200, "<html>proxy</html>", content_type="text/html")
    client, _ = client_with(superset({"GET /api/v1/chart/": page}))
    with pytest.raises(SupersetError, match="HTML page instead of JSON"):
        client.list_all("chart", ["id"])


@pytest.mark.parametrize("answer", [
    response(200, {"result": "no token here"}),
    response(200, "not json", content_type="application/json"),
])
def test_a_login_answer_without_a_token_is_one_clear_sentence(answer: requests.Response) -> None:
    client, _ = client_with(superset({"POST /api/v1/security/login": answer}))
    with pytest.raises(SupersetError, match="answered the login without an access token: is "
                                            "the URL the address of Superset itself"):
        client.login()


@pytest.mark.parametrize("status", [404, 405, 301])
def test_no_login_endpoint_means_a_wrong_url(status: int) -> None:
    answer = response(status, "<html>nope</html>", content_type="text/html",
                      headers={"Location": "https://elsewhere/"} if status == 301 else None)
    client, adapter = client_with(superset({"POST /api/v1/security/login": answer}))
    with pytest.raises(SupersetError, match=f"no Superset login at {URL}/api/v1/security/"
                                            f"login .*{status}"):
        client.login()
    assert adapter.paths() == ["POST /api/v1/security/login"]


def test_wrong_password_is_one_sentence_and_one_request() -> None:
    client, adapter = client_with(superset({
        "POST /api/v1/security/login": response(401, {"message": "Not authorized"})}))
    with pytest.raises(SupersetError) as info:
        client.list_all("chart", ["id"])
    assert "refused the login of user 'admin': wrong username or password" in info.value.message
    assert "admin'" in info.value.message and "\n" not in info.value.message
    assert adapter.paths() == ["POST /api/v1/security/login"]


def test_a_401_renews_the_token_once_and_repeats_the_call() -> None:
    calls = []

    def charts(request: requests.PreparedRequest) -> requests.Response:
        calls.append(request.headers["Authorization"])
        if len(calls) == 1:
            return response(401, {"msg": "Token has expired"})
        return response(200, {"count": 1, "result": [{"id": 1}]})

    client, adapter = client_with(superset({"GET /api/v1/chart/": charts}))
    assert client.list_all("chart", ["id"]) == [{"id": 1}]
    # (no form login on this fake: the anonymous probe finds no public dashboards)
    assert adapter.paths() == ["POST /api/v1/security/login", "GET /login/",
                               "GET /api/v1/dashboard/", "GET /api/v1/chart/",
                               "POST /api/v1/security/refresh", "GET /api/v1/chart/"]
    assert calls[0] != calls[1]


def test_a_second_401_is_an_error_not_a_loop() -> None:
    client, adapter = client_with(superset({
        "GET /api/v1/chart/": response(401, {"msg": "Token has expired"})}))
    with pytest.raises(SupersetError, match="answered 401 to GET /api/v1/chart/"):
        client.list_all("chart", ["id"])
    assert adapter.paths().count("GET /api/v1/chart/") == 2


def test_a_short_lived_token_is_renewed_before_expiry_but_not_before_every_call() -> None:
    """A 20 s token (a server with a short JWT_ACCESS_TOKEN_EXPIRES) is used for most of
    its life; a 15 min token is renewed REFRESH_MARGIN_S before it expires."""
    ok = response(200, {"count": 0, "result": []})
    client, adapter = client_with(superset({"GET /api/v1/chart/": ok}, token_lifetime=20))
    for _ in range(5):
        client.list_all("chart", ["id"])
    assert adapter.paths().count("POST /api/v1/security/refresh") == 0
    assert client._renew_at is not None
    assert 10 < client._renew_at - time.time() <= 15
    client._renew_at = time.time() - 1
    client.list_all("chart", ["id"])
    assert adapter.paths().count("POST /api/v1/security/refresh") == 1

    client, _ = client_with(superset({"GET /api/v1/chart/": ok}, token_lifetime=900))
    client.login()
    assert client._renew_at is not None
    assert abs(client._renew_at - (time.time() + 900 - REFRESH_MARGIN_S)) < 5


def test_the_masked_password_is_never_sent_as_a_password() -> None:
    seen: list[bytes] = []

    def record(request: requests.PreparedRequest) -> requests.Response:
        seen.append(request.body if isinstance(request.body, bytes) else b"")
        return response(200, {"message": "OK"})

    client, _ = client_with(superset({"POST /api/v1/assets/import/": record}))
    client.import_bundle(b"zip", passwords={"databases/a.yaml": "XXXXXXXXXX",
                                            "databases/b.yaml": "s3cret"})
    (body,) = seen
    assert b"s3cret" in body and b"XXXXXXXXXX" not in body
    client.import_bundle(b"zip", passwords={"databases/a.yaml": "XXXXXXXXXX"})
    assert b'name="passwords"' not in seen[1]


# -- the retry policy, decided by urllib3's Retry: asked directly ----------------------

def test_connection_failures_are_retried_a_bounded_number_of_times_for_every_method() -> None:
    for method in ("GET", "POST"):
        retry = retry_policy()
        error = Urllib3NewConnectionError(None, "refused")  # type: ignore[arg-type]
        for _ in range(CONNECT_ATTEMPTS):
            retry = retry.increment(method=method, url="/", error=error)
        with pytest.raises(MaxRetryError):
            retry.increment(method=method, url="/", error=error)


def test_a_write_is_never_repeated_once_the_server_may_have_it() -> None:
    with pytest.raises(ProtocolError):
        retry_policy().increment(method="POST", url="/api/v1/assets/import/",
                                 error=ProtocolError("Connection aborted."))
    assert not retry_policy().is_retry("POST", 503)
    assert retry_policy().is_retry("GET", 503)


def test_tls_errors_are_not_retried() -> None:
    with pytest.raises(MaxRetryError):
        retry_policy().increment(method="GET", url="/", error=SSLError("certificate verify"))


def test_without_a_form_login_public_dashboards_are_refused_in_one_sentence() -> None:
    # Flask-AppBuilder would serve the list as public and ignore the token: the
    # tool would see what an anonymous visitor sees, so it refuses to go on.
    client, adapter = client_with(superset({
        "GET /api/v1/dashboard/": lambda r: response(
            401 if "Authorization" in r.headers or "Cookie" in r.headers else 200,
            {"count": 0, "result": []})}))
    with pytest.raises(SupersetError) as info:
        client.list_all("dashboard", ["id"])
    assert "Public role" in info.value.message and "\n" not in info.value.message
    assert "admin" not in info.value.message.replace("'admin'", "")  # no password
    probe = adapter.sent[-1]
    assert "Authorization" not in probe.headers and "Cookie" not in probe.headers


def test_the_form_login_gives_a_session_beside_the_token() -> None:
    page = '<input type="hidden" name="csrf_token" id="csrf_token"\n value="tok&#34;1" />'
    posted: list[str] = []

    def form(request: requests.PreparedRequest) -> requests.Response:
        posted.append(str(request.body))
        client.session.cookies.set("session", "s1")  # what Set-Cookie does
        return response(302, "", content_type="text/html", headers={"Location": "/"})

    client, adapter = client_with(superset({
        "GET /login/": response(200, page, content_type="text/html"),
        "POST /login/": form,
        "GET /api/v1/me/": lambda r: response(
            200 if "session=s1" in r.headers.get("Cookie", "") else 401,
            {"result": {"username": "admin"}}),
        "GET /api/v1/dashboard/": response(200, {"count": 0, "result": []}),
    }))
    assert client.list_all("dashboard", ["id"]) == []
    assert "csrf_token=tok%221" in posted[0] and "username=admin" in posted[0]
    listed = [r for r in adapter.sent if (r.path_url or "").startswith("/api/v1/dashboard/")]
    assert len(listed) == 1 and "session=s1" in listed[0].headers.get("Cookie", "")


def test_an_empty_embedding_list_is_sent_only_when_asked_for_by_name() -> None:
    sent: list[Any] = []

    def put(request: requests.PreparedRequest) -> requests.Response:
        sent.append(json.loads(request.body or b"{}"))
        return response(200, {"result": {"uuid": "u", "allowed_domains": []}})

    client, adapter = client_with(superset({"PUT /api/v1/aspects_assets/embedded/7": put,
                                            "PUT /api/v1/dashboard/7/embedded": put}))
    for uuid in ("e1b0c1de-0000-4000-8000-000000000007", None):
        with pytest.raises(InputError, match="would let every site embed it; nothing was sent"):
            client.set_embedded(7, [], embedded_uuid=uuid)
    assert sent == [] and not any("embedded" in p for p in adapter.paths())
    client.set_embedded(7, [], embedded_uuid="e1b0c1de-0000-4000-8000-000000000007",
                        allow_any_domain=True)
    client.set_embedded(7, ["https://lms.example.com"])
    assert sent == [{"uuid": "e1b0c1de-0000-4000-8000-000000000007", "allowed_domains": [],
                     "allow_any_domain": True},
                    {"allowed_domains": ["https://lms.example.com"]}]


def test_a_list_read_with_pages_that_overlap_is_read_again_in_order() -> None:
    """Without an order, a database may order each page's query its own way: a row
    on two pages and another on none. The list is asked in an order, and rows that
    are not as many as Superset counts are read again."""
    pairs = [{"id": n, "permission": {"name": "can_read"}, "view_menu": {"name": f"V{n}"}}
             for n in range(1, 151)]
    queries: list[dict[str, Any]] = []

    def pages(request: requests.PreparedRequest) -> requests.Response:
        query = prison.loads(parse_qs(urlsplit(request.url or "").query)["q"][0])
        queries.append(query)
        start = query["page"] * 100
        if len(queries) == 2:  # the first read's second page: rows of the first page again
            return response(200, {"count": len(pairs), "result": pairs[50:100]})
        return response(200, {"count": len(pairs), "result": pairs[start:start + 100]})

    client, _ = client_with(superset({"GET /api/v1/security/permissions-resources/": pages}))
    assert len(client.permission_pairs()) == 150
    assert len(queries) == 4  # two pages, twice
    assert {(q["order_column"], q["order_direction"]) for q in queries} == {("id", "asc")}


def test_a_list_that_keeps_changing_while_read_is_an_error() -> None:
    def shifting(request: requests.PreparedRequest) -> requests.Response:
        return response(200, {"count": 150, "result": [{"id": 1}]})

    client, _ = client_with(superset({"GET /api/v1/security/roles/": shifting}))
    with pytest.raises(SupersetError) as info:
        client.roles()
    assert info.value.message == ("the list of security/roles changed twice while it was "
                                  "read page by page: run again")


def capped_list(rows: list[dict[str, Any]], cap: int, queries: list[dict[str, Any]]) -> Handler:
    """A list endpoint as Flask-AppBuilder answers it with FAB_API_MAX_PAGE_SIZE = `cap`
    (-1: no cap): a page size asked above the cap is the cap, and so is the offset."""
    def pages(request: requests.PreparedRequest) -> requests.Response:
        query = prison.loads(parse_qs(urlsplit(request.url or "").query)["q"][0])
        queries.append(query)
        size = query["page_size"] if cap == -1 or query["page_size"] <= cap else cap
        start = query["page"] * size
        return response(200, {"count": len(rows), "result": rows[start:start + size]})
    return pages


@pytest.mark.parametrize(("cap", "requests_made"), [(100, 6), (250, 3), (-1, 1)])
def test_a_list_is_read_in_pages_as_large_as_superset_answers(cap: int,
                                                              requests_made: int) -> None:
    """Where the operator raised FAB_API_MAX_PAGE_SIZE, the pages are as large: the
    first page's rows say how large, and every row is read once."""
    roles = [{"id": n, "name": f"Role {n}"} for n in range(1, 551)]
    queries: list[dict[str, Any]] = []
    client, _ = client_with(superset({"GET /api/v1/security/roles/":
                                      capped_list(roles, cap, queries)}))
    assert client.roles() == {r["name"]: r["id"] for r in roles}
    assert len(queries) == requests_made
    assert sorted(q["page"] for q in queries) == list(range(requests_made))


def test_a_list_read_again_with_the_page_size_known_reads_each_row_once() -> None:
    """Once a page has shown the page size, a list whose length the caller expects
    is asked for all its pages together: each of them once."""
    rows = [{"id": n, "uuid": f"u{n}", "changed_on_utc": "2026-01-01"} for n in range(1, 301)]
    queries: list[dict[str, Any]] = []
    client, _ = client_with(superset({"GET /api/v1/chart/": capped_list(rows, 100, queries)}))
    for expected in (300, 300, 250):
        queries.clear()
        assert client.list_all("chart", ["id"], expected=expected) == rows
        assert sorted(q["page"] for q in queries) == [0, 1, 2]
