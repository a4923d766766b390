"""Conditional assets: `_include_if: VARIABLE` on any asset leaves it out (with
its localized copies) when the variable is false. Pure.

Open edX Aspects' PII switch is the case in point: with `ASPECTS_ENABLE_PII`
off, the charts that show learners' names are hidden and the individual-learner
dashboards are not installed. A dashboard that stays drops the layout nodes of
the charts left out, and its native filters lose the targets on datasets left
out, so the file needs no Jinja statements and stays pullable.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from aspects_assets.core.layout import layout_nodes, native_filters
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import Problem

INCLUDE_IF = "_include_if"
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


def _truth(value: Any) -> bool | None:
    """A variable's value as a switch: a boolean, or a text an environment
    variable would carry ("true", "False", "1", ...); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def _included(asset: Asset, variables: Mapping[str, Any]) -> tuple[bool, Problem | None]:
    name = asset.private.get(INCLUDE_IF)
    if name is None:
        return True, None
    if not isinstance(name, str) or not name:
        return True, Problem("error", asset.source, INCLUDE_IF,
                             "must name a variable of the settings (a text)")
    if name not in variables:
        return True, Problem("error", asset.source, INCLUDE_IF,
                             f"{name!r} is not a variable of the settings")
    switch = _truth(variables[name])
    if switch is None:
        return True, Problem("error", asset.source, INCLUDE_IF,
                             f"variable {name!r} is {variables[name]!r}: it must be true or "
                             "false")
    return switch, None


def include_conditions(assets: AssetSet, variables: Mapping[str, Any]
                       ) -> tuple[AssetSet, list[Problem]]:
    """The originals without those whose condition is false, and dashboards
    without the layout nodes and filter targets of what was left out."""
    problems: list[Problem] = []
    left_out: set[str] = set()
    for asset in assets:
        keep, problem = _included(asset, variables)
        if problem:
            problems.append(problem)
        if not keep:
            left_out.add(asset.uuid)
    if not left_out:
        return assets, problems
    kept = [a for a in assets if a.uuid not in left_out]
    for asset in kept:
        if asset.kind == "chart" and str(asset.body.get("dataset_uuid")) in left_out:
            problems.append(Problem("error", asset.source, "dataset_uuid",
                                    f"the dataset {asset.body.get('dataset_uuid')} is left out "
                                    f"by its {INCLUDE_IF}: give this chart the same condition"))
        if asset.kind == "dataset" and str(asset.body.get("database_uuid")) in left_out:
            problems.append(Problem("error", asset.source, "database_uuid",
                                    f"the database {asset.body.get('database_uuid')} is left "
                                    f"out by its {INCLUDE_IF}: give this dataset the same "
                                    "condition"))
    out = [without_left_out(a, left_out) for a in kept]
    return AssetSet.of(out), problems


def without_left_out(dashboard: Asset, left_out: Collection[str]) -> Asset:
    """A dashboard without the chart nodes and filter targets of assets left out
    (any other asset as it is): what the import sends, and what `pull` compares
    an edited file with."""
    if dashboard.kind != "dashboard" or not left_out:
        return dashboard
    body = dashboard.body
    gone = {node_id for node_id, node in layout_nodes(body)
            if node.get("type") == "CHART"
            and str((node.get("meta") or {}).get("uuid")) in left_out}
    filters = list(native_filters(body))
    touches_filters = any(str(t.get("datasetUuid")) in left_out
                          for _, f in filters for t in f.get("targets") or []
                          if isinstance(t, dict))
    if not gone and not touches_filters:
        return dashboard
    new_body = dict(body)
    if gone:
        position = {}
        for node_id, node in body["position"].items():
            if node_id in gone:
                continue
            if isinstance(node, dict) and isinstance(node.get("children"), list):
                node = {**node, "children": [c for c in node["children"] if c not in gone]}
            position[node_id] = node
        new_body["position"] = position
    if touches_filters:
        kept_filters = []
        for _, native_filter in filters:
            targets = [t for t in native_filter.get("targets") or []
                       if not (isinstance(t, dict) and str(t.get("datasetUuid")) in left_out)]
            if native_filter.get("targets") and not targets:
                continue  # it filtered only what is left out
            kept_filters.append({**native_filter, "targets": targets}
                                if "targets" in native_filter else native_filter)
        new_body["metadata"] = {**body["metadata"], "native_filter_configuration": kept_filters}
    return dashboard.with_body(new_body)
