"""The canonical form of an asset as a source writes it: `normalize`, minus
`query_context`, with a dashboard's chart references as its own layout's ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.layout import chart_nodes
from aspects_assets.core.normalize import normalize


def chart_ids(body: Mapping[str, Any]) -> dict[str, int]:
    """Chart uuid → the chart id a dashboard's layout gives it (Superset's import maps
    the ids in the metadata through these)."""
    out: dict[str, int] = {}
    for _, node in chart_nodes(dict(body)):
        meta = node.get("meta") or {}
        if "uuid" in meta and isinstance(meta.get("chartId"), int):
            out[str(meta["uuid"])] = meta["chartId"]
    return out


def source_form(kind: str, body: Mapping[str, Any], *,
                database: Mapping[str, Any] | None = None,
                ids: Mapping[str, int] | None = None) -> dict[str, Any]:
    """`normalize` without `query_context`; in a dashboard's metadata, chart uuids back
    to the ids in `ids` (uuid → id, from the file's own layout)."""
    out = normalize(kind, body, database=database)
    out.pop("query_context", None)
    if kind == "dashboard" and isinstance(out.get("metadata"), dict):
        out["metadata"] = _metadata_ids(out["metadata"], ids or {})
    return out


def _metadata_ids(metadata: Mapping[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    """The inverse of normalize's uuid mapping of dashboard metadata."""
    def ref(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    def refs(values: Any) -> Any:
        return [ref(v) for v in values] if isinstance(values, list) else values

    def scoped(part: Any) -> Any:
        if isinstance(part, dict) and isinstance(part.get("scope"), dict) \
                and "excluded" in part["scope"]:
            return {**part, "scope": {**part["scope"], "excluded": refs(part["scope"]["excluded"])}}
        return part

    out = dict(metadata)
    if isinstance(out.get("timed_refresh_immune_slices"), list):
        out["timed_refresh_immune_slices"] = refs(out["timed_refresh_immune_slices"])
    if isinstance(out.get("expanded_slices"), dict):
        out["expanded_slices"] = {str(ref(k)): v for k, v in out["expanded_slices"].items()}
    if isinstance(out.get("native_filter_configuration"), list):
        out["native_filter_configuration"] = [scoped(f) for f in
                                              out["native_filter_configuration"]]
    if isinstance(out.get("global_chart_configuration"), dict):
        out["global_chart_configuration"] = scoped(out["global_chart_configuration"])
    if isinstance(out.get("chart_configuration"), dict):
        configuration = {}
        for key, config in out["chart_configuration"].items():
            chart_id = ref(key)
            if isinstance(config, dict):
                config = {"id": chart_id, **config}
                if isinstance(config.get("crossFilters"), dict):
                    config["crossFilters"] = scoped(config["crossFilters"])
            configuration[str(chart_id)] = config
        out["chart_configuration"] = configuration
    return out


def live_source_form(live: ExportedAsset, ids: Mapping[str, int]) -> dict[str, Any]:
    return source_form(live.kind, live.body, database=live.database, ids=ids)
