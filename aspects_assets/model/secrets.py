"""Secrets: Superset's mask, a URI's password, where a secret landed, and the
scrubbing of anything quoted from a server. The one place these rules live.

A URI's password is what SQLAlchemy, and so Superset, reads as one: the
userinfo's (`scheme://user:PASSWORD@host`, SQLAlchemy 1.4's own pattern, decoded)
or a password query parameter (`?password=`). Rendering masks one that came from
the environment and sends it apart, validation refuses one written in clear
text, normalization compares every URI masked, the client never sends the mask
back as a password.

A secret is a value the settings say is one (`Settings.secrets`: value → where
it came from, never the value): it may end up only as a database URI's password,
which is masked; anywhere else in an asset it is refused, naming the place.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urlsplit

from aspects_assets.model.keypath import KeyPath

# Superset's mask for a password in an exported `sqlalchemy_uri`; a source writes
# it where the real password comes from elsewhere.
MASK = "XXXXXXXXXX"
# Query parameters drivers take as the password (psycopg2 and clickhouse-connect
# `password`, PyMySQL `passwd`, ODBC `pwd`).
QUERY_PASSWORD_KEYS = frozenset({"password", "passwd", "pwd"})
# A shorter secret is looked for only as a whole value: as part of a text it
# would turn up in ordinary words by chance.
MIN_SUBSTRING_LENGTH = 4

# sqlalchemy.engine.url._parse_url (1.4, what Superset 5 and 6 use), up to the host.
_USERINFO = re.compile(r"^(?P<scheme>[\w+]+://)(?:(?P<user>[^:/]*)(?::(?P<password>[^@]*))?@)?")
_URI_IN_TEXT = re.compile(r"[\w+]+://[^\s'\"<>]+")
_QUERY_PARAMETER = re.compile(r"(?P<sep>[?&])(?P<key>[^=&#]*)=(?P<value>[^&#]*)")


# -- a URI's password --------------------------------------------------------------------

def _userinfo(uri: str) -> re.Match[str] | None:
    return _USERINFO.match(uri)


def _is_password(parameter: re.Match[str]) -> bool:
    return unquote_plus(parameter["key"]).lower() in QUERY_PASSWORD_KEYS


def _query_passwords(uri: str, userinfo: re.Match[str]) -> Iterator[re.Match[str]]:
    """The password parameters of a URI's query (positions in the whole URI)."""
    start = uri.find("?", userinfo.end())
    if start >= 0:
        yield from filter(_is_password, _QUERY_PARAMETER.finditer(uri, start))


def query_passwords(uri: str, *, decoded: bool = True) -> list[str]:
    """The passwords in a URI's query parameters, decoded or as written."""
    userinfo = _userinfo(uri)
    if userinfo is None:
        return []
    return [unquote_plus(m["value"]) if decoded else m["value"]
            for m in _query_passwords(uri, userinfo) if m["value"]]


def uri_passwords(uri: str, *, decoded: bool = True) -> list[str]:
    """Every password a URI carries (the userinfo's first, then the query's),
    decoded as SQLAlchemy reads it, or as written."""
    userinfo = _userinfo(uri)
    if userinfo is None or not userinfo["password"]:
        return query_passwords(uri, decoded=decoded)
    own = unquote(userinfo["password"]) if decoded else userinfo["password"]
    return [own, *query_passwords(uri, decoded=decoded)]


def uris_in(text: str) -> list[str]:
    """The URIs in a text (a value may be a URI, or a text with one in it)."""
    return _URI_IN_TEXT.findall(text)


def mask_uri(uri: str) -> str:
    """A URI with every password it carries replaced by the mask."""
    userinfo = _userinfo(uri)
    if userinfo is None:
        return uri
    out, at = [], userinfo.end()
    for parameter in _query_passwords(uri, userinfo):
        if parameter["value"]:
            out += [uri[at:parameter.start("value")], MASK]
            at = parameter.end("value")
    rest = "".join(out) + uri[at:]
    if userinfo["password"]:
        return f"{userinfo['scheme']}{userinfo['user']}:{MASK}@{rest}"
    return userinfo[0] + rest


def mask_uris_in(text: str) -> str:
    """A text (a whole file, say) with the passwords of every URI in it masked.

    Line by line, and only the lines with a `://`: a URI never spans lines, and the
    pattern, tried at every letter of a whole file, made this half of the cost of
    hashing the inputs (0.36 s for 24 catalogs)."""
    if "://" not in text:
        return text
    return "\n".join(_URI_IN_TEXT.sub(lambda m: mask_uri(m[0]), line) if "://" in line
                     else line for line in text.split("\n"))


def take_password(uri: str, secrets: Mapping[str, str]) -> tuple[str, str | None]:
    """A URI whose password is a secret, masked, and that password (to send apart
    in the import's `passwords` field); otherwise the URI as it is and None.

    A secret in a query parameter moves to the userinfo, masked: Superset puts the
    password it is given there (and only there) when it connects."""
    userinfo = _userinfo(uri)
    if userinfo is None:
        return uri, None
    head = f"{userinfo['scheme']}{userinfo['user'] or ''}:{MASK}@"
    rest = uri[userinfo.end():]
    own = unquote(userinfo["password"]) if userinfo["password"] else None
    if own is not None and own in secrets:
        return head + rest, own
    if own not in (None, MASK):
        return uri, None  # a clear-text password of its own: validation refuses it
    for query in _query_passwords(uri, userinfo):
        password = unquote_plus(query["value"])
        if password in secrets:
            rest = uri[userinfo.end():query.start()] + uri[query.end():]
            if query["sep"] == "?":  # the first parameter went: the next one opens the query
                rest = re.sub(r"^([^?]*)&", r"\1?", rest, count=1)
            return head + rest, password
    return uri, None


# -- secrets in values -------------------------------------------------------------------

def forms(secret: str) -> set[str]:
    """A secret as it can appear in text: as is, URL-encoded, JSON-escaped."""
    return {secret, quote(secret, safe=""), quote_plus(secret, safe=""),
            json.dumps(secret)[1:-1]}


def _holds(text: str, secret: str) -> bool:
    return text == secret or (len(secret) >= MIN_SUBSTRING_LENGTH and secret in text)


def landings(data: Any, secrets: Mapping[str, str], path: KeyPath = ()
             ) -> Iterator[tuple[KeyPath, str]]:
    """(key path, where the secret came from) for every text in `data` (mapping
    keys included) that holds a secret."""
    if isinstance(data, str):
        origin = next((o for s, o in secrets.items() if _holds(data, s)), None)
        if origin is not None:
            yield path, origin
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from landings(key, secrets, (*path, str(key)))
            yield from landings(value, secrets, (*path, str(key)))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            yield from landings(value, secrets, (*path, i))


def redact(data: Any, secrets: Iterable[str]) -> Any:
    """`data` with every secret in its texts replaced by the mask (longest first,
    so that a secret containing another goes whole)."""
    ordered = sorted(set(secrets), key=len, reverse=True)

    def one(value: Any) -> Any:
        if isinstance(value, str):
            for secret in ordered:
                if value == secret:
                    return MASK
                if len(secret) >= MIN_SUBSTRING_LENGTH:
                    value = value.replace(secret, MASK)
            return value
        if isinstance(value, Mapping):
            return {one(k): one(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [one(v) for v in value]
        return value

    return one(data)


# -- text quoted from a server -----------------------------------------------------------

_SECRET_KEYS = (r"password|passwd|pwd|secret|api[_-]?key|token|access_token|refresh_token|"
                r"csrf_token|csrftoken|x-csrftoken|authorization|session|cookie|set-cookie")
_KEY_VALUE = re.compile(
    rf"""(?ix)(?P<key>["']?\b(?:{_SECRET_KEYS})\b["']?\s*[:=]\s*)
        (?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s&,;}}\]]+)""")
_AUTH_SCHEME = re.compile(r"(?i)\b(?P<scheme>bearer|basic)\s+[\w\-.~+/]+=*")
# Three dot-separated base64url parts: a JWT, an itsdangerous-signed CSRF token.
_SIGNED = re.compile(r"[\w-]{8,}\.[\w-]{4,}\.[\w-]{8,}")
_LONG = re.compile(r"[A-Za-z0-9_\-+]{32,}=*")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def _long_token(match: re.Match[str]) -> str:
    text = match[0]
    if _UUID.fullmatch(text) or not (re.search(r"\d", text) and re.search(r"[A-Za-z]", text)):
        return text
    return MASK


def scrub(text: str, known: Iterable[str | None] = ()) -> str:
    """Text quoted from a server, with the known secrets (the password, the
    tokens of this session) and whatever looks like a secret masked: values of
    password/token/cookie keys, `Bearer ...`, signed tokens, long random strings."""
    for secret in sorted({f for k in known if k for f in forms(k)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _AUTH_SCHEME.sub(lambda m: f"{m['scheme']} {MASK}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{MASK}", text)
    text = _SIGNED.sub(MASK, text)
    return _LONG.sub(_long_token, text)


# -- the Superset URL --------------------------------------------------------------------

def has_userinfo(url: str) -> bool:
    """Whether a URL carries a user or password (`https://user:pw@host`)."""
    return "@" in urlsplit(url).netloc


class CleartextWarning(UserWarning):
    """The Superset password is about to cross a network unencrypted."""


def travels_in_clear(url: str) -> bool:
    """Whether a password sent to `url` crosses a network unencrypted: plain
    http to a host that is not this machine."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True
