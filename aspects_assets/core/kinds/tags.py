"""Tags of charts and dashboards: Superset's own `tags:` key, set as Aspects sets it.

Superset's /api/v1/assets/import/ ignores `tags` (only its per-kind dashboard
import applies them), so the bundle leaves the key out and this kind sets the
tags through the tag API instead. Read from the chart and dashboard list rows
(free: they come with every run; `LiveRow.tags` holds the custom tags only, not
Superset's own `type:` and `owner:` tags). Added with
POST /api/v1/tag/bulk_create, one request per tag name for the whole run;
removed with DELETE /api/v1/tag/<object type>/<id>/<name>/. Neither moves an
asset's changed_on, so the record keeps the tags each asset has after a run, and
a no-op import sees a tag changed in Superset from the list rows alone.

Aspects' rule for the copies (`update_dashboard_roles` in its create_assets.py):
a localized copy carries its original's tags without `original`, plus its locale
code; the charts of a localized dashboard, its copies of the same locale, carry
the locale code too. A tag the code does not declare is removed, like any other
field.

Superset's TAGGING_SYSTEM flag turns off its tag UI and the tags of its exports,
not the tag API: a Superset with the flag off is told by `/tagview/tags/`
answering 404, asked only when a plan has tags to set (`usable`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from aspects_assets.core.kinds.base import ApiKind, Applied, Applier
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import Asset, AssetSet, Kind
from aspects_assets.model.plan import AccessChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo
from aspects_assets.project.settings import Settings

ORIGINAL = "original"  # the tag Aspects gives its originals, never carried to a copy
MAX_NAME = 250  # Superset's tag.name column


def tag_name_problem(name: Any) -> str | None:
    """Why a tag name cannot be set and compared, or None."""
    if not isinstance(name, str) or not name.strip():
        return "must be a non-empty text"
    if name != name.strip():
        # Superset strips the name it stores: the code would differ from it forever.
        return f"{name!r} starts or ends with a space"
    if "/" in name:
        return f"{name!r} holds a '/': Superset's API cannot remove such a tag"
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; Superset keeps at most {MAX_NAME}"
    return None


def declared_tags(asset: Asset) -> tuple[str, ...]:
    """The tags an asset's file declares (validation has checked them)."""
    tags = asset.body.get("tags")
    return tuple(sorted({str(t) for t in tags})) if isinstance(tags, list) else ()


def desired_tags(asset: Asset, originals: Mapping[str, Asset]) -> tuple[str, ...]:
    """An original's tags as written; a copy's: its original's minus `original`, plus
    its locale code."""
    if asset.locale is None:
        return declared_tags(asset)
    original = originals.get(asset.base_uuid, asset)
    return tuple(sorted((set(declared_tags(original)) - {ORIGINAL}) | {asset.locale}))


class Tags(ApiKind):
    name = "tags"
    targets: tuple[Kind, ...] = ("chart", "dashboard")
    record_field = "tags"
    creates = False

    def wanted(self, asset: Asset, originals: Mapping[str, Asset],
               settings: Settings) -> tuple[str, ...] | None:
        return desired_tags(asset, originals)

    def read(self, api: SupersetApi, rows: Mapping[str, LiveRow],
             uuids: Collection[str]) -> dict[str, Any]:
        return {u: rows[u].tags for u in uuids if u in rows}

    def drifted(self, uuid: str, record: ProjectRecord, known: Mapping[str, Any]) -> bool:
        # A chart or dashboard the record has no tags for was recorded by a version
        # that did not set them: plan it once.
        managed = record.managed.get(uuid)
        if managed is None or managed.kind not in self.targets:
            return False
        recorded = record.tags.get(uuid)
        return recorded is None or tuple(known.get(uuid, ())) != tuple(recorded)

    def usable(self, api: SupersetApi, changes: Sequence[AccessChange],
               settings: Settings) -> str | None:
        if api.tagging_enabled():
            return None
        return (f"this Superset has TAGGING_SYSTEM off: the tags of {len(changes)} chart(s) "
                "and dashboard(s) are neither compared nor set (turn the flag on in "
                "FEATURE_FLAGS of its superset_config.py to have them)")

    def compare(self, asset: Asset, wanted: tuple[str, ...], live: Any,
                info: ServerInfo) -> AccessChange | None:
        old = tuple(sorted(live or ()))
        if old == wanted:
            return None
        return AccessChange(self.name, asset.uuid, asset.title, asset.locale,
                            old if live is not None else None, wanted, kind=asset.kind)

    def applier(self, api: SupersetApi, info: ServerInfo) -> Applier:
        return lambda change, pk: self.apply_all(api, info, [(change, pk)])[change.uuid]

    def apply_all(self, api: SupersetApi, info: ServerInfo,
                  items: Sequence[tuple[AccessChange, int]]) -> dict[str, Applied]:
        # Added in one request per tag name for all assets (Aspects' import tags
        # thousands of copies with a dozen names); removed one by one (rare).
        adding: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for change, object_id in items:
            for name in sorted(set(change.new) - set(change.old or ())):
                adding[name].append((change.kind, object_id))
        for name, objects in sorted(adding.items()):
            api.tag_objects(name, objects)
        for change, object_id in items:
            for name in sorted(set(change.old or ()) - set(change.new)):
                api.untag(change.kind, object_id, name)
        return {change.uuid: Applied(change.new) for change, _ in items}

    def after(self, record: ProjectRecord | None, known: Mapping[str, Any],
              local: AssetSet, settings: Settings,
              applied: Mapping[str, Applied]) -> dict[str, Any]:
        # The tags each asset has now: set by this run, else as they were read (a
        # change left out, with TAGGING_SYSTEM off, is not taken for drift later).
        kept: dict[str, Any] = {u: list(t) for u, t in (record.tags if record else {}).items()}
        for asset in local:
            if asset.kind not in self.targets:
                continue
            if asset.uuid in applied:
                kept[asset.uuid] = list(applied[asset.uuid].value)
            else:  # not listed before the run: new, so without tags
                kept[asset.uuid] = sorted(known.get(asset.uuid, ()))
        return kept

    def line(self, change: AccessChange, where: str) -> str:
        return f"  ~ tags of {change.kind} {where}: {list(change.old or [])} → {list(change.new)}"

    def summary(self, count: int, created: list[str]) -> str:
        return f"tags set on {count} chart(s) and dashboard(s)"
