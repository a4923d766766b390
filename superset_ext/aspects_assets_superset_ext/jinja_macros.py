"""`translate_column` and `translate_column_bool`: Superset Jinja macros answered
from the translation tables that the aspects-assets import stores in Superset.

Registered by `init_app` in the config's `JINJA_CONTEXT_ADDONS` (set
`ASPECTS_ASSETS_TRANSLATE_COLUMN = False` in superset_config.py to keep the
ones configured there). A macro configured before (Open edX Aspects' own, which
reads the image's locale.yaml) still answers for a column that no table knows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from .query_translations import (
    TABLE_PREFIX,
    Tables,
    bool_sql,
    case_sql,
    parse_table,
    resolve_locale,
)

logger = logging.getLogger(__name__)

MACROS = ("translate_column", "translate_column_bool")


def current_tables() -> Tables:
    """Every project's table, read from the CSS templates on each call: one small
    query (a few kilobytes per project, parsed in microseconds), so that every
    gunicorn and Celery worker answers from what the last import stored, with no
    cache to go stale."""
    from superset import db
    from superset.models.core import CssTemplate

    rows = (
        db.session.query(CssTemplate.template_name, CssTemplate.css)
        .filter(CssTemplate.template_name.like(f"{TABLE_PREFIX}%"))
        .order_by(CssTemplate.template_name)
        .all()
    )
    tables = []
    for name, css in rows:
        try:
            tables.append(parse_table(css or ""))
        except ValueError as exc:
            logger.warning("CSS template %r is not a translation table: %s", name, exc)
    return Tables(tables)


def _preference() -> str | None:
    """Aspects' Open edX security manager asks the LMS for the user's language."""
    from flask import g
    from superset import security_manager

    get_preferences = getattr(security_manager, "get_preferences", None)
    user = getattr(g, "user", None)
    if get_preferences is None or user is None or not getattr(user, "username", None):
        return None
    try:
        found = get_preferences(user.username)
    except Exception:  # the LMS is down, or no OAuth session: go on without it
        logger.warning("get_preferences failed", exc_info=True)
        return None
    return found if isinstance(found, str) else None


def _role_names() -> Iterable[str]:
    from flask import g
    from superset import security_manager

    if getattr(g, "user", None) is None:
        return []
    return [role.name for role in security_manager.get_user_roles()]


def _ui_locale() -> str | None:
    from flask import has_request_context
    from flask_babel import get_locale

    if not has_request_context():
        return None
    locale = get_locale()
    return str(locale) if locale else None


def _user_locale(tables: Tables, explicit: str | None) -> str | None:
    return resolve_locale(tables, explicit=explicit, preference=_preference,
                          roles=_role_names, ui_locale=_ui_locale)


def make_macros(previous: dict[str, Any]) -> dict[str, Callable[..., str]]:
    """The two macros; `previous` holds the ones configured before, by name."""

    def translate_column(column_name: str, locale: str | None = None) -> str:
        tables = current_tables()
        values = tables.values(column_name)
        if values is None:
            before = previous.get("translate_column")
            return str(before(column_name)) if before else column_name
        code = _user_locale(tables, locale)
        return case_sql(column_name, values, lambda v: tables.translate(code, v))

    def translate_column_bool(column_name: str, locale: str | None = None) -> str:
        tables = current_tables()
        values = tables.values(column_name)
        if values is None:
            before = previous.get("translate_column_bool")
            return str(before(column_name)) if before else column_name
        code = _user_locale(tables, locale)
        return bool_sql(column_name, values, lambda v: tables.translate(code, v))

    return {"translate_column": translate_column, "translate_column_bool": translate_column_bool}


def register(app: Any) -> None:
    """Put the macros into the app's JINJA_CONTEXT_ADDONS (read by Superset on
    the first query it renders)."""
    if not app.config.get("ASPECTS_ASSETS_TRANSLATE_COLUMN", True):
        return
    addons = dict(app.config.get("JINJA_CONTEXT_ADDONS") or {})
    previous = {name: addons[name] for name in MACROS if name in addons}
    addons.update(make_macros(previous))
    app.config["JINJA_CONTEXT_ADDONS"] = addons
