"""The canonical form of an asset as a source writes it: `normalize`, minus
`query_context`, with a dashboard's chart references as its own layout's ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.layout import KEY_PLACES, RefPlace, layout_chart_ids, map_chart_refs
from aspects_assets.core.normalize import normalize


def chart_ids(body: Mapping[str, Any]) -> dict[str, int]:
    """Chart uuid → the chart id a dashboard's layout gives it (Superset's import maps
    the ids in the metadata through these)."""
    position = body.get("position")
    return dict(layout_chart_ids(position)) if isinstance(position, dict) else {}


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
    """The inverse of normalize's uuid mapping of dashboard metadata: a uuid the
    layout does not know stays as it is."""
    def chart_id(ref: Any, place: RefPlace) -> Any:
        found = ids.get(ref, ref) if isinstance(ref, str) else ref
        return str(found) if place in KEY_PLACES else found

    return map_chart_refs(metadata, chart_id)


def live_source_form(live: ExportedAsset, ids: Mapping[str, int]) -> dict[str, Any]:
    return source_form(live.kind, live.body, database=live.database, ids=ids)
