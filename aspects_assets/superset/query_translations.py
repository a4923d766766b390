"""Where the project's query-time translation table lives in Superset: a CSS
template of its own (`model/query_translations.py`), read by the aspects-assets
Superset extension's `translate_column` macro."""

from __future__ import annotations

from collections.abc import Callable

from aspects_assets.model.query_translations import QueryTranslations, stored_inputs, table_name
from aspects_assets.superset.client import SupersetClient


def store_query_translations(client: SupersetClient, project: str, inputs: str | None,
                             build: Callable[[], QueryTranslations]) -> str:
    """Bring the project's table in Superset up to date and say what was done:
    created, updated, deleted or unchanged. `inputs` is the hash of what the
    table is made from (None: the project has no table); a stored table of the
    same inputs is left as it is, unbuilt. An unchanged table is never written
    (no `changed_on` churn, nothing for the extension to read again)."""
    name = table_name(project)
    row = client.find_css_template(name)
    css_now = str(row.get("css") or "") if row else ""
    if inputs is None:
        if row is None:
            return "unchanged"
        client.delete_css_template(int(row["id"]))
        return "deleted"
    if row is not None and stored_inputs(css_now) == inputs:
        return "unchanged"
    css = build().to_css()
    if row is None:
        client.create_css_template(name, css)
        return "created"
    if css_now == css:
        return "unchanged"
    client.update_css_template(int(row["id"]), name, css)
    return "updated"
