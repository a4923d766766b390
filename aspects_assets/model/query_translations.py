"""The query-time translation table that the import hands to Superset.

Aspects' datasets and charts call `translate_column('name')` in their SQL;
Superset answers it with a CASE expression that maps each value of the column
to its translation in the user's language. The Superset extension
(`superset_ext/`, `aspects_assets_superset_ext.query_translations`) answers it
from this table: one per project, the project's `extra_strings` values and
their translations in every configured locale, stored like the project record
(`model/record.py`) as JSON inside a CSS comment of a CSS template named
`aspects-assets-translations:<project>`. The extension reads the same format;
a change here is a change there (format number and the tests of both sides).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TABLE_PREFIX = "aspects-assets-translations:"
TABLE_FORMAT = 1
_HEADER = "/* aspects-assets query-time translations: written by the tool, do not edit. */\n"


@dataclass(frozen=True)
class QueryTranslations:
    project: str
    # How the import names a locale's roles: the extension finds a user's locale
    # from their roles with it.
    role_format: str
    columns: Mapping[str, Sequence[str]] = field(default_factory=dict)  # name → values
    # locale → value → translation; every configured locale, even without translations.
    locales: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # A hash of the files the table was made from: an import whose files did not
    # change leaves the table alone without reading its catalogs.
    inputs: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "format": TABLE_FORMAT,
            "project": self.project,
            "inputs": self.inputs,
            "role_format": self.role_format,
            "columns": {name: list(values) for name, values in sorted(self.columns.items())},
            "locales": {code: dict(sorted(strings.items()))
                        for code, strings in sorted(self.locales.items())},
        }

    def to_css(self) -> str:
        text = json.dumps(self.as_json(), separators=(",", ":"), ensure_ascii=False)
        # `\/` is JSON for `/`: no `*/` can close the comment early.
        return _HEADER + "/*" + text.replace("*/", "*\\/") + "*/\n"


def table_name(project: str) -> str:
    return f"{TABLE_PREFIX}{project}"


def stored_inputs(css: str) -> str | None:
    """The `inputs` hash of a stored table; None when it cannot be read."""
    start, end = css.find("/*{"), css.rfind("*/")
    try:
        data = json.loads(css[start + 2:end]) if 0 <= start < end else None
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != TABLE_FORMAT:
        return None
    found = data.get("inputs")
    return found if isinstance(found, str) and found else None
