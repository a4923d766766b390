"""The one registry of translatable fields: extraction and localization both read it.

A field is named by the kind of asset it lives in, where in the body it is, and
what it is (the `#.` comment a translator reads). `texts()` lists the texts of
one asset; localization writes the translation back at the same key path.
Hand-written metric labels are listed only where `labels.plan_labels` found them
safe to rename.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aspects_assets.core.layout import native_filters
from aspects_assets.model.json_text import with_parsed_params
from aspects_assets.model.keypath import KeyPath, get_at, key_text

if TYPE_CHECKING:
    from aspects_assets.core.i18n.labels import LabelPlan


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


def is_metric(value: Any) -> bool:
    return isinstance(value, dict) and "expressionType" in value


def metric_objects(data: Any, path: KeyPath) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    """(key path, metric) of every metric object in `data` (at `path`)."""
    if isinstance(data, dict):
        if is_metric(data):
            yield path, data
            return
        for key, value in data.items():
            yield from metric_objects(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from metric_objects(value, (*path, i))


def _labels(body: dict[str, Any]) -> Iterator[tuple[KeyPath, str]]:
    params = body.get("params")
    if isinstance(params, dict):
        for path, metric in metric_objects(params, ("params",)):
            if metric.get("hasCustomLabel") and isinstance(metric.get("label"), str):
                yield (*path, "label"), ""


def _item_field(part: str, key: str, what: str) -> FieldSpec:
    """`key` of every column or metric (`part`) of a dataset, named by its name."""
    return FieldSpec("dataset", f"{part}s[].{key}",
                     f"{what} of {part} {{item}} in dataset {{title}}",
                     _items(f"{part}s", f"{part}_name", key))


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
    _item_field("column", "verbose_name", "label"),
    _item_field("column", "description", "description"),
    _item_field("metric", "verbose_name", "label"),
    _item_field("metric", "description", "description"),
)  # fmt: skip

# Chart params that hold a translatable text: a label equal to one of them is
# not a reference to the label (the text is translated on its own).
TEXT_PARAMS = frozenset(
    str(f.where.split(".", 1)[1]) for f in FIELDS if f.where.startswith("params.") and not f.label
)


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
