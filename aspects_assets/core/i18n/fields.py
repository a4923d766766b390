"""The one registry of translatable fields: extraction and localization both read it.

A field is named by the kind of asset it lives in, where in the body it is, and
what it is (the `#.` comment a translator reads). `texts()` lists the texts of
one asset; localization writes the translation back at the same key path.

Ad-hoc metric labels are special: a label is also a name that other parts of
the chart use (`column_config` keys, `conditional_formatting`, sort settings,
`query_context`). `plan_labels()` finds every reference and decides whether the
label can be renamed everywhere at once; `rename_labels()` does it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.layout import native_filters
from aspects_assets.model.keys import Key as Key
from aspects_assets.model.keys import KeyPath as KeyPath
from aspects_assets.model.keys import key_text as key_text


def get_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def set_at(data: Any, path: KeyPath, value: Any) -> Any:
    """A copy of `data` with `value` at `path`: only the containers on the way
    are copied, everything else is shared (the bodies are never mutated)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(head, int):
        copy_list = list(data)
        copy_list[head] = set_at(data[head], rest, value)
        return copy_list
    if isinstance(data, dict):
        copy_dict = dict(data)
        copy_dict[head] = set_at(data.get(head), rest, value)
        return copy_dict
    return data


def set_many(data: Any, changes: Mapping[KeyPath, Any]) -> Any:
    """Like `set_at` for many paths at once: each container is copied once."""
    if not changes:
        return data
    if () in changes:
        return changes[()]
    groups: dict[Key, dict[KeyPath, Any]] = {}
    for path, value in changes.items():
        groups.setdefault(path[0], {})[path[1:]] = value
    if isinstance(data, list):
        copy_list = list(data)
        for head, rest in groups.items():
            if isinstance(head, int) and head < len(copy_list):
                copy_list[head] = set_many(data[head], rest)
        return copy_list
    if isinstance(data, dict):
        copy_dict = dict(data)
        for head, rest in groups.items():
            copy_dict[head] = set_many(data.get(head), rest)
        return copy_dict
    return data


@dataclass(frozen=True)
class Text:
    """One translatable text of one asset."""

    path: KeyPath
    text: str
    what: str
    # An ad-hoc metric label: renamed with every reference (`rename_labels`),
    # not only at `path`.
    label: bool = False

    @property
    def key(self) -> str:
        return key_text(self.path)


@dataclass(frozen=True)
class FieldSpec:
    """One entry of the registry."""

    kind: str
    where: str  # documented location
    what: str  # what the text is, for the translator; {title} = the asset's title
    find: Callable[[dict[str, Any]], Iterator[tuple[KeyPath, str]]]
    label: bool = False


def _top(key: str) -> Callable[[dict[str, Any]], Iterator[tuple[KeyPath, str]]]:
    def find(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
        yield (key,), ""

    return find


def _params(key: str) -> Callable[[dict[str, Any]], Iterator[tuple[KeyPath, str]]]:
    def find(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
        yield ("params", key), ""

    return find


def _layout(node_type: str, key: str) -> Callable[[dict[str, Any]], Iterator[tuple[KeyPath, str]]]:
    def find(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
        position = body.get("position")
        if not isinstance(position, dict):
            return
        for node_id in sorted(position, key=str):
            node = position[node_id]
            if isinstance(node, dict) and node.get("type") == node_type:
                yield ("position", node_id, "meta", key), ""

    return find


def _filters(key: str) -> Callable[[dict[str, Any]], Iterator[tuple[KeyPath, str]]]:
    def find(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
        for i, _ in native_filters(body):
            yield ("metadata", "native_filter_configuration", i, key), ""

    return find


def _items(list_key: str, name_key: str, key: str) -> Callable[..., Iterator[tuple[KeyPath, str]]]:
    def find(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
        items = body.get(list_key)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    yield (list_key, i, key), str(item.get(name_key))

    return find


def _labels(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    params = body.get("params")
    if isinstance(params, dict):
        for path, metric in _metric_objects(params, ("params",)):
            if metric.get("hasCustomLabel") and isinstance(metric.get("label"), str):
                yield (*path, "label"), ""


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("dashboard", "dashboard_title", "dashboard title", _top("dashboard_title")),
    FieldSpec("dashboard", "description", "description of dashboard {title}", _top("description")),
    FieldSpec(
        "dashboard", "position.<HEADER>.meta.text", "header in dashboard {title}",
        _layout("HEADER", "text"),
    ),
    FieldSpec(
        "dashboard", "position.<TAB>.meta.text", "tab title in dashboard {title}",
        _layout("TAB", "text"),
    ),
    FieldSpec(
        "dashboard", "position.<MARKDOWN>.meta.code", "markdown text in dashboard {title}",
        _layout("MARKDOWN", "code"),
    ),
    FieldSpec(
        "dashboard", "position.<CHART>.meta.sliceNameOverride",
        "chart title shown in dashboard {title}", _layout("CHART", "sliceNameOverride"),
    ),
    FieldSpec(
        "dashboard", "metadata.native_filter_configuration[].name",
        "native filter name in dashboard {title}", _filters("name"),
    ),
    FieldSpec(
        "dashboard", "metadata.native_filter_configuration[].description",
        "native filter description in dashboard {title}", _filters("description"),
    ),
    FieldSpec("chart", "slice_name", "chart title", _top("slice_name")),
    FieldSpec("chart", "description", "description of chart {title}", _top("description")),
    FieldSpec(
        "chart", "params.x_axis_title", "x axis title of chart {title}", _params("x_axis_title")
    ),
    FieldSpec(
        "chart", "params.y_axis_title", "y axis title of chart {title}", _params("y_axis_title")
    ),
    FieldSpec(
        "chart", "params.<metric>.label (hasCustomLabel: true)",
        "metric label in chart {title}", _labels, label=True,
    ),
    FieldSpec(
        "dataset", "columns[].verbose_name", "label of column {item} in dataset {title}",
        _items("columns", "column_name", "verbose_name"),
    ),
    FieldSpec(
        "dataset", "columns[].description", "description of column {item} in dataset {title}",
        _items("columns", "column_name", "description"),
    ),
    FieldSpec(
        "dataset", "metrics[].verbose_name", "label of metric {item} in dataset {title}",
        _items("metrics", "metric_name", "verbose_name"),
    ),
    FieldSpec(
        "dataset", "metrics[].description", "description of metric {item} in dataset {title}",
        _items("metrics", "metric_name", "description"),
    ),
)  # fmt: skip

# Chart params that hold a translatable text: a label equal to one of them is
# not a reference to the label (the text is translated on its own).
_TEXT_PARAMS = frozenset(
    str(f.where.split(".", 1)[1]) for f in FIELDS if f.where.startswith("params.") and not f.label
)


def chart_params(body: dict[str, Any]) -> dict[str, Any] | None:
    """A chart's params as a mapping (Superset also accepts a JSON string)."""
    params = body.get("params")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except json.JSONDecodeError:
            return None
    return params if isinstance(params, dict) else None


def with_parsed_params(body: dict[str, Any]) -> dict[str, Any]:
    if isinstance(body.get("params"), str):
        params = chart_params(body)
        if params is not None:
            return {**body, "params": params}
    return body


def texts(
    asset_kind: str, body: dict[str, Any], title: str, labels: LabelPlan | None
) -> list[Text]:
    """Every non-empty translatable text of one asset body, in registry order.

    For a chart, only the labels that `labels` found safe to rename are listed.
    """
    body = with_parsed_params(body) if asset_kind == "chart" else body
    out: list[Text] = []
    for spec in FIELDS:
        if spec.kind != asset_kind:
            continue
        for path, item in spec.find(body):
            value = get_at(body, path)
            if not isinstance(value, str) or not value.strip():
                continue
            if spec.label and (labels is None or value not in labels.safe):
                continue
            out.append(Text(path, value, spec.what.format(title=title, item=item), spec.label))
    return out


# --- ad-hoc metric labels -------------------------------------------------------------

OK, IGNORE, UNSAFE = "ok", "ignore", "unsafe"
# Chart settings whose value names a metric by its label.
SORT_KEYS = frozenset(
    {"x_axis_sort", "timeseries_limit_metric", "series_limit_metric", "legacy_order_by"}
)


@dataclass(frozen=True)
class SkippedLabel:
    label: str
    reason: str


@dataclass(frozen=True)
class LabelPlan:
    """Which custom labels of one chart can be translated, and why not the others."""

    safe: frozenset[str]
    skipped: tuple[SkippedLabel, ...]


def _is_metric(value: Any) -> bool:
    return isinstance(value, dict) and "expressionType" in value


def _metric_objects(data: Any, path: KeyPath) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    if isinstance(data, dict):
        if _is_metric(data):
            yield path, data
            return
        for key, value in data.items():
            yield from _metric_objects(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _metric_objects(value, (*path, i))


def _site(path: KeyPath, is_key: bool, parents: tuple[Any, ...]) -> str:
    """What an exact occurrence of a label at `path` is: a reference we know
    how to rename (OK), not a reference (IGNORE), or something else (UNSAFE).

    `path` starts with "params" or "query_context"; `parents` are the
    containers along it (the last one holds the occurrence).
    """
    if path[0] == "query_context" and len(path) > 1 and path[1] == "form_data":
        area, rel = "params", path[2:]
    else:
        area, rel = ("query" if path[0] == "query_context" else "params"), path[1:]
    if not rel:
        return UNSAFE
    last = rel[-1]
    in_post_processing = (
        area == "query" and len(rel) > 3 and rel[0] == "queries" and rel[2] == "post_processing"
    )
    if is_key:
        if area == "params" and len(rel) == 2 and rel[0] == "column_config":
            return OK
        return OK if in_post_processing else UNSAFE
    parent = parents[-1] if parents else None
    if isinstance(parent, dict) and _is_metric(parent) and last == "label":
        return OK if parent.get("hasCustomLabel") else UNSAFE
    if len(rel) >= 2 and rel[-2] == "column" and len(parents) >= 2 and _is_metric(parents[-2]):
        # the dataset column a metric aggregates: its verbose name is only a copy
        return UNSAFE if last == "column_name" else IGNORE
    if area == "params":
        if len(rel) == 1 and last in SORT_KEYS:
            return OK
        if len(rel) == 1 and last in _TEXT_PARAMS:
            return IGNORE
        if len(rel) == 3 and rel[0] == "conditional_formatting" and last == "column":
            return OK
        return UNSAFE
    if len(rel) >= 3 and rel[0] == "queries":
        query_rel = rel[2:]
        if len(query_rel) == 3 and query_rel[0] == "orderby" and query_rel[2] == 0:
            return OK
        if len(query_rel) == 1 and query_rel[0] in SORT_KEYS:
            return OK
    return OK if in_post_processing else UNSAFE


def _occurrences(
    data: Any, labels: frozenset[str], path: KeyPath, parents: tuple[Any, ...]
) -> Iterator[tuple[str, KeyPath, str]]:
    """(label, path, site) of every occurrence of a label in `data`."""
    if isinstance(data, dict):
        inner = (*parents, data)
        for key, value in data.items():
            if isinstance(key, str) and key in labels:
                yield key, (*path, key), _site((*path, key), True, inner)
            yield from _occurrences(value, labels, (*path, key), inner)
    elif isinstance(data, list):
        inner = (*parents, data)
        for i, value in enumerate(data):
            yield from _occurrences(value, labels, (*path, i), inner)
    elif isinstance(data, str):
        if data in labels:
            yield data, path, _site(path, False, parents)
        else:
            for label in labels:
                if json.dumps(label, ensure_ascii=False) in data:
                    # a label quoted inside a JSON text we do not rewrite
                    yield label, path, UNSAFE


def _query_context(body: dict[str, Any]) -> tuple[Any, bool]:
    """(query_context as data, whether it could be read)."""
    query_context = body.get("query_context")
    if isinstance(query_context, str):
        try:
            return json.loads(query_context), True
        except json.JSONDecodeError:
            return query_context, False
    return query_context, True


def plan_labels(body: dict[str, Any], column_names: frozenset[str]) -> LabelPlan:
    """Decide, for every hand-written metric label of a chart, whether it can be
    translated: only if every reference to it can be renamed with it."""
    params = chart_params(body)
    if params is None:
        return LabelPlan(frozenset(), ())
    labels: list[str] = []
    for _, metric in _metric_objects(params, ("params",)):
        label = metric.get("label")
        if not (metric.get("hasCustomLabel") and isinstance(label, str) and label.strip()):
            continue
        if label not in labels:
            labels.append(label)
    if not labels:
        return LabelPlan(frozenset(), ())
    reasons: dict[str, str] = {}
    for label in labels:
        if label in column_names:
            reasons[label] = "it is also a column name of the dataset"
    candidates = frozenset(labels)
    query_context, readable = _query_context(body)
    found = list(_occurrences(params, candidates, ("params",), ()))
    if readable:
        found += _occurrences(query_context, candidates, ("query_context",), ())
    else:
        for label in labels:
            if label in str(query_context):
                reasons.setdefault(label, "query_context is a JSON text that cannot be read")
    for label, path, site in found:
        if site == UNSAFE:
            reasons.setdefault(label, f"it is also used at {key_text(path)}")
    skipped = tuple(SkippedLabel(label, reasons[label]) for label in labels if label in reasons)
    return LabelPlan(frozenset(label for label in labels if label not in reasons), skipped)


def _rename(data: Any, mapping: Mapping[str, str], path: KeyPath, parents: tuple[Any, ...]) -> Any:
    if isinstance(data, dict):
        inner = (*parents, data)
        out: dict[Any, Any] = {}
        changed = False
        for key, value in data.items():
            new_key = key
            if isinstance(key, str) and key in mapping and _site((*path, key), True, inner) == OK:
                new_key = mapping[key]
            new_value = _rename(value, mapping, (*path, key), inner)
            changed = changed or new_key != key or new_value is not value
            out[new_key] = new_value
        return out if changed else data
    if isinstance(data, list):
        inner = (*parents, data)
        items = [_rename(v, mapping, (*path, i), inner) for i, v in enumerate(data)]
        return items if any(a is not b for a, b in zip(items, data, strict=True)) else data
    if isinstance(data, str) and data in mapping and _site(path, False, parents) == OK:
        return mapping[data]
    return data


def rename_labels(body: dict[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """A chart body with each label renamed at every reference (params and
    query_context, a JSON string staying a JSON string)."""
    mapping = {k: v for k, v in mapping.items() if k != v}
    if not mapping:
        return body
    body = with_parsed_params(body)
    out = dict(body)
    out["params"] = _rename(body.get("params"), mapping, ("params",), ())
    query_context, readable = _query_context(body)
    if readable and query_context is not None:
        renamed = _rename(query_context, mapping, ("query_context",), ())
        if renamed is not query_context:
            if isinstance(body.get("query_context"), str):
                renamed = json.dumps(renamed, ensure_ascii=False)
            out["query_context"] = renamed
    return out
