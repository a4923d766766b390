"""Every chart of the demo shows data, as a person sees it: after `scripts/demo`,
a headless Chromium opens the `es_419` and `ar` copies of every demo dashboard,
clicks every tab, and finds each chart drawn with content and no error box.

The demo's ClickHouse charts run on the embedded ClickHouse (chDB) over the
generated sample (scripts/demo_data.py, docs/demo.md); the one chart on
Superset's metadata reads PostgreSQL. Chromium and the demo come from
test_demo_browser.py. With ASPECTS_SAVE_SCREENSHOT=1 the Spanish copy of the
course enrollment dashboard is saved as docs/demo-es_419.png (the README's picture).
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from . import test_demo_browser as demo_browser
from conftest import REPO, SUPERSET_URL

pytestmark = pytest.mark.integration

Browser = demo_browser.Browser
browser = demo_browser.browser
demo = demo_browser.demo

LOCALES = ["es_419", "ar"]
# The one chart whose honest answer on the embedded engine is "nothing": the
# queries running besides its own (system.processes). It must still run without
# an error and show Superset's "No results" state.
EMPTY_BY_DESIGN = {"Longest Running Queries"}
DASHBOARDS = ["aspects-pipeline-health", "course-enrollment-engagement"]
SCREENSHOT_DASHBOARD = "course-enrollment-engagement"  # the sample's learners, drawn

# One entry per chart of the active tab (Superset 6.1 marks each with
# data-test=chart-grid-component, its name and viz type): what it shows, and the
# error Superset drew in its place. Superset 6.1's ErrorAlert is an Ant Design
# Alert of type error or warning (`.ant-alert-error`, role=alert), or, compact in a
# small chart, an exclamation icon; a chart still loading shows its spinner. What
# counts as drawn: an ECharts canvas, a table's rows, a big number's figure.
CHARTS_JS = """
(() => [...document.querySelectorAll('[data-test="chart-grid-component"]')]
  .filter(holder => holder.offsetParent !== null)
  .map(holder => {
    const body = holder.querySelector('.chart-container') || holder;
    const error = body.querySelector(
      '.ant-alert-error, .ant-alert-warning, [role=alert], .anticon-exclamation-circle');
    return {
      title: holder.getAttribute('data-test-chart-name'),
      viz: holder.getAttribute('data-test-viz-type'),
      loading: !!holder.querySelector('[aria-label="Loading"], img.loading, .loading'),
      error: error ? error.innerText.trim().slice(0, 300) : null,
      empty: !!holder.querySelector('[data-test="empty-state"], .ant-empty'),
      drawn: body.querySelectorAll('canvas, table tbody tr, .header-line').length,
      text: holder.innerText.trim().slice(0, 200),
    };
  }))()
"""

HOLDERS_JS = """
[...document.querySelectorAll('[data-test="dashboard-component-chart-holder"]')]
  .filter(holder => holder.offsetParent !== null).length
"""

# Errors elsewhere on the page, e.g. a native filter whose values did not load
# (the filter bar draws the same ErrorAlert, compact).
PAGE_ERRORS_JS = """
[...document.querySelectorAll('.ant-alert-error, .ant-alert-warning, .anticon-exclamation-circle')]
  .filter(e => e.offsetParent !== null && !e.closest('[data-test="chart-grid-component"]'))
  .map(e => (e.closest('[data-test]') || e).getAttribute('data-test') + ': ' +
            (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 200))
"""

TABS_JS = """
(() => [...document.querySelectorAll('.dashboard-component-tabs [role=tab]')]
  .map(tab => tab.innerText.trim()))()
"""


def translation(locale: str, source: str) -> str:
    """The catalog's translation of `source`, read with Babel alone."""
    catalog_path = REPO / "translations" / locale / "LC_MESSAGES" / "assets.po"
    with catalog_path.open("rb") as handle:
        message = read_po(handle).get(source)
    assert message is not None and message.string and not message.fuzzy, \
        f"{catalog_path} has no translation of {source!r}"
    return str(message.string)


def click_tab(browser: Browser, name: str) -> None:
    clicked = browser.evaluate(
        "(() => { const tab = [...document.querySelectorAll('.dashboard-component-tabs "
        f"[role=tab]')].find(e => e.innerText.trim() === {json.dumps(name)});"
        " if (!tab) return false; tab.click(); return true; })()")
    assert clicked, f"no tab {name!r}"


def settled_charts(browser: Browser, where: str, timeout: float = 90) -> list[dict[str, Any]]:
    """The charts of the active tab once none is loading any more."""
    deadline = time.monotonic() + timeout
    while True:
        charts: list[dict[str, Any]] = browser.evaluate(CHARTS_JS) or []
        if not any(c["loading"] for c in charts) and all(
                c["error"] or c["empty"] or c["drawn"] for c in charts) and (
                charts or browser.evaluate(HOLDERS_JS)):  # a tab of markdown only
            return charts
        if time.monotonic() > deadline:
            raise AssertionError(f"{where}: charts still loading after {timeout:.0f} s: "
                                 f"{json.dumps(charts, ensure_ascii=False, indent=1)}")
        time.sleep(0.5)


def open_dashboard(browser: Browser, slug: str) -> None:
    browser.call("Page.navigate", url=f"{SUPERSET_URL}/superset/dashboard/{slug}/")
    browser.wait_for(f"the charts of {slug}", lambda: bool(browser.evaluate(CHARTS_JS)))


@pytest.fixture
def logged_in(browser: Browser, superset_env: dict[str, str]) -> Browser:
    browser.call("Network.enable")
    browser.call("Network.setCookie", name="session",
                 value=demo_browser.login_cookie(superset_env), url=SUPERSET_URL)
    browser.call("Page.enable")
    return browser


@pytest.mark.parametrize("locale", LOCALES)
def test_every_chart_of_every_demo_dashboard_shows_data(
        demo: None, logged_in: Browser, locale: str, tmp_path: Path) -> None:
    browser = logged_in
    empty_by_design = {translation(locale, title) for title in EMPTY_BY_DESIGN}
    failures: list[str] = []
    seen = 0
    for dashboard in DASHBOARDS:
        slug = f"{dashboard}-{locale}"
        open_dashboard(browser, slug)
        tabs = browser.evaluate(TABS_JS) or [""]
        for tab in tabs:
            if tab:
                click_tab(browser, tab)
            for chart in settled_charts(browser, f"{slug} [{tab}]"):
                seen += 1
                where = f"{slug} [{tab}] {chart['title']!r}"
                if chart["error"]:
                    failures.append(f"{where}: error box: {chart['error']}")
                elif chart["title"] in empty_by_design:
                    if not chart["empty"]:
                        failures.append(f"{where}: neither data nor Superset's empty state")
                elif not chart["drawn"]:
                    failures.append(f"{where}: no data drawn: {chart['text']!r}")
            failures += [f"{slug} [{tab}]: error on the page: {error}"
                         for error in browser.evaluate(PAGE_ERRORS_JS) or []]
        if dashboard == SCREENSHOT_DASHBOARD and locale == "es_419":
            click_tab(browser, tabs[0])
            settled_charts(browser, slug)
            save_screenshot(browser, tmp_path)
    # The demo's 17 charts: every one was looked at.
    assert seen >= 17, f"only {seen} charts on the {locale} dashboards"
    assert not failures, "\n".join(failures)


def save_screenshot(browser: Browser, tmp_path: Path) -> None:
    # Fold the filter bar away: the charts are the picture.
    browser.evaluate("(() => { const b = document.querySelector("
                     "'[data-test=\"filter-bar__collapse-button\"]'); if (b) b.click(); })()")
    time.sleep(1.5)
    png = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    assert png.startswith(b"\x89PNG") and len(png) > 20_000
    (tmp_path / "demo-es_419.png").write_bytes(png)
    if os.environ.get("ASPECTS_SAVE_SCREENSHOT") == "1":
        (REPO / "docs" / "demo-es_419.png").write_bytes(png)
