"""The import's step that hands the query-time translations to Superset.

A step of its own, after the assets are sent: `translate_column` answers from
the table the moment it is stored, and the assets that call it do not depend
on it (a column no table knows is left untranslated)."""

from __future__ import annotations

import hashlib
import json

from aspects_assets.core.i18n.query_time import translation_table
from aspects_assets.model.query_translations import TABLE_FORMAT, QueryTranslations
from aspects_assets.project.catalogs import catalog_path, load_catalogs
from aspects_assets.project.extra_strings import load_extra_strings, merged_columns
from aspects_assets.project.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.query_translations import store_query_translations


def table_inputs(settings: Settings) -> str | None:
    """A hash of the files and settings the project's table is made from (read,
    not parsed: a few milliseconds); None when the project has no table (no
    `extra_strings` or no locales)."""
    if not settings.extra_strings or not settings.locales:
        return None
    digest = hashlib.sha256(json.dumps(
        [TABLE_FORMAT, settings.project, settings.locale_role_format, settings.locales]).encode())
    catalogs = [catalog_path(settings.translations_dir, code) for code in settings.locales]
    for file in [*settings.extra_strings, *settings.extra_translations, *catalogs]:
        data = file.read_bytes() if file.is_file() else b""
        digest.update(f"{file}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:32]


def project_table(settings: Settings, inputs: str = "") -> QueryTranslations:
    """The project's `extra_strings` values with their translations in every
    configured locale (whatever `--locale` narrowed)."""
    columns = merged_columns(load_extra_strings(settings))
    catalogs = load_catalogs(settings, settings.locales)
    return translation_table(settings.project, settings.locale_role_format, columns, catalogs,
                             settings.locales, inputs)


def send_query_translations(client: SupersetClient, settings: Settings) -> str:
    """Store the project's table in Superset: created, updated, deleted or unchanged."""
    inputs = table_inputs(settings)
    return store_query_translations(client, settings.project, inputs,
                                    lambda: project_table(settings, inputs or ""))
