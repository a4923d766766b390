"""Right-to-left copies: the dashboard CSS that lays out a copy in a language
written right to left (Babel knows which: ar, he, fa, ur, ...).

Superset has no per-dashboard direction; a dashboard's own CSS is the one place
a copy can carry it. The rules flip the dashboard (header, tabs, the order of
charts in a row) and right-align its texts (titles, chart titles, headers,
markdown, table columns). The metadata bar beside the title ("Admin User",
"17 minutes ago") and a chart's error message are Superset's English UI, kept
left to right.
"""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError

MARKER = "/* aspects-assets: right-to-left layout */"

RTL_CSS = MARKER + """
.dashboard, .dashboard-header-container { direction: rtl; }
.dashboard-header-container [data-test="metadata-bar"] { direction: ltr; }
/* Superset sizes the title's input by a hidden copy of the text set at weight 500
   while the input itself draws at 400; a script without Inter glyphs (Arabic)
   comes out wider at 400, and the title gets cut although there is room. */
.dashboard-header-container .dynamic-title-input {
  direction: rtl; text-align: right; font-weight: 500;
}
.dashboard .editable-title, .dashboard .header-title, .dashboard .dashboard-component-header,
.dashboard .dashboard-markdown, .dashboard .ant-tabs-tab { direction: rtl; text-align: right; }
/* A table's columns run right to left with the dashboard; the table chart aligns
   its header cells by a rule of its own, hence !important. */
.dashboard table th, .dashboard table td { text-align: right !important; }
/* Superset's messages (errors of a chart's query) are its English UI. */
.dashboard .ant-alert { direction: ltr; text-align: left; }
"""


@functools.lru_cache(maxsize=256)
def is_right_to_left(locale: str) -> bool:
    try:
        return Locale.parse(locale).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False


def with_direction(css: str | None, locale: str) -> str | None:
    """A copy's dashboard CSS: the original's, plus the right-to-left rules when the
    locale is written right to left."""
    if not is_right_to_left(locale):
        return css
    return f"{css.rstrip()}\n\n{RTL_CSS}" if css and css.strip() else RTL_CSS
