"""Query-time translations: the tables the aspects-assets import stores, and the
SQL that `translate_column` / `translate_column_bool` answer with.

Pure Python (no Superset import), so that it can be tested on its own; the
macros that Superset calls are in `jinja_macros.py`.

A table is the JSON inside a CSS comment of the CSS template
`aspects-assets-translations:<project>`, written by aspects-assets
(`aspects_assets/model/query_translations.py`, same format number)::

    {"format": 1, "project": "...", "role_format": "{role} - {locale}",
     "columns": {"enrollment_mode": ["audit", "verified"]},
     "locales": {"es_419": {"audit": "oyente"}, "fr_CA": {}}}

The SQL is the one Open edX Aspects' own macros write
(`openedx_jinja_filters.py`), with one difference: every text is a quoted SQL
literal (quotes doubled), where Aspects pastes it between quotes as it is.
A text with a backslash is never written (ClickHouse and MySQL read a backslash
as an escape, PostgreSQL does not, and the macro does not know the database):
such a value is left to the `ELSE`, such a translation falls back to its value.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

TABLE_PREFIX = "aspects-assets-translations:"
TABLE_FORMAT = 1


@dataclass(frozen=True)
class Table:
    project: str
    role_format: str
    columns: Mapping[str, tuple[str, ...]]
    locales: Mapping[str, Mapping[str, str]]


def _strings(value: object, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"{what} must map texts to texts")
    return dict(value)


def parse_table(css: str) -> Table:
    """A stored table; ValueError when it is not one this version reads."""
    start, end = css.find("/*{"), css.rfind("*/")
    if start < 0 or end < start:
        raise ValueError("no aspects-assets table in this CSS template")
    data = json.loads(css[start + 2 : end])
    if not isinstance(data, dict):
        raise ValueError("the table must be a JSON object")
    if data.get("format") != TABLE_FORMAT:
        raise ValueError(f"table format {data.get('format')!r} is not {TABLE_FORMAT}")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(
        isinstance(values, list) and all(isinstance(v, str) for v in values)
        for values in columns.values()
    ):
        raise ValueError("'columns' must map column names to lists of texts")
    locales = data.get("locales")
    if not isinstance(locales, dict):
        raise ValueError("'locales' must be a mapping")
    role_format = data.get("role_format")
    if not isinstance(role_format, str) or "{locale}" not in role_format:
        raise ValueError("'role_format' must contain {locale}")
    return Table(
        project=str(data.get("project", "")),
        role_format=role_format,
        columns={str(name): tuple(values) for name, values in columns.items()},
        locales={str(code): _strings(s, f"locale {code}") for code, s in locales.items()},
    )


def _key(code: str) -> str:
    """Locales compared as Aspects' users carry them: `pt-br`, `pt_BR`, `pt_br` alike."""
    return code.strip().replace("-", "_").lower()


def _role_pattern(role_format: str, locale: str) -> re.Pattern[str]:
    parts = re.split(r"(\{role\}|\{locale\})", role_format)
    regex = "".join(
        ".+" if p == "{role}" else re.escape(locale) if p == "{locale}" else re.escape(p)
        for p in parts
    )
    return re.compile(f"^{regex}$")


@dataclass
class Tables:
    """Every project's table at once, in project order: a column's values are
    the union over the projects, a value's translation the first project's."""

    tables: list[Table] = field(default_factory=list)

    def values(self, column: str) -> tuple[str, ...] | None:
        found: list[str] = []
        known = False
        for table in self.tables:
            if column in table.columns:
                known = True
                found.extend(v for v in table.columns[column] if v not in found)
        return tuple(found) if known else None

    def translate(self, locale: str | None, value: str) -> str:
        if locale is not None:
            for table in self.tables:
                text = table.locales.get(locale, {}).get(value)
                if text:
                    return text
        return value

    def match(self, code: str | None) -> str | None:
        """The locale of the tables that `code` names, as the tables write it."""
        if not code:
            return None
        wanted = _key(code)
        for table in self.tables:
            for locale in table.locales:
                if _key(locale) == wanted:
                    return locale
        return None

    def locales_of_roles(self, role_names: Iterable[str]) -> set[str]:
        """The locales whose roles (`role_format`, as the import names them) the user has."""
        names = list(role_names)
        return {
            locale
            for table in self.tables
            for locale in table.locales
            if any(_role_pattern(table.role_format, locale).match(n) for n in names)
        }


def resolve_locale(
    tables: Tables,
    *,
    explicit: str | None,
    preference: Callable[[], str | None],
    roles: Callable[[], Iterable[str]],
    ui_locale: Callable[[], str | None],
) -> str | None:
    """The user's locale, first found of: the macro's `locale` argument; the
    security manager's `get_preferences` (Aspects' Open edX SSO: the language
    of the user's Open edX account, what Aspects' macro uses); the locale of the
    user's locale roles (the import grants `role_format` roles per locale), when
    they name one locale; Superset's interface language. None: the source texts."""
    if explicit is not None:
        return tables.match(explicit)
    found = tables.match(preference())
    if found:
        return found
    by_role = tables.locales_of_roles(roles())
    if len(by_role) == 1:
        return next(iter(by_role))
    return tables.match(ui_locale())


def sql_literal(text: str) -> str | None:
    """`text` as a SQL string literal every database reads alike, or None."""
    if "\\" in text or "\x00" in text:
        return None
    return "'" + text.replace("'", "''") + "'"


def case_sql(column: str, values: Iterable[str], translate: Callable[[str], str]) -> str:
    """Aspects' `translate_column`: a CASE that maps each value to its translation."""
    cases = []
    for value in values:
        source = sql_literal(value)
        if source is None:
            logger.warning("translate_column(%r): value %r has a backslash: left as it is",
                           column, value)
            continue
        target = sql_literal(translate(value))
        if target is None:
            logger.warning("translate_column(%r): the translation of %r has a backslash: "
                           "the value is shown untranslated", column, value)
            target = source
        cases.append(f"WHEN {column} = {source} THEN {target}")
    if not cases:
        return column
    return "CASE \n " + "\n".join(cases) + f" \n ELSE {column} \n END"


def bool_sql(column: str, values: tuple[str, ...], translate: Callable[[str], str]) -> str:
    """Aspects' `translate_column_bool`: the first value for true, the second for false."""
    if len(values) != 2:
        logger.warning("translate_column_bool(%r) needs exactly 2 values, has %d",
                       column, len(values))
        return column
    texts = [sql_literal(translate(v)) or sql_literal(v) for v in values]
    if None in texts:
        logger.warning("translate_column_bool(%r): a value has a backslash", column)
        return column
    return f"""
        CASE WHEN {column} = true
        THEN {texts[0]}
        ELSE {texts[1]}
        END
    """
