"""The canonical form of one asset, the same for what we send and what Superset exports.

`normalize(kind, body)` is applied to both sides of a comparison: the bundle
form of a local asset (`bundle.superset_body`) and the YAML file Superset's
export writes for the same uuid. An asset imported unchanged must come out
equal; any change a user or a translation makes must stay visible.

The principle: a key is dropped or rewritten only where Superset itself fills
or rewrites it on import or export. Each rule below says which Superset code
does it (6.1: `commands/*/importers/v1/utils.py`, `commands/*/export.py`,
`commands/utils.py`). Defaults are a small table per kind and nested part, not a
blanket "drop every null": a value that differs from Superset's default stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aspects_assets.core.export import read_export
from aspects_assets.core.layout import DROP, KEY_PLACES, RefPlace, layout_chart_ids, map_chart_refs
from aspects_assets.model.json_text import json_data
from aspects_assets.model.secrets import mask_uri
from aspects_assets.model.snapshot import ExportFiles

# Keys that never carry asset state, on every kind:
#   version               the file format marker; every export writes 1.0.0.
#   is_managed_externally, external_url
#                         accepted and stored on import, but no export carries them
#                         (see SUPERSET-NOTES "What can be read back"): comparing
#                         them would show a difference after every import.
#   tags                  of charts and dashboards: not sent in the bundle (the import
#                         ignores them), compared and set by the tags kind
#                         (core.kinds.tags); the export writes them only with
#                         TAGGING_SYSTEM on.
_ALWAYS_DROPPED = frozenset({"version", "is_managed_externally", "external_url", "tags"})



# Values Superset's export writes where the imported file had no key (the model's
# column default, written because the export uses `include_defaults=True`). A key
# whose value equals its default is dropped on both sides, so leaving it out of a
# source and writing the default explicitly compare equal; any other value stays.
# Where two values mean the same to Superset (null and an empty mapping for an
# `extra` JSON column), both are listed.
DEFAULTS: dict[str, dict[str, tuple[Any, ...]]] = {
    "database": {
        "allow_csv_upload": (False,),  # export name of allow_file_upload, see _database
        "allow_ctas": (False,),
        "allow_cvas": (False,),
        "allow_dml": (False,),
        "allow_run_async": (False,),
        "cache_timeout": (None,),
        "configuration_method": ("sqlalchemy_form",),
        "expose_in_sqllab": (True,),
        "extra": (None, {}),
        "impersonate_user": (False,),
    },
    "dataset": {
        "always_filter_main_dttm": (False,),
        "cache_timeout": (None,),
        "catalog": (None,),
        "currency_code_column": (None,),
        "default_endpoint": (None,),
        "description": (None,),
        "extra": (None, {}),
        "fetch_values_predicate": (None,),
        "filter_select_enabled": (True,),
        "folders": (None,),
        "main_dttm_col": (None,),
        "normalize_columns": (False,),
        "offset": (0,),
        "params": (None, {}),
        "template_params": (None, {}),
    },
    "column": {
        "advanced_data_type": (None,),
        "datetime_format": (None,),
        "description": (None,),
        "expression": (None, ""),
        "extra": (None, {}),
        "filterable": (True,),
        "groupby": (True,),
        "is_active": (True, None),  # import stores null as true...
        "is_dttm": (False, None),  # ...and as false
        "python_date_format": (None,),
        "type": (None,),
        "verbose_name": (None,),
    },
    "metric": {
        "currency": (None,),
        "d3format": (None,),
        "description": (None,),
        "extra": (None, {}),
        "metric_type": (None,),
        "verbose_name": (None,),
        "warning_text": (None,),
    },
    "chart": {
        "cache_timeout": (None,),
        "certification_details": (None,),
        "certified_by": (None,),
        "description": (None,),
        "query_context": (None,),
    },
    "dashboard": {
        "certification_details": (None,),
        "certified_by": (None,),
        "css": (None, ""),
        "description": (None,),
        "published": (False,),
        "slug": (None,),
        "theme_uuid": (None,),  # 6.x export adds it; None is "the default theme"
    },
    # A save in the UI (`DashboardDAO.set_dash_metadata`) writes these where they are
    # missing; import writes an empty native filter list (`migrate_dashboard`).
    "dashboard_metadata": {
        "chart_configuration": ({},),
        "color_namespace": (None,),
        "color_scheme": ("", None),
        "cross_filters_enabled": (True,),
        "expanded_slices": ({},),
        "label_colors": ({},),
        "native_filter_configuration": ([],),
        "refresh_frequency": (0,),
        "timed_refresh_immune_slices": ([],),
    },
}


def _without_defaults(body: Mapping[str, Any], part: str,
                      dropped: frozenset[str] = _ALWAYS_DROPPED) -> dict[str, Any]:
    defaults = DEFAULTS[part]
    out: dict[str, Any] = {}
    for key, value in body.items():  # a plain loop: this runs for every dataset column
        if key in dropped:
            continue
        options = defaults.get(key)
        if options is not None and _is_default(value, options):
            continue
        out[key] = value
    return out


def _is_default(value: Any, options: tuple[Any, ...]) -> bool:
    # By type too: `False == 0` in Python, and a default of 0 must not swallow False.
    return any(type(value) is type(option) and value == option for option in options)


# -- databases -------------------------------------------------------------------------

def _database(body: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(body)
    # Superset renamed allow_csv_upload to allow_file_upload (and the same for the
    # schema list in `extra`) but its export writes the old V1 names; import takes both.
    if "allow_file_upload" in out:
        out["allow_csv_upload"] = out.pop("allow_file_upload")
    if isinstance(out.get("sqlalchemy_uri"), str):
        # The export masks the userinfo's password; a source's password (or its mask)
        # is not state we can read back, and one in the query is never shown.
        out["sqlalchemy_uri"] = mask_uri(out["sqlalchemy_uri"])
    extra = json_data(out.get("extra"))
    if isinstance(extra, dict):
        extra = dict(extra)
        if "schemas_allowed_for_file_upload" in extra:
            extra["schemas_allowed_for_csv_upload"] = extra.pop(
                "schemas_allowed_for_file_upload")
        # The export fixes a list stored as a JSON string (`parse_extra`).
        schemas = extra.get("schemas_allowed_for_csv_upload")
        if isinstance(schemas, str):
            extra["schemas_allowed_for_csv_upload"] = json_data(schemas)
    out["extra"] = extra
    return _without_defaults(out, "database")


# -- datasets --------------------------------------------------------------------------

# Dataset keys the import reads but never stores: `data` (a URL of example data to
# load) and `source_db_engine` (used by the examples loader only).
_DATASET_IMPORT_ONLY = frozenset({"data", "source_db_engine"})


def _dataset(body: Mapping[str, Any], database: Mapping[str, Any] | None) -> dict[str, Any]:
    out = {k: v for k, v in body.items() if k not in _DATASET_IMPORT_ONLY}
    if database is not None and out.get("cache_timeout") == database.get("cache_timeout"):
        # The export writes the effective cache timeout: the dataset's own, or its
        # database's where it has none (`SqlaTable.cache_timeout`). One equal to the
        # database's is the same either way.
        out["cache_timeout"] = None
    for key in ("extra", "params", "template_params"):
        if key in out:
            out[key] = json_data(out[key])
    if out.get("sql") == "":
        # A physical dataset: Superset stores "" and null alike as "no SQL".
        out["sql"] = None
    # The export lists columns and metrics in database order (by id); the order of a
    # source is not kept, and nothing in Superset depends on it. Sorted by name.
    if isinstance(out.get("columns"), list):
        out["columns"] = _sorted_parts(out["columns"], "column_name", "column")
    if isinstance(out.get("metrics"), list):
        out["metrics"] = _sorted_parts(out["metrics"], "metric_name", "metric")
    return _without_defaults(out, "dataset")


def _sorted_parts(items: Iterable[Any], name_key: str, part: str) -> list[Any]:
    normalized = []
    for item in items:
        if isinstance(item, dict):
            item = dict(item)
            if "extra" in item:
                item["extra"] = json_data(item["extra"])
            item = _without_defaults(item, part)
        normalized.append(item)
    return sorted(normalized, key=lambda i: str(i.get(name_key)) if isinstance(i, dict) else "")


# -- charts ----------------------------------------------------------------------------

# Chart params and query_context keys holding ids of the instance that saved them:
#   datasource   "<dataset id>__table", rewritten by every import
#                (`update_chart_config_dataset`); `dataset_uuid` says the same by uuid.
#   slice_id, dashboards (query_context.form_data only)
#                the chart's own id and its dashboards' ids where it was last saved;
#                import keeps them as they are, Explore rewrites them on every save.
_PARAMS_LOCAL_IDS = ("datasource",)
_FORM_DATA_LOCAL_IDS = ("datasource", "slice_id", "dashboards")


def _chart(body: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(body)
    params = json_data(out.get("params"))
    if isinstance(params, dict):
        params = {k: v for k, v in params.items() if k not in _PARAMS_LOCAL_IDS}
        # Import keeps only FORMULA annotation layers (the others point at annotation
        # layers or charts by local id: `filter_chart_annotations`) and writes an
        # empty list where there was none.
        layers = params.get("annotation_layers")
        if isinstance(layers, list):
            layers = [a for a in layers
                      if isinstance(a, dict) and a.get("annotationType") == "FORMULA"]
        if layers:
            params["annotation_layers"] = layers
        else:
            params.pop("annotation_layers", None)
    out["params"] = params
    if "query_context" in out:
        out["query_context"] = _query_context(out["query_context"])
    return _without_defaults(out, "chart")


def _query_context(value: Any) -> Any:
    """A chart's query_context as data without the ids of the instance that saved it.

    It is a JSON string (a source may write a mapping) that Explore derives from
    `params` on every save. Import rewrites its datasource ids; the ids that import
    keeps (`form_data.slice_id`, `form_data.dashboards`) name charts and dashboards
    of the instance where it was saved, so they mean nothing here. Everything
    else (queries, columns, metrics, filters) is compared.
    """
    context = json_data(value)
    if not isinstance(context, dict):
        return context
    context = {k: v for k, v in context.items() if k != "datasource"}
    form_data = context.get("form_data")
    if isinstance(form_data, dict):
        context["form_data"] = {k: v for k, v in form_data.items()
                                if k not in _FORM_DATA_LOCAL_IDS}
    queries = context.get("queries")
    if isinstance(queries, list):
        context["queries"] = [
            {k: v for k, v in q.items() if k != "datasource"} if isinstance(q, dict) else q
            for q in queries
        ]
    return context


# -- dashboards ------------------------------------------------------------------------

def _dashboard(body: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(body)
    position = out.get("position")
    uuid_of: dict[int, str] = {}
    if isinstance(position, dict):
        uuid_of = {chart_id: uuid for uuid, chart_id in layout_chart_ids(position)}
        out["position"] = {key: _layout_node(node) for key, node in position.items()}
    metadata = out.get("metadata")
    if isinstance(metadata, dict):
        out["metadata"] = _dashboard_metadata(metadata, uuid_of)
    return _without_defaults(out, "dashboard")


def _layout_node(node: Any) -> Any:
    # Import rewrites every CHART node's chartId to the local id of the chart named by
    # meta.uuid (`update_id_refs`); the uuid says which chart it is.
    if isinstance(node, dict) and node.get("type") == "CHART":
        meta = node.get("meta")
        if isinstance(meta, dict) and "uuid" in meta and "chartId" in meta:
            node = {**node, "meta": {k: v for k, v in meta.items() if k != "chartId"}}
    return node


# show_native_filters: removed by every import (Superset PR 23228).
# default_filters, filter_scopes: the legacy filter-box configuration, removed by every
#   import (`migrate_dashboard`, which turns filter boxes into native filters).
# color_scheme_domain, shared_label_colors, map_label_colors: colour-scale state the
#   dashboard page derives and writes back by itself when anyone merely opens it
#   (`applyDashboardLabelsColorOnLoad`, then `PUT /api/v1/dashboard/<id>/colors
#   ?mark_updated=false`, which does not even move `changed_on`): the colours of
#   `color_scheme` as the frontend's registry has them, the labels shared by several
#   charts, and the colour each label got. What an author sets is compared:
#   `color_scheme` and the colours of `label_colors` (which that PUT writes back as
#   they are). See docs/architecture.md, "Looking at a dashboard".
_METADATA_DROPPED = frozenset({"show_native_filters", "default_filters", "filter_scopes",
                               "color_scheme_domain", "shared_label_colors",
                               "map_label_colors"})


def _dashboard_metadata(metadata: Mapping[str, Any], uuid_of: Mapping[int, str]
                        ) -> dict[str, Any]:
    """Dashboard metadata with chart ids replaced by chart uuids, as Superset's
    import (`update_id_refs`, `update_cross_filter_scoping`) remaps them: where the
    import drops an id its layout does not know, so does this."""

    def uuid(ref: Any, place: RefPlace) -> Any:
        if place == "configuration id":
            return DROP  # `id` repeats the key; import rewrites it
        if place in KEY_PLACES:  # a chart id as a mapping key (a string)
            try:
                found = uuid_of.get(int(ref))
            except (TypeError, ValueError):
                found = None
        else:
            found = uuid_of.get(ref) if isinstance(ref, int) else None
        if found is not None:
            return found
        # Import drops an exclusion, or a configuration, of a chart not in the layout;
        # another id the layout does not know stays as it is (import fails on it, or
        # keeps it).
        return DROP if place in ("excluded", "configuration") else ref

    return _without_defaults(map_chart_refs(metadata, uuid), "dashboard_metadata",
                             _METADATA_DROPPED)


# -- entry points ----------------------------------------------------------------------

_NORMALIZERS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "database": _database,
    "chart": _chart,
    "dashboard": _dashboard,
}


def normalize(kind: str, body: Mapping[str, Any], *,
              database: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The canonical form of one asset of `kind` (database, dataset, chart, dashboard).

    `database` is a dataset's database (its body, in either form): the export
    writes the database's cache timeout into a dataset that has none, and this
    tells the two apart. Pure: `body` is not changed; parts that need no rewrite
    are shared with it.
    """
    if kind == "dataset":
        return _dataset(body, database)
    try:
        normalizer = _NORMALIZERS[kind]
    except KeyError:
        raise ValueError(f"unknown asset kind {kind!r}") from None
    return normalizer(body)


def normalize_all(files: ExportFiles) -> dict[str, tuple[str, dict[str, Any]]]:
    """An export's files as uuid → (kind, normalized body)."""
    return {uuid: (asset.kind, normalize(asset.kind, asset.body, database=asset.database))
            for uuid, asset in read_export(files).items()}
