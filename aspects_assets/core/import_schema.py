"""What Superset's v1 import accepts, per kind (its marshmallow `ImportV1*Schema`s).

Read from Superset's `*/schemas.py` of 6.1.0 and 5.0.0. Marshmallow rejects
unknown keys, so a key that is not here makes the whole import fail with
Superset's opaque "Import failed for an unknown reason".

Type codes: str, bool, int, dict, list, uuid, json (a JSON string); a trailing
`?` allows null; `any` accepts everything.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

DATABASE = {
    "database_name": "str",
    "sqlalchemy_uri": "str",
    "password": "str?",
    "encrypted_extra": "str?",
    "masked_encrypted_extra": "str",
    "cache_timeout": "int?",
    "expose_in_sqllab": "bool",
    "allow_run_async": "bool",
    "allow_ctas": "bool",
    "allow_cvas": "bool",
    "allow_dml": "bool",
    "allow_csv_upload": "bool",
    # renamed to allow_csv_upload by Superset's pre_load
    "allow_file_upload": "bool",
    "impersonate_user": "bool",
    "extra": "dict",
    "uuid": "uuid",
    "version": "str",
    "is_managed_externally": "bool?",
    "external_url": "str?",
    "ssh_tunnel": "dict?",
    "configuration_method": "str?",
}
DATABASE_EXTRA = {
    "metadata_params": "dict",
    "engine_params": "dict",
    "metadata_cache_timeout": "dict",
    "schemas_allowed_for_csv_upload": "list",
    "schemas_allowed_for_file_upload": "list",
    "cost_estimate_enabled": "bool",
    "allows_virtual_table_explore": "bool",
    "cancel_query_on_windows_unload": "bool",
    "disable_data_preview": "bool",
    "disable_drill_to_detail": "bool",
    "allow_multi_catalog": "bool",
    "per_user_caching": "bool",
    "version": "str?",
    "schema_options": "dict",
}
DATASET = {
    "table_name": "str",
    "main_dttm_col": "str?",
    "currency_code_column": "str?",
    "description": "str?",
    "default_endpoint": "str?",
    "offset": "int",
    "cache_timeout": "int?",
    "schema": "str?",
    "catalog": "str?",
    "sql": "str?",
    "source_db_engine": "str?",
    "params": "dict?",
    "template_params": "any",
    "filter_select_enabled": "bool",
    "fetch_values_predicate": "str?",
    "extra": "any",
    "uuid": "uuid",
    "columns": "list",
    "metrics": "list",
    "version": "str",
    "database_uuid": "uuid",
    "data": "str",
    "is_managed_externally": "bool?",
    "external_url": "str?",
    "normalize_columns": "bool",
    "always_filter_main_dttm": "bool",
    "folders": "list?",
    "data_file": "str?",
}
COLUMN = {
    "column_name": "str",
    "extra": "any",
    "verbose_name": "str?",
    "is_dttm": "bool?",
    "is_active": "bool?",
    "type": "str?",
    "advanced_data_type": "str?",
    "groupby": "bool",
    "filterable": "bool",
    "expression": "str?",
    "description": "str?",
    "python_date_format": "str?",
    "datetime_format": "str?",
}
METRIC = {
    "metric_name": "str",
    "verbose_name": "str?",
    "metric_type": "str?",
    "expression": "str",
    "description": "str?",
    "d3format": "str?",
    "currency": "any",
    "extra": "any",
    "warning_text": "str?",
}
CHART = {
    "slice_name": "str",
    "description": "str?",
    "certified_by": "str?",
    "certification_details": "str?",
    "viz_type": "str",
    "params": "any",
    "query_context": "any",
    "cache_timeout": "int?",
    "uuid": "uuid",
    "version": "str",
    "dataset_uuid": "uuid",
    "is_managed_externally": "bool?",
    "external_url": "str?",
    "tags": "list?",
}
DASHBOARD = {
    "dashboard_title": "str",
    "description": "str?",
    "css": "str?",
    "slug": "str?",
    "uuid": "uuid",
    "position": "dict",
    "metadata": "dict",
    "version": "str",
    "is_managed_externally": "bool?",
    "external_url": "str?",
    "certified_by": "str?",
    "certification_details": "str?",
    "published": "bool?",
    "tags": "list?",
    "theme_uuid": "uuid?",
    "theme_id": "int?",
}

REQUIRED = {
    # `extra` too: the schema lets it out, but the importer then reads
    # config["extra"] (database/importers/v1/utils.py) and fails with a KeyError
    # that Superset reports only as "Import failed for an unknown reason".
    "database": ("database_name", "sqlalchemy_uri", "uuid", "version", "extra"),
    "dataset": ("table_name", "uuid", "version", "database_uuid"),
    "chart": ("slice_name", "viz_type", "uuid", "version", "dataset_uuid"),
    "dashboard": ("dashboard_title", "uuid", "version"),
    "column": ("column_name",),
    "metric": ("metric_name", "expression"),
}

_TOP = {"database": DATABASE, "dataset": DATASET, "chart": CHART, "dashboard": DASHBOARD}
_NESTED = {"database_extra": DATABASE_EXTRA, "column": COLUMN, "metric": METRIC}

# Keys that Superset 6.1 added: a 5.0 server rejects them.
_NEW_IN_6_1 = {
    "database": {"configuration_method", "masked_encrypted_extra", "encrypted_extra"},
    "database_extra": {"per_user_caching"},
    "dataset": {"source_db_engine", "folders", "currency_code_column", "data_file"},
    "column": {"datetime_format"},
    "chart": {"tags"},
    "dashboard": {"tags", "theme_uuid", "theme_id"},
}


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


@functools.lru_cache(maxsize=64)
def fields_of(part: str, superset_version: str) -> Mapping[str, str]:
    """Accepted keys and their type codes for a kind or nested part, per version
    (cached and read-only: validation asks for it once per asset part)."""
    fields = dict(_TOP.get(part) or _NESTED[part])
    if version_tuple(superset_version) < (6, 1):
        for key in _NEW_IN_6_1.get(part, ()):
            fields.pop(key, None)
    return MappingProxyType(fields)


def type_matches(code: str, value: Any) -> bool:
    if code == "any":
        return True
    if code.endswith("?"):
        if value is None:
            return True
        code = code[:-1]
    if code in ("str", "uuid"):
        return isinstance(value, str)
    if code == "bool":
        return isinstance(value, bool)
    if code == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if code == "dict":
        return isinstance(value, dict)
    if code == "list":
        return isinstance(value, list)
    raise ValueError(f"unknown type code {code}")


# The longest text each column of Superset 6.1's models holds (`String(n)`, read
# from superset/models/*.py and connectors/sqla/models.py); a longer value fails
# the import with a database error, or is cut by MySQL.
MAX_LENGTH: Mapping[str, Mapping[str, int]] = {
    "database": {"database_name": 250, "sqlalchemy_uri": 1024},
    "dataset": {"table_name": 250, "main_dttm_col": 250, "currency_code_column": 250,
                "schema": 255, "catalog": 256},
    "column": {"column_name": 255, "verbose_name": 1024, "advanced_data_type": 255,
               "python_date_format": 255, "datetime_format": 100},
    "metric": {"metric_name": 255, "verbose_name": 1024, "metric_type": 32, "d3format": 128},
    "chart": {"slice_name": 250, "viz_type": 250},
    "dashboard": {"dashboard_title": 500, "slug": 255},
}
# A dataset's `params` is stored as JSON text in a String(1000); a role name
# (Flask-AppBuilder's ab_role.name) holds 64.
MAX_DATASET_PARAMS_JSON = 1000
MAX_ROLE_NAME = 64
