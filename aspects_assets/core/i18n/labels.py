"""Hand-written (ad-hoc) metric labels of a chart: which can be translated.

A label is also a name that other parts of the chart use (`column_config` keys,
`conditional_formatting`, sort settings, `query_context`). `plan_labels()` finds
every reference and decides whether the label can be renamed everywhere at once;
`rename_labels()` does it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.i18n.fields import TEXT_PARAMS, is_metric, metric_objects
from aspects_assets.model.json_text import chart_params, with_parsed_params
from aspects_assets.model.keypath import KeyPath, key_text

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
    if isinstance(parent, dict) and is_metric(parent) and last == "label":
        return OK if parent.get("hasCustomLabel") else UNSAFE
    if len(rel) >= 2 and rel[-2] == "column" and len(parents) >= 2 and is_metric(parents[-2]):
        # the dataset column a metric aggregates: its verbose name is only a copy
        return UNSAFE if last == "column_name" else IGNORE
    if area == "params":
        if len(rel) == 1 and last in SORT_KEYS:
            return OK
        if len(rel) == 1 and last in TEXT_PARAMS:
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
    for _, metric in metric_objects(params, ("params",)):
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
