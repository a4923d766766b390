"""The demo as a person sees it: `scripts/demo` (what `make demo` runs), then a
headless Chromium logs in, opens the Spanish copy of the pipeline health
dashboard and looks at it.

Needs Debian's `chromium` (`make system-deps` installs it); installs nothing.
Chromium is driven through the Chrome DevTools Protocol over a websocket.
The screenshot goes to the test's temporary folder (the README's picture is
test_demo_charts_browser.py's).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from babel.messages.pofile import read_po

from conftest import REPO, SUPERSET_URL

pytestmark = pytest.mark.integration

LOCALE = "es_419"
SLUG = "aspects-pipeline-health"
CATALOG = REPO / "translations" / LOCALE / "LC_MESSAGES" / "assets.po"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,900",
                  "--remote-debugging-port=0"]


def translation(source: str) -> str:
    """The es_419 catalog's translation of `source`, read here with Babel alone."""
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(source)
    assert message is not None and message.string and not message.fuzzy, \
        f"{CATALOG} has no translation of {source!r}"
    return str(message.string)


def login_cookie(env: dict[str, str]) -> str:
    """The session cookie of a login through Superset's own form (/login/, with CSRF)."""
    session = requests.Session()
    page = session.get(f"{SUPERSET_URL}/login/", timeout=30)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "no CSRF token in Superset's login form"
    answer = session.post(f"{SUPERSET_URL}/login/", allow_redirects=False, timeout=30,
                          data={"username": env["SUPERSET_USERNAME"],
                                "password": env["SUPERSET_PASSWORD"],
                                "csrf_token": token.group(1)})
    assert answer.status_code == 302 and "session" in session.cookies, answer.text[:500]
    return str(session.cookies["session"])


class Browser:
    """One headless Chromium page, spoken to through the DevTools Protocol."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == number:
                assert "error" not in message, f"{method}: {message['error']}"
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def text(self) -> str:
        return str(self.evaluate("document.body ? document.body.innerText : ''") or "")

    def wait_for(self, what: str, test: Callable[[], bool], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not test():
            if time.monotonic() > deadline:
                raise AssertionError(f"not on the page after {timeout:.0f} s: {what}\n"
                                     f"--- page text ---\n{self.text()[:3000]}")
            time.sleep(0.5)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def browser() -> Iterator[Browser]:
    import websocket

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed: `make system-deps` (or "
                    "`apt-get install chromium`)")
    with tempfile.TemporaryDirectory(prefix="aspects-chromium-") as profile:
        process = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                    "about:blank"], start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                assert process.poll() is None, "chromium ended at start"
                assert time.monotonic() < deadline, "chromium did not open its DevTools port"
                time.sleep(0.1)
            port = int(port_file.read_text().split()[0])
            pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            target = next(p for p in pages if p["type"] == "page")
            socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60,
                                                 suppress_origin=True)
            try:
                yield Browser(socket)
            finally:
                socket.close()
        finally:
            # Its helper processes too: they write into the profile until they end,
            # and the profile folder is removed next.
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and group_alive(process.pid):
                time.sleep(0.1)


@pytest.fixture(scope="module")
def demo(superset_reset: None, superset_env: dict[str, str]) -> None:
    port = str(urlsplit(SUPERSET_URL).port or 8088)
    result = subprocess.run([str(REPO / "scripts" / "demo")], cwd=REPO, capture_output=True,
                            text=True, timeout=900, check=False,
                            env={**os.environ, "SUPERSET_LOCAL_PORT": port,
                                 "SUPERSET_LOCAL_ADMIN_PASSWORD":
                                     superset_env["SUPERSET_PASSWORD"]})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"/superset/dashboard/{SLUG}-{LOCALE}/" in result.stdout


def test_the_spanish_dashboard_shows_its_translated_title_and_real_data(
        demo: None, browser: Browser, superset_env: dict[str, str],
        tmp_path: Path) -> None:
    title = translation("Aspects Pipeline Health")
    tab = translation("Superset Usage")
    chart = translation("Number of Charts on Each Dashboard")

    browser.call("Network.enable")
    browser.call("Network.setCookie", name="session", value=login_cookie(superset_env),
                 url=SUPERSET_URL)
    browser.call("Page.enable")
    browser.call("Page.navigate", url=f"{SUPERSET_URL}/superset/dashboard/{SLUG}-{LOCALE}/")
    browser.wait_for(f"the translated title {title!r}", lambda: title in browser.text())

    # The chart on Superset's own metadata database is on the translated "Superset
    # Usage" tab (the ClickHouse charts: test_demo_charts_browser.py).
    clicked = browser.evaluate(
        "(() => { const tab = [...document.querySelectorAll('[role=tab]')]"
        f".find(e => e.innerText.trim() === {json.dumps(tab)});"
        " if (!tab) return false; tab.click(); return true; })()")
    assert clicked, f"no tab {tab!r} on the page:\n{browser.text()[:2000]}"
    browser.wait_for(f"the translated chart title {chart!r}", lambda: chart in browser.text())
    # Its rows are Superset's dashboards, read from the metadata database: the
    # English original and the Spanish copy among them.
    browser.wait_for("the chart's rows", lambda: int(browser.evaluate(
        "document.querySelectorAll('table tbody tr').length") or 0) >= 2)
    text = browser.text()
    assert "Aspects Pipeline Health" in text and title in text
    rows = browser.evaluate("[...document.querySelectorAll('table tbody tr')]"
                            ".map(r => r.innerText)")
    assert any("Aspects Pipeline Health" in row and re.search(r"\d", row) for row in rows), rows

    # Fold the filter bar away, then look.
    browser.evaluate("(() => { const b = document.querySelector("
                     "'[data-test=\"filter-bar__collapse-button\"]'); if (b) b.click(); })()")
    time.sleep(1.5)
    png = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    (tmp_path / f"demo-{LOCALE}.png").write_bytes(png)


RTL_PROBE = """(() => {
  const input = document.querySelector('input.dynamic-title-input');
  if (!input) return null;
  const style = getComputedStyle(input);
  const tabs = [...document.querySelectorAll('.dashboard [role=tab]')]
    .map(t => t.getBoundingClientRect().left);
  return {value: input.value, direction: style.direction, textAlign: style.textAlign,
          clientWidth: input.clientWidth, scrollWidth: input.scrollWidth, tabs};
})()"""


def open_dashboard(browser: Browser, slug: str, env: dict[str, str]) -> dict[str, Any]:
    browser.call("Network.enable")
    browser.call("Network.setCookie", name="session", value=login_cookie(env), url=SUPERSET_URL)
    browser.call("Page.enable")
    browser.call("Page.navigate", url=f"{SUPERSET_URL}/superset/dashboard/{slug}/")
    browser.wait_for(f"the title and tabs of {slug}", lambda: bool(
        (browser.evaluate(RTL_PROBE) or {}).get("value")
        and len((browser.evaluate(RTL_PROBE) or {}).get("tabs") or []) >= 2))
    time.sleep(1)  # the dashboard's own CSS is in place with the layout
    found: dict[str, Any] = browser.evaluate(RTL_PROBE)
    return found


@pytest.mark.parametrize("slug", ["aspects-pipeline-health", "course-enrollment-engagement"])
def test_the_arabic_copies_are_laid_out_right_to_left(
        demo: None, browser: Browser, superset_env: dict[str, str], slug: str) -> None:
    found = open_dashboard(browser, f"{slug}-ar", superset_env)
    assert found["direction"] == "rtl" and found["textAlign"] == "right", found
    # The whole title shows: Superset's input is not narrower than its text.
    assert found["scrollWidth"] <= found["clientWidth"], found
    tabs = found["tabs"]
    assert tabs == sorted(tabs, reverse=True), f"the first tab is not the rightmost: {found}"


def test_a_left_to_right_copy_stays_left_to_right(demo: None, browser: Browser,
                                                  superset_env: dict[str, str]) -> None:
    found = open_dashboard(browser, f"{SLUG}-{LOCALE}", superset_env)
    assert found["direction"] == "ltr" and found["textAlign"] in ("start", "left"), found
    assert found["tabs"] == sorted(found["tabs"]), found


def test_the_arabic_markdown_and_table_run_right_to_left(
        demo: None, browser: Browser, superset_env: dict[str, str]) -> None:
    open_dashboard(browser, f"{SLUG}-ar", superset_env)

    def show_tab(index: int) -> None:
        assert browser.evaluate(
            f"(() => {{ const t = [...document.querySelectorAll('.dashboard [role=tab]')][{index}];"
            " if (!t) return false; t.click(); return true; })()")

    show_tab(3)  # the help tab (the last of four): markdown
    browser.wait_for("the help markdown", lambda: bool(browser.evaluate(
        "!!document.querySelector('.dashboard-markdown h2, .dashboard-markdown p')")))
    markdown = browser.evaluate(
        "(() => { const e = document.querySelector('.dashboard-markdown h2, "
        ".dashboard-markdown p'); const s = getComputedStyle(e);"
        " return [s.direction, s.textAlign]; })()")
    assert markdown == ["rtl", "right"]
    show_tab(2)  # "Superset usage": the table chart on the metadata database
    browser.wait_for("the table's rows", lambda: int(browser.evaluate(
        "document.querySelectorAll('.dashboard table tbody tr').length") or 0) >= 2)
    header = browser.evaluate(
        "[...document.querySelectorAll('.dashboard table thead th')].map(th => {"
        " const s = getComputedStyle(th); return [s.direction, s.textAlign,"
        " th.getBoundingClientRect().left]; })")
    assert len(header) >= 2 and all(h[:2] == ["rtl", "right"] for h in header), header
    lefts = [h[2] for h in header]
    assert lefts == sorted(lefts, reverse=True), f"the first column is not the rightmost: {header}"
