"""Walking a dashboard: its layout (`position`), native filters, and the chart
references of its metadata."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, Literal


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


def layout_chart_ids(position: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    """(chart uuid, chart id) of every CHART node of a layout that has both: the only
    way to read the chart ids in a dashboard's metadata (Superset's import maps them
    through these, `build_uuid_to_id_map`)."""
    for node in position.values():
        if isinstance(node, dict) and node.get("type") == "CHART":
            meta = node.get("meta")
            if isinstance(meta, dict) and "uuid" in meta and isinstance(meta.get("chartId"), int):
                yield str(meta["uuid"]), meta["chartId"]


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


# -- chart references in dashboard metadata ------------------------------------------------

# Where a dashboard's metadata refers to a chart: items of timed_refresh_immune_slices,
# keys of expanded_slices, items of a scope's `excluded` (native filters, the global
# chart configuration, each chart's cross-filters), keys of chart_configuration and
# the `id` each of its entries repeats. Keys are text; the others are as written.
RefPlace = Literal["immune", "expanded", "excluded", "configuration", "configuration id"]
KEY_PLACES: Final = frozenset({"expanded", "configuration"})


class _Drop:
    def __repr__(self) -> str:
        return "DROP"


DROP: Final = _Drop()  # what a mapping returns to leave a reference out


def map_chart_refs(metadata: Mapping[str, Any], ref: Callable[[Any, RefPlace], Any]
                   ) -> dict[str, Any]:
    """Dashboard metadata with every chart reference replaced by `ref(reference,
    place)`, or left out where that is DROP (a configuration's `id` is then written
    first, or left out). These are the places Superset's import remaps
    (`update_id_refs`, `update_cross_filter_scoping`). Normalize maps ids to uuids,
    pull uuids back to the ids of a file's layout.

    `chartsInScope` is left out: Superset's frontend derives it from `scope` and the
    layout on every save, and import does not remap it, so after an import it holds
    the ids of the instance the source came from, after a save in the UI the local
    ones. Its ids can be read in neither direction; `scope` is compared.
    """
    def refs(values: Any, place: RefPlace) -> Any:
        if not isinstance(values, list):
            return values
        return [new for new in (ref(v, place) for v in values) if new is not DROP]

    def scoped(part: Any) -> Any:
        if not isinstance(part, dict):
            return part
        out = {k: v for k, v in part.items() if k != "chartsInScope"}
        scope = out.get("scope")
        if isinstance(scope, dict) and "excluded" in scope:
            out["scope"] = {**scope, "excluded": refs(scope["excluded"], "excluded")}
        return out

    out = dict(metadata)
    if isinstance(out.get("timed_refresh_immune_slices"), list):
        out["timed_refresh_immune_slices"] = refs(out["timed_refresh_immune_slices"], "immune")
    if isinstance(out.get("expanded_slices"), dict):
        expanded = ((ref(k, "expanded"), v) for k, v in out["expanded_slices"].items())
        out["expanded_slices"] = {k: v for k, v in expanded if k is not DROP}
    if isinstance(out.get("native_filter_configuration"), list):
        out["native_filter_configuration"] = [scoped(f) for f in
                                              out["native_filter_configuration"]]
    if isinstance(out.get("global_chart_configuration"), dict):
        out["global_chart_configuration"] = scoped(out["global_chart_configuration"])
    if isinstance(out.get("chart_configuration"), dict):
        configuration: dict[Any, Any] = {}
        for key, config in out["chart_configuration"].items():
            new = ref(key, "configuration")
            if new is DROP:
                continue
            if isinstance(config, dict):
                chart_id = ref(key, "configuration id")
                config = {k: v for k, v in config.items() if k != "id"}
                if chart_id is not DROP:
                    config = {"id": chart_id, **config}
                if isinstance(config.get("crossFilters"), dict):
                    config["crossFilters"] = scoped(config["crossFilters"])
            configuration[new] = config
        out["chart_configuration"] = configuration
    return out
