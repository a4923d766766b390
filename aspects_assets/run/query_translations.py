"""The import's step that hands the query-time translations to Superset.

A step of its own, after the assets are sent: `translate_column` answers from
the table the moment it is stored, and the assets that call it do not depend
on it (a column no table knows is left untranslated)."""

from __future__ import annotations

from aspects_assets.core.i18n.query_time import translation_table
from aspects_assets.model.query_translations import QueryTranslations
from aspects_assets.project.catalogs import load_catalogs
from aspects_assets.project.extra_strings import load_extra_strings, merged_columns
from aspects_assets.project.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.query_translations import store_query_translations


def project_table(settings: Settings) -> QueryTranslations | None:
    """The project's `extra_strings` values with their translations in every
    configured locale (whatever `--locale` narrowed); None without either."""
    columns = merged_columns(load_extra_strings(settings))
    if not columns or not settings.locales:
        return None
    catalogs = load_catalogs(settings, settings.locales)
    return translation_table(settings.project, settings.locale_role_format, columns, catalogs,
                             settings.locales)


def send_query_translations(client: SupersetClient, settings: Settings) -> str:
    """Store the project's table in Superset: created, updated, deleted or unchanged."""
    return store_query_translations(client, settings.project, project_table(settings))
