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

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import yaml
import yaml_rs

from aspects_assets.model.assets import KIND_OF_FOLDER
from aspects_assets.model.secrets import mask_uri

# Keys that never carry asset state, on every kind:
#   version               the file format marker; every export writes 1.0.0.
#   is_managed_externally, external_url
#                         accepted and stored on import, but no export carries them
#                         (see SUPERSET-NOTES "What can be read back"): comparing
#                         them would show a difference after every import.
_ALWAYS_DROPPED = frozenset({"version", "is_managed_externally", "external_url"})



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
        "tags": ([],),  # written when the TAGGING_SYSTEM feature is on
    },
    "dashboard": {
        "certification_details": (None,),
        "certified_by": (None,),
        "css": (None, ""),
        "description": (None,),
        "published": (False,),
        "slug": (None,),
        "tags": ([],),
        "theme_uuid": (None,),  # 6.x export adds it; None is "the default theme"
    },
    # A save in the UI (`DashboardDAO.set_dash_metadata`) writes these where they are
    # missing; import writes an empty native filter list (`migrate_dashboard`).
    "dashboard_metadata": {
        "chart_configuration": ({},),
        "color_namespace": (None,),
        "color_scheme": ("", None),
        "color_scheme_domain": ([],),
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


def _json(value: Any) -> Any:
    """A JSON column's value as data, whether it came as a string or a mapping.

    Superset stores these as text and the export parses some of them (dataset
    `extra`, column and metric `extra`, database `extra`, chart `params`) but only
    when non-empty, and the database export path leaves a dataset's `extra` as a
    string. A blank string is what Superset's import turns into null.
    """
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value  # not JSON: compare the text as it is
    return value


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
    extra = _json(out.get("extra"))
    if isinstance(extra, dict):
        extra = dict(extra)
        if "schemas_allowed_for_file_upload" in extra:
            extra["schemas_allowed_for_csv_upload"] = extra.pop(
                "schemas_allowed_for_file_upload")
        # The export fixes a list stored as a JSON string (`parse_extra`).
        schemas = extra.get("schemas_allowed_for_csv_upload")
        if isinstance(schemas, str):
            extra["schemas_allowed_for_csv_upload"] = _json(schemas)
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
            out[key] = _json(out[key])
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
                item["extra"] = _json(item["extra"])
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
    params = _json(out.get("params"))
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
    context = _json(value)
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

def _chart_uuid_of_id(position: Mapping[str, Any]) -> dict[int, str]:
    """Chart id → chart uuid as the dashboard's own layout says (Superset's
    `build_uuid_to_id_map`): the only way to read the ids in its metadata."""
    out: dict[int, str] = {}
    for node in position.values():
        if isinstance(node, dict) and node.get("type") == "CHART":
            meta = node.get("meta")
            if isinstance(meta, dict) and "uuid" in meta and isinstance(meta.get("chartId"), int):
                out[meta["chartId"]] = str(meta["uuid"])
    return out


def _dashboard(body: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(body)
    position = out.get("position")
    uuid_of: dict[int, str] = {}
    if isinstance(position, dict):
        uuid_of = _chart_uuid_of_id(position)
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
# shared_label_colors, map_label_colors: derived by the frontend from the labels its
#   charts show, and written back by the dashboard page itself when an editor merely
#   opens it (`PUT /api/v1/dashboard/<id>/colors?mark_updated=false`, which does not
#   even move `changed_on`). The colors a user sets are in `label_colors`, compared.
_METADATA_DROPPED = frozenset({"show_native_filters", "default_filters", "filter_scopes",
                               "shared_label_colors", "map_label_colors"})


def _dashboard_metadata(metadata: Mapping[str, Any], uuid_of: Mapping[int, str]
                        ) -> dict[str, Any]:
    """Dashboard metadata with chart ids replaced by chart uuids, as Superset's
    import (`update_id_refs`, `update_cross_filter_scoping`) remaps them: where the
    import drops an id its layout does not know, so does this."""

    def ref(chart_id: Any) -> Any:
        # An id the layout does not know stays as it is (import fails on it, or keeps it).
        return uuid_of.get(chart_id, chart_id) if isinstance(chart_id, int) else chart_id

    def known(ids: Any) -> Any:
        if not isinstance(ids, list):
            return ids
        return [uuid_of[i] for i in ids if isinstance(i, int) and i in uuid_of]

    def key_of(old: Any) -> str | None:  # a chart id as a mapping key (a string)
        try:
            return uuid_of.get(int(old))
        except (TypeError, ValueError):
            return None

    out = dict(metadata)

    if isinstance(out.get("timed_refresh_immune_slices"), list):
        out["timed_refresh_immune_slices"] = [ref(i) for i in out["timed_refresh_immune_slices"]]
    if isinstance(out.get("expanded_slices"), dict):
        out["expanded_slices"] = {
            key_of(k) or k: v for k, v in out["expanded_slices"].items()}
    if isinstance(out.get("native_filter_configuration"), list):
        out["native_filter_configuration"] = [
            _scoped(f, known) if isinstance(f, dict) else f
            for f in out["native_filter_configuration"]
        ]
    if isinstance(out.get("global_chart_configuration"), dict):
        out["global_chart_configuration"] = _scoped(out["global_chart_configuration"], known)
    if isinstance(out.get("chart_configuration"), dict):
        configuration: dict[str, Any] = {}
        for old, config in out["chart_configuration"].items():
            new = key_of(old)
            if new is None:
                continue  # import drops a configuration of a chart not in the layout
            if isinstance(config, dict):
                # `id` repeats the key; import rewrites it.
                config = {k: v for k, v in config.items() if k != "id"}
                if isinstance(config.get("crossFilters"), dict):
                    config["crossFilters"] = _scoped(config["crossFilters"], known)
            configuration[new] = config
        out["chart_configuration"] = configuration
    return _without_defaults(out, "dashboard_metadata", _METADATA_DROPPED)


def _scoped(part: Mapping[str, Any], known: Callable[[Any], Any]) -> dict[str, Any]:
    """A native filter or cross-filter configuration: `scope.excluded` by uuid, as
    import remaps it; `chartsInScope` dropped.

    `chartsInScope` is derived by Superset's frontend from `scope` and the layout on
    every save, and import does not remap it: after an import it holds the ids of
    the instance the source came from, after a save in the UI the local ones. Its
    ids can be read on neither side; `scope`, which it is computed from, is compared.
    """
    out = {k: v for k, v in part.items() if k != "chartsInScope"}
    scope = out.get("scope")
    if isinstance(scope, dict) and "excluded" in scope:
        out["scope"] = {**scope, "excluded": known(scope["excluded"])}
    return out


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


def kind_of_path(path: str) -> str | None:
    """The asset kind of an export file (`charts/Name_12.yaml` → chart), or None."""
    folder, _, _ = path.partition("/")
    return KIND_OF_FOLDER.get(folder)


# -- reading an export fast -------------------------------------------------------------

# PyYAML through libyaml (CSafeLoader) reads about 2.5 MB/s here: about 6 s for the
# 16 MB export of 2,900 assets, nearly all of it building PyYAML's node objects.
# `yaml_rs` (a YAML parser in Rust, a dependency for this reason) reads the same
# files about six times faster. It follows YAML 1.2 (and is lax with `_`), while
# Superset writes YAML 1.1 with PyYAML: the two read some unquoted scalars
# differently ("1e5", "09", "0o7", "_1" are strings in 1.1, numbers there), so a
# file that has any such scalar, or a plain timestamp, is read by PyYAML instead.
# Every other plain number PyYAML writes is canonical (`12`, `-3`, `1.5`,
# `1.0e-05`, `.inf`), which both read alike.
_FAST_YAML: Any = yaml_rs
_END = rb"(?::(?: |$)|[ ]*$)"  # what ends a plain key or value in block style
_CANONICAL_NUMBER = rb"(?:-?(?:0|[1-9][0-9]*)|-?[0-9]+\.[0-9]+(?:e[-+][0-9]+)?|-?\.inf|\.nan)"
_NUMBERISH = (rb"(?:[-+]?[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9_]+)?|[-+]?0[oOxXbB][0-9a-fA-F_]+"
              rb"|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN))")
# A plain scalar that looks like a number, has a digit or a dot, and is not written
# the way PyYAML writes numbers; or a plain date.
_READ_DIFFERENTLY = (
    rb"(?=[-+._0-9])(?:(?!" + _CANONICAL_NUMBER + _END + rb")(?=[-+._0-9a-zA-Z]*[0-9.])"
    + _NUMBERISH + _END + rb"|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?)")
# ...as a value ("key: 1e5"), or at the start of a line: a key or a list item. Three
# searches with a literal start are several times faster than one with `^`.
_AFTER_KEY = re.compile(rb"(?m): " + _READ_DIFFERENTLY)
_LINE_START = re.compile(rb"(?m)\n[ ]*+(?:- )*+" + _READ_DIFFERENTLY)
_FIRST_LINE = re.compile(rb"(?m)[ ]*+(?:- )*+" + _READ_DIFFERENTLY)


def _read_alike(content: bytes) -> bool:
    """True when a YAML 1.2 parser reads `content` (PyYAML's block output) as PyYAML does."""
    return not (_AFTER_KEY.search(content) or _LINE_START.search(content)
                or _FIRST_LINE.match(content))


def load_yaml(content: bytes, *, fast: bool = True) -> Any:
    """One export file as data, exactly as PyYAML's `safe_load` reads it."""
    if fast and _read_alike(content):
        try:
            return _FAST_YAML.loads(content.decode("utf-8"), parse_datetime=False)
        except Exception:  # anything it cannot read, PyYAML reads (or rejects)
            pass
    return yaml.load(content, Loader=yaml.CSafeLoader)


def normalize_all(files: Mapping[str, bytes], *,
                  databases: Mapping[str, Mapping[str, Any]] | None = None,
                  ) -> dict[str, tuple[str, dict[str, Any]]]:
    """An export's files (path without the top folder → YAML) as uuid → (kind,
    normalized body).

    File names are ignored: assets are matched by uuid. Files that are no asset
    (metadata.yaml, queries, themes, tags) are skipped. A dataset's database is
    looked up in the export (Superset exports it with its datasets), else in
    `databases` (uuid → body).
    """
    parsed: list[tuple[str, dict[str, Any]]] = []
    database_of: dict[str, Mapping[str, Any]] = dict(databases or {})
    for path, content in files.items():
        kind = kind_of_path(path)
        if kind is None or not path.endswith((".yaml", ".yml")):
            continue
        body = load_yaml(content)
        if not isinstance(body, dict) or "uuid" not in body:
            continue
        parsed.append((kind, body))
        if kind == "database":
            database_of[str(body["uuid"])] = body
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind, body in parsed:
        database = database_of.get(str(body.get("database_uuid"))) if kind == "dataset" else None
        out[str(body["uuid"])] = (kind, normalize(kind, body, database=database))
    return out
