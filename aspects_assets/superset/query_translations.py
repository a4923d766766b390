"""Where the project's query-time translation table lives in Superset: a CSS
template of its own (`model/query_translations.py`), read by the aspects-assets
Superset extension's `translate_column` macro."""

from __future__ import annotations

from aspects_assets.model.query_translations import QueryTranslations, table_name
from aspects_assets.superset.client import SupersetClient


def store_query_translations(client: SupersetClient, project: str,
                             table: QueryTranslations | None) -> str:
    """Bring the project's table in Superset to `table` (None: no table); say
    what was done: created, updated, deleted or unchanged. An unchanged table is
    not written (no `changed_on` churn, nothing for the extension to re-read)."""
    name = table_name(project)
    row = client.find_css_template(name)
    if table is None:
        if row is None:
            return "unchanged"
        client.delete_css_template(int(row["id"]))
        return "deleted"
    css = table.to_css()
    if row is None:
        client.create_css_template(name, css)
        return "created"
    if row.get("css") == css:
        return "unchanged"
    client.update_css_template(int(row["id"]), name, css)
    return "updated"
