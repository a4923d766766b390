"""Walking a dashboard: its layout (`position`) and native filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def layout_nodes(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(node id, node) of every node of a dashboard's layout."""
    position = body.get("position")
    if isinstance(position, dict):
        for node_id, node in position.items():
            if isinstance(node, dict):
                yield str(node_id), node


def chart_nodes(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for node_id, node in layout_nodes(body):
        if node.get("type") == "CHART":
            yield node_id, node


def native_filters(body: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    metadata = body.get("metadata")
    filters = metadata.get("native_filter_configuration") if isinstance(metadata, dict) else None
    if isinstance(filters, list):
        for i, native_filter in enumerate(filters):
            if isinstance(native_filter, dict):
                yield i, native_filter


def filter_targets(native_filter: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    targets = native_filter.get("targets")
    if isinstance(targets, list):
        for j, target in enumerate(targets):
            if isinstance(target, dict):
                yield j, target


FILTERS_KEY = "metadata.native_filter_configuration"
