"""The one module of secret rules (model/secrets.py): a URI's password, where a
secret landed, masking for the inputs hash, scrubbing of quoted server text."""

from __future__ import annotations

import pytest

from aspects_assets.model.secrets import (
    MASK,
    forms,
    has_userinfo,
    landings,
    mask_uri,
    mask_uris_in,
    query_passwords,
    redact,
    scrub,
    take_password,
    travels_in_clear,
    uri_passwords,
)

SECRETS = {"s3cr:t": "secret A", "qpw-1234": "secret B", "p@ss/w": "secret C"}


@pytest.mark.parametrize(("uri", "passwords"), [
    ("clickhousedb://report:s3cr%3At@ch:8123/r", ["s3cr:t"]),
    ("clickhousedb://report@ch:8123/r?password=qpw-1234&x=1", ["qpw-1234"]),
    ("clickhousedb://ch:8123/r?a=1&PWD=qpw-1234", ["qpw-1234"]),
    (f"postgresql://u:{MASK}@h/d?passwd=x", [MASK, "x"]),
    ("postgresql://u@h:5432/d", []),
    ("postgresql://u:@h/d", []),
    ("sqlite:///x.db", []),
    ("not a uri", []),
])
def test_a_uris_passwords_are_the_userinfos_and_the_querys(uri: str,
                                                           passwords: list[str]) -> None:
    assert uri_passwords(uri) == passwords


def test_passwords_are_read_as_sqlalchemy_reads_them() -> None:
    # SQLAlchemy 1.4's pattern: the password runs to the first '@' and is decoded.
    assert uri_passwords("postgresql://u:p%40ss%2Fw@h/d") == ["p@ss/w"]
    assert uri_passwords("postgresql://u:p%40ss@h/d", decoded=False) == ["p%40ss"]
    assert query_passwords("postgresql://u:pw@h/d?password=a%2Bb") == ["a+b"]


def test_every_password_is_masked_for_comparison() -> None:
    assert mask_uri("postgresql://u:secret@db:5432/x") == f"postgresql://u:{MASK}@db:5432/x"
    assert (mask_uri("clickhousedb://r@ch/r?a=1&password=pw&b=2")
            == f"clickhousedb://r@ch/r?a=1&password={MASK}&b=2")
    assert mask_uri("clickhousedb://r@ch/r?password=") == "clickhousedb://r@ch/r?password="
    assert mask_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_every_uri_of_a_whole_file_is_masked_line_by_line() -> None:
    text = ("url: postgresql://u:secret@db/x\r\n"
            "no uri here: secret\n"
            "two: https://a:pw@h/p and mysql://b:pw2@h2/q'\n"
            "'clickhousedb://r:pw3@ch/r'")
    assert mask_uris_in(text) == (f"url: postgresql://u:{MASK}@db/x\r\n"
                                  "no uri here: secret\n"
                                  f"two: https://a:{MASK}@h/p and mysql://b:{MASK}@h2/q'\n"
                                  f"'clickhousedb://r:{MASK}@ch/r'")
    assert mask_uris_in("no scheme at all") == "no scheme at all"


@pytest.mark.parametrize(("uri", "kept", "sent"), [
    # a secret in the userinfo: masked there
    ("clickhousedb://report:s3cr%3At@ch:8123/r", f"clickhousedb://report:{MASK}@ch:8123/r",
     "s3cr:t"),
    # a secret in the query: moved to the userinfo, masked (Superset puts the
    # password it is given there when it connects)
    ("clickhousedb://report@ch:8123/r?password=qpw-1234&x=1",
     f"clickhousedb://report:{MASK}@ch:8123/r?x=1", "qpw-1234"),
    ("clickhousedb://ch/r?a=1&password=qpw-1234", f"clickhousedb://:{MASK}@ch/r?a=1",
     "qpw-1234"),
    (f"postgresql://u:{MASK}@h/d?password=qpw-1234", f"postgresql://u:{MASK}@h/d", "qpw-1234"),
    # not a secret: left as it is (validation refuses a clear-text password)
    ("postgresql://u:other@h/d", "postgresql://u:other@h/d", None),
    ("postgresql://u:other@h/d?password=qpw-1234", "postgresql://u:other@h/d?password=qpw-1234",
     None),
    (f"postgresql://u:{MASK}@h/d", f"postgresql://u:{MASK}@h/d", None),
])
def test_a_secret_password_is_masked_and_taken_apart(uri: str, kept: str,
                                                     sent: str | None) -> None:
    assert take_password(uri, SECRETS) == (kept, sent)


def test_landings_name_every_place_a_secret_is_in() -> None:
    body = {"description": "token: qpw-1234 here", "extra": {"connect_args": {
        "password": "s3cr:t"}}, "columns": [{"x": 1}, {"p@ss/w": "key too"}],
        "fine": "nothing", "n": 3}
    found = list(landings(body, SECRETS))
    assert found == [(("description",), "secret B"),
                     (("extra", "connect_args", "password"), "secret A"),
                     (("columns", 1, "p@ss/w"), "secret C")]


def test_a_short_secret_is_found_only_as_a_whole_value() -> None:
    secrets = {"abc": "short"}
    assert list(landings({"a": "abc", "b": "abcdef"}, secrets)) == [(("a",), "short")]
    assert redact({"a": "abc", "b": "xabcx"}, secrets) == {"a": MASK, "b": "xabcx"}


def test_redact_masks_secrets_in_nested_values_longest_first() -> None:
    secrets = ["pass-word", "pass-word-2"]
    assert redact({"u": ["x pass-word-2 y", {"k": "pass-word"}]}, secrets) == {
        "u": [f"x {MASK} y", {"k": MASK}]}


def test_a_secret_has_the_forms_it_takes_in_text() -> None:
    assert forms('a"b c/é') >= {'a"b c/é', "a%22b%20c%2F%C3%A9", "a%22b+c%2F%C3%A9",
                                 'a\\"b c/\\u00e9'}


def test_scrub_masks_known_secrets_in_every_form_and_what_looks_like_one() -> None:
    password, token, csrf = 'pw "x/y"', "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", (
        "IjM2YzE5ZGE0NmUxYmVlZDA3ZWNkYjZhZjE0ZDM4MDhmZTNjYzg5Mzci.Z0xBcA.YXl9yn1mXy2x0n-UqYNX")
    echoed = ('{"username": "admin", "password": "pw \\"x/y\\"", "provider": "db"} '
              f"Authorization: Bearer {token} X-CSRFToken: {csrf} "
              "Cookie: session=.eJwlzjEOwzAIAMC_ZtAhlM2xBZBOiQIHM; "
              "a=pw%20%22x%2Fy%22 refresh_token=unknown-refresh "
              "uuid 0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004 dashboard 12 failed")
    out = scrub(echoed, [password, token, None])
    for secret in ("pw", "x/y", "eyJ", "IjM2YzE5", "Z0xBcA", "UqYNX", "eJwlzjEO", "unknown-refresh"):
        assert secret not in out, (secret, out)
    # what is not a secret stays readable
    assert "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004" in out
    assert '"username": "admin"' in out and "dashboard 12 failed" in out


@pytest.mark.parametrize(("url", "clear"), [
    ("http://superset.example.com", True),
    ("http://10.0.0.5:8088", True),
    ("https://superset.example.com", False),
    ("http://127.0.0.1:8088", False),
    ("http://127.1.2.3", False),
    ("http://localhost:8088", False),
    ("http://superset.localhost", False),
    ("http://[::1]:8088", False),
])
def test_plain_http_is_clear_text_unless_to_this_machine(url: str, clear: bool) -> None:
    assert travels_in_clear(url) is clear


def test_userinfo_in_a_url() -> None:
    assert has_userinfo("https://admin:pw@superset.example.com")
    assert has_userinfo("https://admin@superset.example.com")
    assert not has_userinfo("https://superset.example.com/path@x")
