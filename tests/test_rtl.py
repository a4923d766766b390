"""Right-to-left copies: the copies of a locale Babel writes right to left get the
dashboard CSS that lays them out so (tests/integration/test_demo_browser.py
measures it in Chromium); the others keep the original's CSS."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aspects_assets.core.i18n.rtl import MARKER, RTL_CSS, is_right_to_left, with_direction
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import check


@pytest.mark.parametrize(("code", "rtl"), [("ar", True), ("he", True), ("fa", True),
                                           ("ur", True), ("ar_SA", True), ("es_419", False),
                                           ("fr_CA", False), ("zh_Hans", False)])
def test_babel_says_which_locales_are_right_to_left(code: str, rtl: bool) -> None:
    assert is_right_to_left(code) is rtl


def test_the_original_css_is_kept_before_the_rules() -> None:
    assert with_direction(".x { color: red; }\n", "ar") == f".x {{ color: red; }}\n\n{RTL_CSS}"
    assert with_direction("", "he") == RTL_CSS
    assert with_direction(None, "fa") == RTL_CSS
    assert with_direction(".x {}", "es_419") == ".x {}"
    assert with_direction(None, "es_419") is None


def test_only_the_right_to_left_copies_of_dashboards_get_it(base_project: Path) -> None:
    settings_file = base_project / "aspects-assets.yaml"
    data = yaml.safe_load(settings_file.read_text())
    data["locales"] = ["ar", "he", "es_419"]
    settings_file.write_text(yaml.safe_dump(data))
    dashboard = base_project / "assets" / "dashboards" / "course.yaml"
    text = dashboard.read_text()
    assert "\ncss: ''\n" in text
    dashboard.write_text(text.replace("\ncss: ''\n", "\ncss: '.own { margin: 0; }'\n"))
    result = check(load_settings(cwd=base_project, env={}))
    assert not result.errors, result.errors
    css = {a.locale: a.body.get("css") for a in result.assets.of_kind("dashboard")}
    assert css[None] == css["es_419"] == ".own { margin: 0; }"
    for locale in ("ar", "he"):
        assert css[locale].startswith(".own { margin: 0; }\n\n" + MARKER)
        assert ".dashboard, .dashboard-header-container { direction: rtl; }" in css[locale]
