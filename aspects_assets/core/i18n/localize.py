"""Localized copies: one copy of every dataset, chart and dashboard per locale.

Compatible with Open edX Aspects: a copy's uuid is
`uuid5(uuid5(base, "superset"), locale.lower().replace("-", "_"))`, which the
LMS computes too to find a learner's dashboard. Databases are not copied.
"""

from __future__ import annotations

import functools
import re
import uuid as uuidlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.i18n.fields import Text, texts
from aspects_assets.core.i18n.labels import LabelPlan, plan_labels, rename_labels
from aspects_assets.core.i18n.rtl import with_direction
from aspects_assets.core.layout import chart_nodes, filter_targets, native_filters
from aspects_assets.core.validate import is_uuid
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.model.json_text import with_parsed_params
from aspects_assets.model.keypath import KeyPath, set_at, set_many
from aspects_assets.project.catalogs import Catalogs, LocaleCatalog
from aspects_assets.project.settings import Settings

COPIED_KINDS = ("dataset", "chart", "dashboard")
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SUPERSET_NAMESPACE = "superset"


@functools.lru_cache(maxsize=65536)
def copy_uuid(base: str, locale: str) -> str:
    """The uuid of the `locale` copy of the asset whose uuid is `base`.

    Cached: every reference to an asset asks for the same copy uuid again."""
    namespace = uuidlib.uuid5(uuidlib.UUID(base), _SUPERSET_NAMESPACE)
    return str(uuidlib.uuid5(namespace, locale.lower().replace("-", "_")))


def quote_identifier(name: str) -> str:
    if _PLAIN_IDENTIFIER.fullmatch(name):
        return name
    return '"' + name.replace('"', '""') + '"'


def physical_select(schema: str | None, table: str) -> str:
    """The SQL of the virtual dataset that stands for a physical one in a locale."""
    parts = [p for p in (schema, table) if p]
    return "SELECT * FROM " + ".".join(quote_identifier(p) for p in parts)


def is_physical(body: dict[str, Any]) -> bool:
    sql = body.get("sql")
    return sql is None or (isinstance(sql, str) and not sql.strip())


@dataclass(frozen=True)
class Context:
    """What a copy needs to know about the other originals."""

    labels: Mapping[str, LabelPlan]  # chart uuid → its label plan
    copied: frozenset[str]  # uuids of originals that get copies
    texts: Mapping[str, list[Text]]  # original uuid → its translatable texts


def label_context(originals: AssetSet) -> dict[str, LabelPlan]:
    columns: dict[str, frozenset[str]] = {}
    for dataset in originals.of_kind("dataset"):
        items = dataset.body.get("columns")
        names = {str(c.get("column_name")) for c in items or () if isinstance(c, dict)}
        columns[dataset.uuid] = frozenset(names)
    plans = {}
    for chart in originals.of_kind("chart"):
        dataset_uuid = str(chart.body.get("dataset_uuid"))
        plans[chart.uuid] = plan_labels(chart.body, columns.get(dataset_uuid, frozenset()))
    return plans


def label_problems(originals: AssetSet, plans: Mapping[str, LabelPlan]) -> list[Problem]:
    """A warning for each hand-written metric label that stays untranslated."""
    problems = []
    for chart in originals.of_kind("chart"):
        plan = plans.get(chart.uuid)
        for skipped in plan.skipped if plan else ():
            problems.append(
                Problem(
                    "warning",
                    chart.source,
                    "params.metrics",
                    f"metric label {skipped.label!r} of chart {chart.title!r} is not translated: "
                    f"{skipped.reason}",
                )
            )
    return problems


def make_context(originals: AssetSet) -> Context:
    labels = label_context(originals)
    copied = [a for a in originals if a.kind in COPIED_KINDS and is_uuid(a.uuid)]
    return Context(
        labels=labels,
        copied=frozenset(a.uuid for a in copied),
        texts={a.uuid: texts(a.kind, a.body, a.title, labels.get(a.uuid)) for a in copied},
    )


def _ref(value: Any, context: Context, locale: str) -> Any:
    if isinstance(value, str) and value in context.copied:
        return copy_uuid(value, locale)
    return value


def _translate_texts(
    asset: Asset, body: dict[str, Any], catalog: LocaleCatalog, context: Context
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body with its registry texts translated, and the label renames to apply."""
    labels: dict[str, str] = {}
    changes: dict[KeyPath, str] = {}
    for text in context.texts.get(asset.uuid, ()):
        translation = catalog.translate(text.text)
        if text.label:
            labels[text.text] = translation
        elif translation != text.text:
            changes[text.path] = translation
    return set_many(body, changes), labels


def _unique_labels(labels: dict[str, str], plan: LabelPlan | None) -> dict[str, str]:
    """Drop renames that would give two metrics of a chart the same name."""
    taken: dict[str, int] = {}
    for label in (plan.safe if plan else frozenset()) - labels.keys():
        taken[label] = taken.get(label, 0) + 1
    for new in labels.values():
        taken[new] = taken.get(new, 0) + 1
    return {old: new for old, new in labels.items() if taken[new] == 1}


def localize_asset(
    asset: Asset, locale: str, catalog: LocaleCatalog, context: Context, settings: Settings
) -> Asset:
    body = dict(asset.body)
    body["uuid"] = copy_uuid(asset.uuid, locale)
    private = dict(asset.private)
    if asset.kind == "dataset":
        table = str(body.get("table_name"))
        if is_physical(body):
            body["sql"] = physical_select(body.get("schema"), table)
        body["table_name"] = f"{table}_{locale}"
        body, _ = _translate_texts(asset, body, catalog, context)
    elif asset.kind == "chart":
        body = with_parsed_params(body)
        body["dataset_uuid"] = _ref(body.get("dataset_uuid"), context, locale)
        plan = context.labels.get(asset.uuid)
        body, labels = _translate_texts(asset, body, catalog, context)
        body = rename_labels(body, _unique_labels(labels, plan))
    elif asset.kind == "dashboard":
        if body.get("slug"):
            body["slug"] = f"{body['slug']}-{locale}"
        if isinstance(body.get("css"), str | None):  # anything else: validation says so
            css = with_direction(body.get("css"), locale)
            if css is not None:
                body["css"] = css
        body = _localize_dashboard(body, locale, catalog, context)
        body, _ = _translate_texts(asset, body, catalog, context)
        roles = private.get("_roles")
        if isinstance(roles, list):
            private["_roles"] = [
                settings.locale_role_format.format(role=role, locale=locale) for role in roles
            ]
    return Asset(
        kind=asset.kind,
        body=body,
        source=asset.source,
        private=private,
        locale=locale,
        base_uuid_=asset.uuid,
    )


def _localize_dashboard(
    body: dict[str, Any], locale: str, catalog: LocaleCatalog, context: Context
) -> dict[str, Any]:
    """References to charts and datasets → the copies of this locale."""
    for node_id, node in chart_nodes(body):
        meta = node.get("meta")
        if not isinstance(meta, dict):
            continue
        path = ("position", node_id, "meta")
        new_meta = dict(meta)
        new_meta["uuid"] = _ref(meta.get("uuid"), context, locale)
        if isinstance(meta.get("sliceName"), str):
            new_meta["sliceName"] = catalog.translate(meta["sliceName"])
        body = set_at(body, path, new_meta)
    for i, native_filter in native_filters(body):
        for j, target in filter_targets(native_filter):
            ref = target.get("datasetUuid")
            new_ref = _ref(ref, context, locale)
            if new_ref != ref:
                target_path: KeyPath = ("metadata", "native_filter_configuration", i, "targets", j)
                body = set_at(body, target_path, {**target, "datasetUuid": new_ref})
    return body


def localize(
    originals: AssetSet,
    locales: Iterable[str],
    catalogs: Catalogs,
    settings: Settings,
    context: Context | None = None,
) -> AssetSet:
    """The originals (with `original_roles` when there are locales) and one copy
    of every dataset, chart and dashboard per locale."""
    context = context or make_context(originals)
    out = list(with_original_roles(originals, settings))
    for locale in locales:
        out += locale_copies(originals, locale, catalogs[locale], settings, context)
    return AssetSet.of(out)


def with_original_roles(originals: AssetSet, settings: Settings) -> list[Asset]:
    """The originals, each dashboard given `original_roles` when there are locales."""
    out = []
    for asset in originals:
        if asset.kind == "dashboard" and settings.locales:
            asset = Asset(
                kind=asset.kind,
                body=asset.body,
                source=asset.source,
                private={**asset.private, "_roles": list(settings.original_roles)},
                password=asset.password,
            )
        out.append(asset)
    return out


def locale_copies(originals: AssetSet, locale: str, catalog: LocaleCatalog,
                  settings: Settings, context: Context) -> list[Asset]:
    """One locale's copy of every dataset, chart and dashboard: it depends on the
    originals and that locale's catalog alone (`run.render_cache` keeps it)."""
    return [localize_asset(asset, locale, catalog, context, settings) for asset in originals
            if asset.kind in COPIED_KINDS and is_uuid(asset.uuid)]
