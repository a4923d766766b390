"""SupersetClient: our HTTP client for Superset's REST API, on requests.

Thin verbs over one `request()` that handles what every call needs: login and
token refresh, CSRF for writes, `Accept: application/json`, timeouts, retries
of safe calls, and one place that turns a non-2xx answer into a SupersetError
carrying Superset's own error payload. Nothing touches the network before the
first call.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import re
import ssl
import time
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

import prison
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.retry import Retry

from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.model.secrets import MASK, CleartextWarning, scrub, travels_in_clear
from aspects_assets.model.snapshot import ExportFiles, ServerInfo
from aspects_assets.project.settings import Settings

API = "/api/v1"
# The rows a list page is asked for. Superset answers at most FAB_API_MAX_PAGE_SIZE
# (100 unless the operator raised it; -1 is no cap), each endpoint at most its own
# cap: the first page's rows, when fewer than counted, are the page size that the
# other pages are read with. A page costs Superset about 0.1 s before its first
# row, so a raised cap cuts the lists of a large instance several times.
PAGE_SIZE = 1000
# The order of the lists Superset gives none of its own (no `base_order`) and that may
# be longer than a page: without ORDER BY the database may order each page's query its
# own way (the plan changes with the OFFSET), and a row is then on two pages or on
# none (a role's permissions were set without the pairs a page left out). By id where
# Superset allows it.
LIST_ORDER: dict[str, tuple[str, str]] = {
    "security/permissions-resources": ("id", "asc"), "security/roles": ("id", "asc"),
    "security/users": ("id", "asc"), "dataset": ("changed_on_delta_humanized", "desc")}
ENDPOINT_OF_KIND = {"database": "database", "dataset": "dataset", "chart": "chart",
                    "dashboard": "dashboard"}
# Retries with backoff for connection errors and 502/503/504, on safe calls only.
# A connection that was never made is retried for every method (the server got
# nothing); TLS and other errors are not retried at all: they do not go away.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONNECT_ATTEMPTS = 3  # retries: a call tries to connect at most CONNECT_ATTEMPTS + 1 times
REFRESH_MARGIN_S = 60
REFRESH_MARGIN_SHARE = 0.25  # of a token's lifetime, when that is shorter than 4 minutes


# The login form's CSRF field, as Superset renders it into the login page.
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def retry_policy() -> Retry:
    return Retry(
        total=CONNECT_ATTEMPTS,
        connect=CONNECT_ATTEMPTS,
        read=2,
        status=3,
        other=0,
        backoff_factor=0.5,
        status_forcelist=(502, 503, 504),
        allowed_methods=SAFE_METHODS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def _token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, read without verifying it (the server does that)."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _renewal_time(token: str) -> float | None:
    """When to renew a token: REFRESH_MARGIN_S before its `exp`, or a quarter of
    its lifetime before it when it lives less than four margins (a server with
    short tokens would otherwise be asked for a new one before every call)."""
    claims = _token_claims(token)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float):
        return None
    margin = float(REFRESH_MARGIN_S)
    if isinstance(iat, int | float) and exp - iat < 4 * REFRESH_MARGIN_S:
        margin = (exp - iat) * REFRESH_MARGIN_SHARE
    return float(exp) - margin


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost error of a requests/urllib3 chain (MaxRetryError's reason, ...)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in exc.args if isinstance(a, BaseException)), None)
        if inner is None:
            inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return exc


def _connection_error_text(url: str, method: str, path: str,
                           exc: requests.exceptions.ConnectionError) -> str:
    """One sentence for a failed connection: never made, or lost on the way."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # MaxRetryError → what ended the retries
    if isinstance(reason, NameResolutionError):
        host = urlsplit(url).hostname
        return (f"cannot reach Superset at {url}: the host name {host!r} does not resolve "
                f"(tried {CONNECT_ATTEMPTS + 1} times): is the URL right?")
    if isinstance(reason, NewConnectionError | ConnectTimeoutError):
        return (f"cannot reach Superset at {url} after {CONNECT_ATTEMPTS + 1} attempts: "
                "is it running, and is the URL right?")
    return (f"the connection to Superset at {url} was lost during {method} {path} "
            f"({type(_root_cause(exc)).__name__}): the server stopped, restarted or is "
            "not Superset")


def _quoted(text: str, known: Iterable[str | None]) -> str:
    """At most 200 characters of what a server said, scrubbed of secrets first
    (so that cutting cannot leave part of one)."""
    text = scrub(text.strip().replace("\n", " "), known)
    return text[:200] + ("…" if len(text) > 200 else "")


def _error_text(response: requests.Response, known: Iterable[str | None]) -> tuple[str, Any]:
    """Superset's own error message and payload, or the start of a non-JSON body;
    whatever is quoted is scrubbed of the password, the tokens (`known`) and
    anything that looks like one: a server may echo the request."""
    try:
        payload = response.json()
    except ValueError:
        return _quoted(response.text, known) or response.reason, None
    if isinstance(payload, dict):
        message = payload.get("message") or payload.get("msg")
        if message is None and payload.get("errors"):
            first = payload["errors"][0]
            message = first.get("message") if isinstance(first, dict) else first
        text = json.dumps(message, ensure_ascii=False) if not isinstance(message, str) else message
        return (scrub(text, known) if text else "") or response.reason, payload
    return _quoted(str(payload), known), payload


class SupersetClient:
    """One authenticated session with one Superset."""

    def __init__(self, url: str, username: str, password: str, *,
                 session: requests.Session | None = None,
                 timeout: tuple[float, float] = (5.0, 300.0),
                 workers: int = 4) -> None:
        self.url = url.rstrip("/")
        self.username = username
        self._password = password
        self.timeout = timeout
        self.workers = workers
        self.session = session or requests.Session()
        if session is None:
            adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=workers * 2)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["Referer"] = self.url + "/"
        self._access: str | None = None
        self._renew_at: float | None = None
        self._refresh: str | None = None
        self._csrf: str | None = None
        self._info: ServerInfo | None = None
        # What our Superset extension offers beyond embedded uuids (its `info`).
        self._extension_features: frozenset[str] = frozenset()
        self._tagging: bool | None = None
        self._users: dict[str, int] | None = None
        self._warned_clear_text = False
        self._sent_passwords: set[str] = set()  # databases' passwords this session sent
        # endpoint → the rows a list page of it holds, where one showed fewer than counted
        self._page_sizes: dict[str, int] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> SupersetClient:
        """A client for the Superset the settings name; a missing URL, user or
        password is an input error saying where to set it."""
        server = settings.superset
        if not server.url:
            raise InputError("no Superset URL: set `superset.url` in the settings or "
                             "SUPERSET_URL")
        if not server.username:
            raise InputError("no Superset user: set `superset.username` in the settings or "
                             "SUPERSET_USERNAME")
        if server.password is None:
            raise InputError("no Superset password: set SUPERSET_PASSWORD (it is never read "
                             "from the settings file)")
        return cls(server.url, server.username, server.password)

    def __repr__(self) -> str:
        return f"SupersetClient({self.url!r}, username={self.username!r})"

    # -- the one place that talks HTTP -------------------------------------------------

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else f"{self.url}{path}"
        kwargs.setdefault("timeout", self.timeout)
        if method not in SAFE_METHODS:
            # A redirect on a write drops the body and ends on an HTML login page.
            kwargs.setdefault("allow_redirects", False)
        try:
            return self.session.request(method, url, **kwargs)
        except requests.exceptions.SSLError as exc:
            cause = _root_cause(exc)
            if isinstance(cause, ssl.SSLCertVerificationError):
                raise SupersetError(
                    f"TLS verification failed for {self.url}: the server's certificate is not "
                    f"trusted ({cause.verify_message}; for a private CA set REQUESTS_CA_BUNDLE "
                    "to its certificate file)") from exc
            raise SupersetError(
                f"TLS handshake with {self.url} failed ({getattr(cause, 'reason', None) or cause}):"
                " is the server speaking HTTPS on that port (or should the URL start with "
                "http://)?") from exc
        except requests.exceptions.ConnectionError as exc:
            raise SupersetError(_connection_error_text(self.url, method, path, exc)) from exc
        except requests.exceptions.Timeout as exc:
            raise SupersetError(f"Superset at {self.url} did not answer {method} {path} within "
                                f"{self.timeout[1]:.0f} s") from exc
        except requests.exceptions.RequestException as exc:
            raise SupersetError(f"request to {self.url} failed: {exc}") from exc

    def _check(self, response: requests.Response, method: str, path: str) -> requests.Response:
        if 200 <= response.status_code < 300:
            content_type = response.headers.get("Content-Type", "")
            if "text/html" in content_type:
                raise SupersetError(
                    f"{method} {path}: Superset answered with an HTML page instead of JSON "
                    "(a login redirect or a proxy page)", status=response.status_code)
            return response
        if 300 <= response.status_code < 400:
            where = scrub(str(response.headers.get("Location")), self._secrets())
            raise SupersetError(
                f"{method} {path}: Superset redirected to {where} "
                "(a missing CSRF token or a wrong URL)", status=response.status_code)
        message, payload = _error_text(response, self._secrets())
        raise SupersetError(f"Superset answered {response.status_code} to {method} {path}: "
                            f"{message}", status=response.status_code, payload=payload)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An authenticated call; refreshes the token before expiry and once on 401."""
        self._ensure_token()
        if method not in SAFE_METHODS:
            self._ensure_csrf()
        response = self._send(method, path, headers=self._auth_headers(method), **kwargs)
        if response.status_code == 401:
            self._renew_token()
            if method not in SAFE_METHODS:
                self._csrf = None
                self._ensure_csrf()
            response = self._send(method, path, headers=self._auth_headers(method), **kwargs)
        return self._check(response, method, path)

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    # -- authentication -----------------------------------------------------------------

    def _secrets(self) -> tuple[str | None, ...]:
        """What this session must never quote back: the password, its tokens and
        the database passwords it sent."""
        return (self._password, self._access, self._refresh, self._csrf,
                *self._sent_passwords)

    def _auth_headers(self, method: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._access}"}
        if method not in SAFE_METHODS and self._csrf:
            headers["X-CSRFToken"] = self._csrf
        return headers

    def login(self) -> None:
        if travels_in_clear(self.url) and not self._warned_clear_text:
            self._warned_clear_text = True
            warnings.warn(CleartextWarning(
                f"{self.url} is plain http to another machine: the Superset password and the "
                "session's tokens travel in clear text; use https://"), stacklevel=2)
        body = {"username": self.username, "password": self._password, "provider": "db",
                "refresh": True}
        path = f"{API}/security/login"
        response = self._send("POST", path, json=body)
        if response.status_code == 401:
            raise SupersetError(
                f"Superset at {self.url} refused the login of user {self.username!r}: wrong "
                "username or password (set SUPERSET_USERNAME and SUPERSET_PASSWORD)",
                status=401)
        if response.status_code in (404, 405, 501) or 300 <= response.status_code < 400:
            where = response.headers.get("Location")
            where = scrub(where, self._secrets()) if where else None
            raise SupersetError(
                f"no Superset login at {self.url}{path} (the server answered "
                f"{response.status_code}{' to ' + where if where else ''}): is the URL the "
                "address of Superset itself?", status=response.status_code)
        try:
            data = self._check(response, "POST", path).json()
            token = data["access_token"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SupersetError(
                f"{self.url} answered the login without an access token: is the URL the "
                "address of Superset itself?", status=response.status_code) from exc
        self._set_access(token)
        self._refresh = data.get("refresh_token")
        if not self._session_login():
            self._refuse_public_reads()
        self._csrf = None  # the session is new: so is its CSRF token

    def _session_login(self) -> bool:
        """Log in as the browser does, too: a session cookie beside the token.
        Flask-AppBuilder serves an endpoint that the Public role may use as public
        before it looks at any token (`protect()`, `is_item_public`), so a token
        alone is anonymous there (Open edX Aspects' roles give Public `can_read` on
        charts and dashboards: a token saw none of them). A session is read on
        every request, public or not."""
        page = self._send("GET", "/login/", headers={"Accept": "text/html"},
                          allow_redirects=False)
        field = _CSRF_FIELD.search(page.text) if page.status_code == 200 else None
        if field is None:
            return False
        response = self._send("POST", "/login/", headers={"Accept": "text/html"},
                              data={"username": self.username, "password": self._password,
                                    "csrf_token": html.unescape(field.group(1))})
        # Flask-AppBuilder sends a failed login back to the form (/login/?next=...)
        if response.status_code not in (302, 303) or urlsplit(
                response.headers.get("Location", "")).path.rstrip("/").endswith("/login"):
            return False
        me = self._send("GET", f"{API}/me/")
        if me.status_code == 403:
            # Logged in, but a role without `can_read` on the current user's API
            # (Aspects' Instructor): FAB answers 401 to a visitor who is not.
            return True
        try:
            return bool(me.status_code == 200
                        and me.json()["result"]["username"] == self.username)
        except (ValueError, KeyError, TypeError):
            return False

    def _refuse_public_reads(self) -> None:
        """Without a session, a token is anonymous on what the Public role may read:
        the tool would see only what an anonymous visitor sees, and act on that."""
        # A request of its own: no session cookie, no token.
        probe = requests.Request("GET", f"{self.url}{API}/dashboard/",
                                 params={"q": prison.dumps({"page_size": 1})},
                                 headers={"Accept": "application/json"}).prepare()
        try:
            anonymous = self.session.send(probe, timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.RequestException:
            return  # the login just worked: a failed probe is no sign of public reads
        if anonymous.status_code == 200:
            raise SupersetError(
                f"Superset at {self.url} lets anonymous visitors list dashboards (its Public "
                "role may read them), and the form login at /login/ as user "
                f"{self.username!r} did not succeed: with a token alone, Superset would show "
                "this tool only what the Public role sees. Allow the form login (AUTH_DB or "
                "AUTH_LDAP) for this user, or remove `can read` on Dashboard and Chart from "
                "the Public role.")

    def _set_access(self, token: str) -> None:
        self._access = token
        self._renew_at = _renewal_time(token)

    def _renew_token(self) -> None:
        if self._refresh:
            path = f"{API}/security/refresh"
            response = self._send("POST", path,
                                  headers={"Authorization": f"Bearer {self._refresh}"})
            if response.status_code == 200:
                self._set_access(response.json()["access_token"])
                return
        self.login()

    def _ensure_token(self) -> None:
        if self._access is None:
            self.login()
        elif self._renew_at is not None and self._renew_at <= time.time():
            self._renew_token()

    def _ensure_csrf(self) -> None:
        if self._csrf is None:
            path = f"{API}/security/csrf_token/"
            response = self._send("GET", path, headers=self._auth_headers("GET"))
            self._csrf = self._check(response, "GET", path).json()["result"]

    # -- server --------------------------------------------------------------------------

    def info(self) -> ServerInfo:
        """The server's version and what it accepts (asked once)."""
        if self._info is None:
            self._ensure_token()
            response = self._send("GET", "/version")
            version = "5.0"
            if response.status_code == 200 and "json" in response.headers.get(
                    "Content-Type", ""):
                version = str(response.json().get("version_string") or "6.1").split("-")[0]
            answer = self._send("GET", f"{API}/aspects_assets/info",
                                headers=self._auth_headers("GET"))
            extension = answer.status_code == 200
            if extension:
                with contextlib.suppress(ValueError, AttributeError, TypeError):
                    self._extension_features = frozenset(
                        answer.json()["result"].get("features") or ())
            major_minor = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
            self._info = ServerInfo(version=version, sparse_import=major_minor >= (6, 1),
                                    extension=extension)
        return self._info

    # -- reading -------------------------------------------------------------------------

    def list_all(self, endpoint: str, columns: Iterable[str],
                 filters: Iterable[Mapping[str, Any]] = (), *,
                 expected: int = 0) -> list[dict[str, Any]]:
        """Every row of a list endpoint; pages after the first are fetched in parallel.
        `expected`: how many rows the caller expects (the project record knows): once
        a page of the endpoint has shown its page size, the pages up to that many are
        asked for at once, without waiting for the first page's count. Rows that are
        not as many as Superset counts (a row changed while the pages were read moves
        between them) are read again, once."""
        columns = list(columns)
        rows = self._list_pages(endpoint, columns, filters, expected)
        if not _whole(rows):
            rows = self._list_pages(endpoint, columns, filters, expected)
            if not _whole(rows):
                raise SupersetError(f"the list of {endpoint} changed twice while it was read "
                                    "page by page: run again")
        return rows.rows

    def _list_pages(self, endpoint: str, columns: list[str],
                    filters: Iterable[Mapping[str, Any]], expected: int) -> Listed:
        def page(n: int) -> dict[str, Any]:
            query: dict[str, Any] = {"columns": columns, "page": n, "page_size": PAGE_SIZE}
            if filters:
                query["filters"] = [dict(f) for f in filters]
            if endpoint in LIST_ORDER:
                query["order_column"], query["order_direction"] = LIST_ORDER[endpoint]
            result: dict[str, Any] = self.get_json(f"{API}/{endpoint}/",
                                                   params={"q": prison.dumps(query)})
            return result

        # Until a first page has shown the endpoint's page size, it is read alone.
        size = self._page_sizes.get(endpoint, PAGE_SIZE)
        guessed = max(1, -(-expected // size)) if endpoint in self._page_sizes else 1
        if guessed == 1:
            answers = [page(0)]
        else:
            with ThreadPoolExecutor(self.workers) as pool:
                answers = list(pool.map(page, range(guessed)))
        count = int(answers[0].get("count", 0))
        first = len(answers[0].get("result") or [])
        if 0 < first < count:
            size = self._page_sizes[endpoint] = first
        pages = -(-count // size)
        if pages > guessed:
            with ThreadPoolExecutor(self.workers) as pool:
                answers += pool.map(page, range(guessed, pages))
        return Listed(count, [row for data in answers[:max(pages, 1)]
                              for row in data.get("result") or []])

    def chart_data(self, query_context: Mapping[str, Any]) -> dict[str, Any]:
        """Run a chart's query (`POST /api/v1/chart/data`): Superset's answer."""
        result: dict[str, Any] = self.request("POST", f"{API}/chart/data",
                                              json=dict(query_context)).json()
        return result

    def export(self, kind: str, ids: list[int]) -> dict[str, bytes]:
        """Export assets by id: file path inside the ZIP (without its top folder) → bytes."""
        files: dict[str, bytes] = {}
        if not ids:
            return files
        batch = 200
        chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]

        def one(chunk: list[int]) -> bytes:
            return self.request("GET", f"{API}/{ENDPOINT_OF_KIND[kind]}/export/",
                                params={"q": prison.dumps(chunk)}).content

        with ThreadPoolExecutor(self.workers) as pool:
            for content in pool.map(one, chunks):
                files.update(unzip_bundle(content))
        return files

    def export_all(self) -> dict[str, bytes]:
        """Every asset of the Superset in one export (`/api/v1/assets/export/`)."""
        return unzip_bundle(self.request("GET", f"{API}/assets/export/").content)

    # Reading only (a comparison, pull), not a backup: what the export says. Our
    # extension's export runs Superset's own export commands but hands over the data
    # instead of writing YAML (two thirds of an export's time on the server), and
    # leaves out the related assets; without it, Superset's own export.

    def export_data(self, kind: str, ids: list[int]) -> ExportFiles:
        """What the export of these assets (by id) says; with the extension, without
        their related assets."""
        if not self._exports_data():
            return self.export(kind, ids)
        files: dict[str, bytes | dict[str, Any]] = {}
        batch = 200  # ids in the query string: well under gunicorn's 4 KB request line
        chunks = [ids[i:i + batch] for i in range(0, len(ids), batch)]
        with ThreadPoolExecutor(self.workers) as pool:
            for part in pool.map(lambda chunk: self._extension_export(
                    {"kind": kind, "ids": ",".join(map(str, chunk))}), chunks):
                files.update(part)
        return files

    def export_all_data(self) -> ExportFiles:
        """What the export of every asset says."""
        if not self._exports_data():
            return self.export_all()
        return self._extension_export({})

    def _exports_data(self) -> bool:
        self.info()
        return "export" in self._extension_features

    def _extension_export(self, params: Mapping[str, str]) -> dict[str, bytes | dict[str, Any]]:
        result = self.get_json(f"{API}/aspects_assets/export/", params=dict(params))["result"]
        files: dict[str, bytes | dict[str, Any]] = dict(result.get("data") or {})
        files.update((path, str(text).encode()) for path, text in
                     (result.get("text") or {}).items())
        return files

    # -- writing -------------------------------------------------------------------------

    def import_bundle(self, bundle: bytes, *, passwords: Mapping[str, str] | None = None,
                      sparse: bool = False) -> None:
        data: dict[str, str] = {"overwrite": "true"}
        # Superset's own mask is never a password: sent back, it would replace the real one.
        passwords = {k: v for k, v in (passwords or {}).items() if v and v != MASK}
        if passwords:
            data["passwords"] = json.dumps(passwords)
            self._sent_passwords.update(passwords.values())
        if sparse:
            data["sparse"] = "true"
        self.request("POST", f"{API}/assets/import/", data=data,
                     files={"bundle": ("bundle.zip", bundle, "application/zip")})

    def delete(self, kind: str, ids: list[int]) -> None:
        if ids:
            self.request("DELETE", f"{API}/{ENDPOINT_OF_KIND[kind]}/",
                         params={"q": prison.dumps(ids)})

    def delete_one(self, kind: str, pk: int) -> None:
        self.request("DELETE", f"{API}/{ENDPOINT_OF_KIND[kind]}/{pk}")

    # -- roles and embedding ---------------------------------------------------------------

    def roles(self) -> dict[str, int]:
        """Role name → id."""
        try:
            rows = self.list_all("security/roles", ["id", "name"])
        except SupersetError as exc:
            if exc.status != 404:
                raise
            raise SupersetError(
                f"Superset at {self.url} has no role API (/api/v1/security/roles/), which "
                "setting dashboard roles needs: set FAB_ADD_SECURITY_API = True in its "
                "superset_config.py (the default from Superset 6.1 on)", status=404) from exc
        return {str(r["name"]): int(r["id"]) for r in rows}

    def create_role(self, name: str) -> int:
        result = self.request("POST", f"{API}/security/roles/", json={"name": name}).json()
        return int(result["id"])

    def dashboard(self, id_or_slug: int | str) -> dict[str, Any]:
        result: dict[str, Any] = self.get_json(f"{API}/dashboard/{id_or_slug}")["result"]
        return result

    def set_dashboard_roles(self, dashboard_id: int, role_ids: list[int]) -> None:
        self.request("PUT", f"{API}/dashboard/{dashboard_id}", json={"roles": role_ids})

    def embedded(self, dashboard_id: int) -> dict[str, Any] | None:
        self._ensure_token()
        path = f"{API}/dashboard/{dashboard_id}/embedded"
        response = self._send("GET", path, headers=self._auth_headers("GET"))
        if response.status_code == 404:
            return None
        result: dict[str, Any] = self._check(response, "GET", path).json()["result"]
        return result

    def set_embedded(self, dashboard_id: int, domains: list[str],
                     embedded_uuid: str | None = None, *,
                     allow_any_domain: bool = False) -> dict[str, Any]:
        """Create or update a dashboard's embedding. With `embedded_uuid` (our
        Superset-side extension) the embedded uuid is the one given. An empty
        list, which Superset takes as "every site may embed", is sent only with
        `allow_any_domain` (and then said so to the extension)."""
        if not domains and not allow_any_domain:
            raise InputError(f"dashboard {dashboard_id}: an empty allowed_domains would let "
                             "every site embed it; nothing was sent")
        if embedded_uuid is not None:
            body: dict[str, Any] = {"uuid": embedded_uuid, "allowed_domains": domains}
            if allow_any_domain:
                body["allow_any_domain"] = True
            result: dict[str, Any] = self.request(
                "PUT", f"{API}/aspects_assets/embedded/{dashboard_id}", json=body).json()["result"]
            return result
        result = self.request("PUT", f"{API}/dashboard/{dashboard_id}/embedded",
                              json={"allowed_domains": domains}).json()["result"]
        return result

    def embedded_by_uuid(self, embedded_uuid: str) -> dict[str, Any]:
        result: dict[str, Any] = self.get_json(f"{API}/embedded_dashboard/{embedded_uuid}")[
            "result"]
        return result

    # -- owners ---------------------------------------------------------------------------

    def users(self) -> dict[str, int]:
        """Username → user id, of every user (read once per run)."""
        if self._users is None:
            try:
                rows = self.list_all("security/users", ["id", "username"])
            except SupersetError as exc:
                if exc.status != 404:
                    raise
                raise SupersetError(
                    f"Superset at {self.url} has no user API (/api/v1/security/users/), which "
                    "setting `owners` needs: set FAB_ADD_SECURITY_API = True in its "
                    "superset_config.py (the default from Superset 6.1 on)",
                    status=404) from exc
            self._users = {str(r["username"]): int(r["id"]) for r in rows}
        return dict(self._users)

    def set_owners(self, kind: str, pk: int, user_ids: list[int]) -> None:
        """Make these users exactly the owners of a dataset, chart or dashboard."""
        self.request("PUT", f"{API}/{kind}/{pk}", json={"owners": user_ids})

    # -- tags ---------------------------------------------------------------------------

    def tagging_enabled(self) -> bool:
        """Whether Superset's TAGGING_SYSTEM flag is on (asked once). Its tag API
        answers either way; its tag view (`/tagview/tags/`) only with the flag on."""
        if self._tagging is None:
            self._ensure_token()
            path = "/tagview/tags/"
            response = self._send("GET", path, headers=self._auth_headers("GET"))
            if response.status_code == 404:
                self._tagging = False
            else:
                self._check(response, "GET", path)
                self._tagging = True
        return self._tagging

    def tag_objects(self, name: str, objects: list[tuple[str, int]]) -> None:
        """Give these charts and dashboards ((kind, id)) the custom tag `name`, made if
        missing; tags they have stay (one request for all of them)."""
        path = f"{API}/tag/bulk_create"
        result = self.request("POST", path, json={"tags": [
            {"name": name, "objects_to_tag": [[kind, pk] for kind, pk in objects]}]}).json()
        skipped = (result.get("result") or {}).get("objects_skipped") or []
        if skipped:
            raise SupersetError(f"POST {path}: Superset did not give the tag {name!r} to "
                                f"{len(skipped)} object(s) ({skipped[:5]}): the user "
                                f"{self.username!r} may not change them")

    def untag(self, kind: str, object_id: int, name: str) -> None:
        """Remove the custom tag `name` from one chart or dashboard."""
        object_type = {"chart": 2, "dashboard": 3}[kind]  # superset.tags.models.ObjectType
        self.request("DELETE", f"{API}/tag/{object_type}/{object_id}/{quote(name, safe='')}/")

    # -- role permissions ------------------------------------------------------------------

    def permission_pairs(self) -> dict[tuple[str, str], int]:
        """(permission name, view menu name) → the id of that permission on that view."""
        rows = self.list_all("security/permissions-resources",
                             ["id", "permission.name", "view_menu.name"])
        return {(str(r["permission"]["name"]), str(r["view_menu"]["name"])): int(r["id"])
                for r in rows if r.get("permission") and r.get("view_menu")}

    def role_permissions(self, role_id: int) -> frozenset[tuple[str, str]]:
        rows = self.get_json(f"{API}/security/roles/{role_id}/permissions/")["result"]
        return frozenset((str(r["permission_name"]), str(r["view_menu_name"])) for r in rows)

    def all_role_permissions(self, ids: Mapping[str, int]
                             ) -> dict[str, frozenset[tuple[str, str]]]:
        """Role name → its permissions, for the roles given (one request each, in
        parallel)."""
        names = sorted(ids)
        with ThreadPoolExecutor(self.workers) as pool:
            sets = list(pool.map(lambda n: self.role_permissions(ids[n]), names))
        return dict(zip(names, sets, strict=True))

    def set_role_permissions(self, role_id: int, permission_ids: list[int]) -> None:
        """Replace the role's permissions with exactly these."""
        self.request("POST", f"{API}/security/roles/{role_id}/permissions",
                     json={"permission_view_menu_ids": sorted(permission_ids)})

    def delete_role(self, role_id: int) -> None:
        self.request("DELETE", f"{API}/security/roles/{role_id}")

    def role_holders(self, role_id: int) -> int:
        """How many users hold the role (one request, whatever their number)."""
        query = {"filters": [{"col": "roles", "opr": "rel_m_m", "value": role_id}],
                 "columns": ["id"], "page_size": 1}
        result = self.get_json(f"{API}/security/users/", params={"q": prison.dumps(query)})
        return int(result["count"])

    # -- themes (Superset 6) --------------------------------------------------------------

    def themes(self) -> list[dict[str, Any]] | None:
        """Every theme, or None where Superset has no themes (5.0)."""
        try:
            return self.list_all("theme", ["id", "uuid", "theme_name", "json_data", "is_system",
                                           "is_system_default", "is_system_dark"])
        except SupersetError as exc:
            if exc.status == 404:
                return None
            raise

    def import_theme(self, content: bytes) -> None:
        """Create or overwrite one theme from its export file (the uuid is kept)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("theme_export/metadata.yaml",
                             "version: 1.0.0\ntype: Theme\ntimestamp: '2026-01-01T00:00:00'\n")
            archive.writestr("theme_export/themes/theme.yaml", content)
        self.request("POST", f"{API}/theme/import/", data={"overwrite": "true"},
                     files={"formData": ("themes.zip", buffer.getvalue(), "application/zip")})

    def delete_theme(self, pk: int) -> None:
        self.request("DELETE", f"{API}/theme/{pk}")

    def set_system_theme(self, pk: int, slot: str) -> None:
        """Make the theme Superset's system default (`default_theme`) or dark theme."""
        path = "set_system_default" if slot == "default_theme" else "set_system_dark"
        self.request("PUT", f"{API}/theme/{pk}/{path}")

    def unset_system_theme(self, slot: str) -> None:
        path = "unset_system_default" if slot == "default_theme" else "unset_system_dark"
        self.request("DELETE", f"{API}/theme/{path}")

    def set_dashboard_theme(self, dashboard_id: int, theme_id: int | None) -> None:
        self.request("PUT", f"{API}/dashboard/{dashboard_id}", json={"theme_id": theme_id})

    # -- row-level security filters -------------------------------------------------------

    def rls_filters(self) -> list[dict[str, Any]]:
        """Every filter with its roles and table ids (the list endpoint has no
        description: each filter's own GET adds it)."""
        rows = self.list_all("rowlevelsecurity", ["id", "name", "filter_type", "tables.id",
                                                  "roles.name", "clause", "group_key"])

        def described(row: dict[str, Any]) -> dict[str, Any]:
            shown = self.get_json(f"{API}/rowlevelsecurity/{row['id']}")["result"]
            return {**row, "description": shown.get("description")}

        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(described, rows))

    def create_rls(self, body: Mapping[str, Any]) -> int:
        result = self.request("POST", f"{API}/rowlevelsecurity/", json=dict(body)).json()
        return int(result["id"])

    def update_rls(self, pk: int, body: Mapping[str, Any]) -> None:
        self.request("PUT", f"{API}/rowlevelsecurity/{pk}", json=dict(body))

    def delete_rls(self, pk: int) -> None:
        self.request("DELETE", f"{API}/rowlevelsecurity/{pk}")

    # -- CSS templates: where the project's record lives ------------------------------

    def find_css_template(self, name: str) -> dict[str, Any] | None:
        rows = self.list_all("css_template", ["id", "template_name", "css", "changed_on"],
                         [{"col": "template_name", "opr": "eq", "value": name}])
        return rows[0] if rows else None

    def create_css_template(self, name: str, css: str) -> int:
        result = self.request("POST", f"{API}/css_template/",
                              json={"template_name": name, "css": css}).json()
        return int(result["id"])

    def update_css_template(self, pk: int, name: str, css: str) -> None:
        self.request("PUT", f"{API}/css_template/{pk}", json={"template_name": name, "css": css})

    def delete_css_template(self, pk: int) -> None:
        self.request("DELETE", f"{API}/css_template/{pk}")


class Listed(NamedTuple):
    counted: int  # as Superset counted them on the first page
    rows: list[dict[str, Any]]


def _whole(listed: Listed) -> bool:
    """As many distinct rows as Superset counts (by id, or uuid where the rows have
    no id; rows with neither are taken as they are)."""
    for key in ("id", "uuid"):
        if listed.rows and all(key in row for row in listed.rows):
            return len({str(row[key]) for row in listed.rows}) == listed.counted
    return True


def unzip_bundle(content: bytes) -> dict[str, bytes]:
    """A Superset export ZIP's files, keyed by path without the top folder."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            _, _, inner = name.partition("/")
            files[inner] = archive.read(name)
    return files

