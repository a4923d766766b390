"""Validation: every problem of an asset set at once, each with file and key path."""

from __future__ import annotations

import json
import uuid as uuidlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aspects_assets.core import import_schema
from aspects_assets.core.kinds.embedding import embedding_problem
from aspects_assets.core.kinds.tags import tag_name_problem
from aspects_assets.core.layout import (
    FILTERS_KEY,
    chart_nodes,
    filter_targets,
    layout_nodes,
    native_filters,
)
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.model.secrets import MASK, query_passwords, uri_passwords


def _error(asset: Asset, key: str, message: str) -> Problem:
    return Problem("error", asset.source, key, _in_locale(asset, message))


def _warning(asset: Asset, key: str, message: str) -> Problem:
    return Problem("warning", asset.source, key, _in_locale(asset, message))


def _in_locale(asset: Asset, message: str) -> str:
    return f"{message} (in the {asset.locale} copy)" if asset.locale else message


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuidlib.UUID(value)
    except ValueError:
        return False
    return True


def canonical(value: str) -> str:
    """A uuid's one written form (lowercase, with dashes): uuids that differ only in
    case or form are the same uuid to Superset."""
    return str(uuidlib.UUID(value))


def _check_fields(
    asset: Asset, data: dict[str, Any], part: str, prefix: str, version: str
) -> list[Problem]:
    fields = import_schema.fields_of(part, version)
    lengths = import_schema.MAX_LENGTH.get(part, {})
    problems = []
    for key in import_schema.REQUIRED.get(part, ()):
        if data.get(key) in (None, ""):
            problems.append(_error(asset, prefix + key, "required field is missing"))
    for key, value in data.items():
        if key not in fields:
            problems.append(
                _error(
                    asset,
                    prefix + str(key),
                    f"unknown key: Superset {version}'s import does not accept it",
                )
            )
        elif key in import_schema.REQUIRED.get(part, ()) and value in (None, ""):
            continue  # already reported as missing
        elif not import_schema.type_matches(fields[key], value):
            problems.append(
                _error(
                    asset,
                    prefix + str(key),
                    f"must be {_type_name(fields[key])}, not {type(value).__name__}",
                )
            )
        elif fields[key].rstrip("?") == "uuid" and value is not None and not is_uuid(value):
            problems.append(_error(asset, prefix + str(key), f"malformed uuid {value!r}"))
        elif fields[key].rstrip("?") == "uuid" and value is not None and value != canonical(value):
            problems.append(_error(asset, prefix + str(key),
                                   f"write the uuid as {canonical(value)} (lowercase, with "
                                   "dashes): references are matched as written"))
        elif (fields[key].rstrip("?") == "int" and isinstance(value, int)
              and not -(2**31) <= value < 2**31):
            problems.append(_error(asset, prefix + str(key), f"{value} does not fit the 32-bit "
                                   "integer Superset stores it in"))
        elif isinstance(value, str) and len(value) > lengths.get(key, len(value)):
            problems.append(_error(asset, prefix + str(key),
                                   f"is {len(value)} characters long; Superset keeps at most "
                                   f"{lengths[key]}"))
    return problems


def _type_name(code: str) -> str:
    names = {
        "str": "a string",
        "uuid": "a uuid string",
        "bool": "true or false",
        "int": "an integer",
        "dict": "a mapping",
        "list": "a list",
    }
    base = names.get(code.rstrip("?"), code)
    return f"{base} or null" if code.endswith("?") else base


def _check_schema(asset: Asset, version: str) -> list[Problem]:
    body = asset.body
    problems = _check_fields(asset, body, asset.kind, "", version)
    if asset.kind == "database" and isinstance(body.get("extra"), dict):
        problems += _check_fields(asset, body["extra"], "database_extra", "extra.", version)
    if asset.kind == "dataset":
        for part, key in (("column", "columns"), ("metric", "metrics")):
            items = body.get(key)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    problems += _check_fields(asset, item, part, f"{key}[{i}].", version)
                else:
                    problems.append(_error(asset, f"{key}[{i}]", "must be a mapping"))
    if asset.kind == "chart":
        problems += _check_chart_json(asset)
    if asset.kind == "dataset" and isinstance(body.get("params"), dict):
        size = len(json.dumps(body["params"]))
        if size > import_schema.MAX_DATASET_PARAMS_JSON:
            problems.append(_error(asset, "params", f"is {size} characters as JSON; Superset "
                                   f"keeps at most {import_schema.MAX_DATASET_PARAMS_JSON}"))
    if asset.kind == "dashboard":
        problems += _check_role_names(asset)
    if asset.kind in ("chart", "dashboard") and isinstance(body.get("tags"), list):
        problems += _check_tags(asset, body["tags"])
    return problems


def _check_tags(asset: Asset, tags: list[Any]) -> list[Problem]:
    problems = []
    for i, name in enumerate(tags):
        problem = tag_name_problem(name)
        if problem:
            problems.append(_error(asset, f"tags[{i}]", problem))
    return problems


def _check_role_names(asset: Asset) -> list[Problem]:
    roles = asset.private.get("_roles")
    return [_error(asset, f"_roles[{i}]", f"the role name {role!r} is {len(role)} characters "
                   f"long; Superset's roles hold at most {import_schema.MAX_ROLE_NAME}")
            for i, role in enumerate(roles if isinstance(roles, list) else [])
            if isinstance(role, str) and len(role) > import_schema.MAX_ROLE_NAME]


def _check_json_object(asset: Asset, key: str, allowed: str, *,
                       json_null_ok: bool = False) -> list[Problem]:
    """A chart field Superset keeps as JSON text: null, a mapping, or a string whose
    JSON is an object."""
    value = asset.body.get(key)
    if isinstance(value, str):
        try:
            parsed = json.loads(value, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            return [_error(asset, key, f"is not valid JSON: {exc.msg}")]
        except ValueError as exc:
            return [_error(asset, key, f"is not valid JSON: {exc}")]
        if not isinstance(parsed, dict) and not (json_null_ok and parsed is None):
            return [_error(asset, key, "JSON must be an object")]
    elif value is not None and not isinstance(value, dict):
        return [_error(asset, key, f"must be {allowed}, not {type(value).__name__}")]
    return []


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (Superset would store it as text)")


def _check_chart_json(asset: Asset) -> list[Problem]:
    return (_check_json_object(asset, "query_context", "null, a JSON string or a mapping",
                               json_null_ok=True)
            + _check_json_object(asset, "params", "a mapping or a JSON object string"))


def _check_password(asset: Asset) -> list[Problem]:
    uri = asset.body.get("sqlalchemy_uri")
    if not isinstance(uri, str):
        return []
    if MASK in query_passwords(uri):
        return [
            _error(
                asset,
                "sqlalchemy_uri",
                f"a password parameter in the URI's query is not replaced by the password "
                f"Superset is given: write {MASK} as the userinfo's password "
                f"(user:{MASK}@host) instead",
            )
        ]
    if any(password != MASK for password in uri_passwords(uri)):
        return [
            _error(
                asset,
                "sqlalchemy_uri",
                f"clear-text password in the URI: write it as {MASK} and "
                "supply the password through `databases.NAME.password_env` or a "
                "variable in `variables_from_env`",
            )
        ]
    return []


def _check_embedded(asset: Asset) -> list[Problem]:
    embedded = asset.private.get("_embedded")
    if embedded is None or asset.locale:  # copies are embedded as their original says
        return []
    if not isinstance(embedded, dict):
        return [_error(asset, "_embedded", f"must be a mapping, not {type(embedded).__name__}")]
    problem = embedding_problem(embedded)
    return [_error(asset, f"_embedded.{problem[0]}", problem[1])] if problem else []


def _check_layout(asset: Asset, charts: dict[str, Asset]) -> list[Problem]:
    problems = []
    nodes = dict(layout_nodes(asset.body))
    listed_by: dict[str, list[str]] = defaultdict(list)
    for node_id, node in nodes.items():
        children = node.get("children") or []
        if not isinstance(children, list):
            problems.append(_error(asset, f"position.{node_id}.children", "must be a list"))
            continue
        for i, child in enumerate(children):
            if not isinstance(child, str):
                problems.append(_error(asset, f"position.{node_id}.children[{i}]",
                                       f"must be a node id (a text), not {type(child).__name__}"))
                continue
            listed_by[child].append(node_id)
            if child not in nodes:
                problems.append(
                    _warning(
                        asset,
                        f"position.{node_id}.children",
                        f"lists {child!r}, which is not in the layout (left out of "
                        "what is sent: Superset fails to update such a dashboard)",
                    )
                )
    for node_id, node in nodes.items():
        if node_id not in ("ROOT_ID", "HEADER_ID") and node_id not in listed_by:
            problems.append(
                _warning(
                    asset, f"position.{node_id}", "no node lists it as a child: it is not shown"
                )
            )
        parents = node.get("parents")
        if (
            isinstance(parents, list)
            and parents
            and node_id in listed_by
            and parents[-1] not in listed_by[node_id]
        ):
            problems.append(
                _warning(
                    asset,
                    f"position.{node_id}.parents",
                    f"stale: names {parents[-1]!r} as its parent",
                )
            )
    for node_id, node in chart_nodes(asset.body):
        meta = node.get("meta")
        ref = meta.get("uuid") if isinstance(meta, dict) else None
        key = f"position.{node_id}.meta.uuid"
        if ref is None:
            problems.append(_error(asset, key, "chart node without a chart uuid"))
        elif not is_uuid(ref):
            problems.append(_error(asset, key, f"malformed uuid {ref!r}"))
        elif ref not in charts:
            problems.append(_error(asset, key, f"refers to chart {ref}, which is in no file"))
    return problems


def _check_filters(asset: Asset, datasets: dict[str, Asset]) -> list[Problem]:
    problems = []
    for i, native_filter in native_filters(asset.body):
        for j, target in filter_targets(native_filter):
            ref = target.get("datasetUuid")
            if ref is None:
                continue
            key = f"{FILTERS_KEY}[{i}].targets[{j}].datasetUuid"
            name = native_filter.get("name") or native_filter.get("id")
            if not is_uuid(ref):
                problems.append(_error(asset, key, f"malformed uuid {ref!r}"))
            elif ref not in datasets:
                problems.append(
                    _error(
                        asset,
                        key,
                        f"native filter {name!r} targets dataset {ref}, which is in "
                        "no file (Superset's import fails on it)",
                    )
                )
    return problems


def _check_references(asset: Asset, by_kind: dict[str, dict[str, Asset]]) -> list[Problem]:
    if asset.kind == "dataset":
        ref = asset.body.get("database_uuid")
        if is_uuid(ref) and ref not in by_kind["database"]:
            return [
                _error(asset, "database_uuid", f"refers to database {ref}, which is in no file")
            ]
    if asset.kind == "chart":
        ref = asset.body.get("dataset_uuid")
        if is_uuid(ref) and ref not in by_kind["dataset"]:
            return [_error(asset, "dataset_uuid", f"refers to dataset {ref}, which is in no file")]
    if asset.kind == "dashboard":
        return (_check_layout(asset, by_kind["chart"]) + _check_filters(asset, by_kind["dataset"])
                + _check_chart_configuration(asset))
    return []


def _check_chart_configuration(asset: Asset) -> list[Problem]:
    """Cross-filter settings are keyed by the layout's `chartId`s; Superset's import
    drops every entry whose key is none of them (both Aspects corpora lose all of
    theirs that way)."""
    metadata = asset.body.get("metadata")
    config = metadata.get("chart_configuration") if isinstance(metadata, dict) else None
    if not isinstance(config, dict) or not config:
        return []
    chart_ids = {str((node.get("meta") or {}).get("chartId"))
                 for _, node in chart_nodes(asset.body)}
    lost = sorted(k for k in config if str(k) not in chart_ids)
    if not lost:
        return []
    return [_warning(asset, "metadata.chart_configuration",
                     f"{len(lost)} of {len(config)} entries are keyed by no chartId of the "
                     f"layout (e.g. {lost[0]!r}): Superset's import drops them, with their "
                     "cross-filter settings")]


def _duplicates(assets: Iterable[Asset], key_of: Any, what: str, key: str) -> list[Problem]:
    seen: dict[Any, Asset] = {}
    problems = []
    for asset in assets:
        value = key_of(asset)
        if value is None or not isinstance(value, str | tuple):
            continue  # a name of the wrong type is reported by the schema check
        if value in seen:
            first = seen[value]
            problems.append(
                _error(
                    asset,
                    key,
                    f"{what} {_show(value)} is also used by "
                    f"{first.source}" + (f" ({first.locale} copy)" if first.locale else ""),
                )
            )
        else:
            seen[value] = asset
    return problems


def _show(value: Any) -> str:
    return "/".join(str(v) for v in value) if isinstance(value, tuple) else repr(value)


def _dataset_identity(asset: Asset) -> tuple[str, str, str] | None:
    body = asset.body
    return (
        str(body.get("database_uuid")),
        str(body.get("schema") or ""),
        str(body.get("table_name")),
    )


def validate(assets: AssetSet, superset_version: str,
             known: Mapping[str, Sequence[Problem]] | None = None) -> list[Problem]:
    """All problems of an asset set: errors (Superset would fail or import wrong
    data) and warnings (inconsistencies Superset tolerates). `known`: see
    `each_asset`."""
    return [p for _, found in each_asset(assets, superset_version, known) for p in found] + \
        across_assets(assets)


def each_asset(assets: AssetSet, superset_version: str,
               known: Mapping[str, Sequence[Problem]] | None = None
               ) -> list[tuple[Asset, list[Problem]]]:
    """Each asset with its own problems (its fields, password, embedding and the
    assets it refers to), in order. `known`: uuid → the problems an asset had when
    last validated (a locale's copies from `run.render_cache`: a copy refers
    only to its locale's copies and the databases, so they are what they were)."""
    by_kind: dict[str, dict[str, Asset]] = defaultdict(dict)
    for asset in assets:
        if is_uuid(asset.body.get("uuid")):
            by_kind[asset.kind].setdefault(asset.uuid, asset)
    out = []
    for asset in assets:
        if known is not None and asset.uuid in known:
            out.append((asset, list(known[asset.uuid])))
            continue
        problems = _check_schema(asset, superset_version)
        if asset.kind == "database":
            problems += _check_password(asset)
        if asset.kind == "dashboard":
            problems += _check_embedded(asset)
        problems += _check_references(asset, by_kind)
        out.append((asset, problems))
    return out


def across_assets(assets: AssetSet) -> list[Problem]:
    """What no asset has alone: a uuid, database name, slug or table used twice."""
    problems: list[Problem] = []
    problems += _duplicates(assets, lambda a: canonical(a.uuid) if is_uuid(a.uuid) else None,
                            "uuid", "uuid")
    problems += _duplicates(
        assets.of_kind("database"),
        lambda a: a.body.get("database_name"),
        "database name",
        "database_name",
    )
    problems += _duplicates(
        assets.of_kind("dashboard"), lambda a: a.body.get("slug") or None, "slug", "slug"
    )
    problems += _duplicates(
        assets.of_kind("dataset"),
        _dataset_identity,
        "dataset identity (database/schema/table)",
        "table_name",
    )
    return problems


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


# Our private keys (never sent), per kind: each is checked as Superset's fields are.
# A type code as in import_schema; "texts" is a list of non-empty texts.
# `_include_if` (core.conditional) checks its own value: it names a variable.
# `_override` marks a partial override of a lower layer's asset (project/layers.py);
# stacking takes it out, so it is left here only where it is not `true`.
PRIVATE_KEYS: dict[str, dict[str, str]] = {
    "database": {"_file_name": "str", "_include_if": "any", "_override": "bool"},
    "dataset": {"_file_name": "str", "_include_if": "any", "_override": "bool"},
    "chart": {"_file_name": "str", "_include_if": "any", "_override": "bool"},
    "dashboard": {"_file_name": "str", "_include_if": "any", "_override": "bool",
                  "_roles": "texts", "_embedded": "dict"},
}
EMBEDDED_KEYS = {"allowed_domains": "texts", "allow_any_domain": "bool"}


def _check_texts(asset: Asset, key: str, value: Any) -> list[Problem]:
    if not isinstance(value, list):
        return [_error(asset, key, f"must be a list of texts, not {type(value).__name__}")]
    return [_error(asset, f"{key}[{i}]", "must be a non-empty text")
            for i, item in enumerate(value) if not isinstance(item, str) or not item.strip()]


def _check_private_fields(asset: Asset, data: dict[str, Any], schema: dict[str, str],
                          prefix: str) -> list[Problem]:
    problems = []
    for key, value in data.items():
        code = schema.get(str(key))
        where = f"{prefix}{key}"
        if code is None:
            known = ", ".join(sorted(schema))
            problems.append(_error(asset, where, f"unknown key (known here: {known})"))
        elif code == "texts":
            problems += _check_texts(asset, where, value)
        elif not import_schema.type_matches(code, value):
            problems.append(_error(asset, where,
                                   f"must be {_type_name(code)}, not {type(value).__name__}"))
    return problems


def check_private(originals: AssetSet, embedded_slugs: Iterable[str],
                  settings_file: str) -> list[Problem]:
    """Our private keys in the source files, and the settings' `embedded_dashboards`
    (each must name a dashboard's slug)."""
    problems = []
    for asset in originals:
        problems += _check_private_fields(asset, asset.private, PRIVATE_KEYS[asset.kind], "")
        embedded = asset.private.get("_embedded")
        if isinstance(embedded, dict):
            problems += _check_private_fields(asset, embedded, EMBEDDED_KEYS, "_embedded.")
    slugs = {a.body.get("slug") for a in originals.of_kind("dashboard")
             if isinstance(a.body.get("slug"), str)}
    for slug in embedded_slugs:
        if slug not in slugs:
            problems.append(Problem("error", settings_file, f"embedded_dashboards.{slug}",
                                    f"no dashboard has the slug {slug!r}"))
    return problems
