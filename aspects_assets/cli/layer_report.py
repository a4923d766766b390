"""`validate --layers`: which asset layer each asset comes from, as data and as lines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aspects_assets.model.assets import KINDS, TITLE_KEY
from aspects_assets.project.layers import Stacked
from aspects_assets.project.settings import Settings


def layer_origins(settings: Settings, stacked: Iterable[Stacked]) -> list[dict[str, Any]]:
    """One entry per original asset, by kind and title: its file and layer, the
    lower files it replaces, the override files merged into it (lowest first)."""
    rows = []
    for item in stacked:
        definition = item.definition
        layer = settings.layers[definition.layer]
        rows.append({
            "kind": definition.kind,
            "uuid": str(item.data.get("uuid", "")),
            "title": str(item.data.get(TITLE_KEY.get(definition.kind, ""), "")),
            "file": definition.display,
            "layer": definition.layer,
            "layer_path": settings.display(layer.path),
            "rendered": layer.rendered,
            "replaces": [e.display for e in item.replaced],
            "overrides": [e.display for e in item.overrides],
        })
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (order.get(r["kind"], 0), r["title"], r["uuid"]))


def origin_line(origin: dict[str, Any]) -> str:
    line = (f"{origin['kind']} {origin['title']!r} [{origin['uuid']}]: {origin['file']} "
            f"(layer {origin['layer']}: {origin['layer_path']}"
            f"{', rendered' if origin['rendered'] else ''})")
    if origin["replaces"]:
        line += f", replaces {', '.join(origin['replaces'])}"
    if origin["overrides"]:
        line += f", overridden by {', '.join(origin['overrides'])}"
    return line
