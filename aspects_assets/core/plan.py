"""Planning, the part both forms share, and the full form (`diff`, `import --verify`).

Pure: a Snapshot of Superset and the code's rendered assets in, a Plan out.
Both sides of an asset go through the same `normalize`, then deepdiff compares
them. The incremental form is `core.incremental`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from deepdiff import DeepDiff

from aspects_assets.core.bundle import superset_body
from aspects_assets.core.kinds import API_KINDS, OBJECT_KINDS, ObjectKind
from aspects_assets.core.kinds.objects import PlanOptions
from aspects_assets.core.normalize import normalize
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.keypath import key_text
from aspects_assets.model.plan import (
    AccessChange,
    Action,
    AssetChange,
    FieldChange,
    ObjectChange,
    Plan,
    Scope,
)
from aspects_assets.model.snapshot import Bodies, LiveRow, Snapshot
from aspects_assets.project.settings import Settings


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    if old == new:
        return ()  # the common case, and DeepDiff is costly even on equal input
    diff = DeepDiff(old, new, view="tree", verbose_level=2)
    changes = []
    for kind in sorted(diff):
        for item in diff[kind]:
            before = item.t1 if kind not in ("dictionary_item_added",
                                               "iterable_item_added") else None
            after = item.t2 if kind not in ("dictionary_item_removed",
                                              "iterable_item_removed") else None
            changes.append(FieldChange(key_text(item.path(output_format="list")),
                                       _plain(before), _plain(after)))
    return tuple(sorted(changes, key=lambda c: c.path))


def _plain(value: Any) -> Any:
    return None if type(value).__name__ == "NotPresent" else value


def in_scope(assets: AssetSet, scope: Scope) -> AssetSet:
    return AssetSet.of(a for a in assets if scope.covers(a.kind, a.locale))


def local_normalized(asset: Asset, databases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    body = superset_body(asset)
    return normalize(asset.kind, body, database=databases.get(str(body.get("database_uuid"))))


def leftovers(snapshot: Snapshot, local_uuids: Collection[str],
              scope: Scope) -> list[AssetChange]:
    """A delete for each live asset this project manages that the code no longer has
    (by uuid): the one place a DELETE is planned."""
    out = []
    for uuid, managed in sorted(snapshot.managed.items()):
        row = snapshot.rows.get(uuid)
        if (uuid not in local_uuids and row is not None
                and scope.covers_leftover(managed.kind, managed.locale)):
            out.append(AssetChange(managed.kind, uuid, row.title, managed.locale,
                                   Action.DELETE))
    return out


def compare_assets(local: AssetSet, live: Bodies, as_sent: Collection[str] = ()
                   ) -> list[AssetChange]:
    """Per asset: create, update (with field changes) or unchanged (`as_sent`: live
    as the code has it, not exported: `core.incremental.as_sent`)."""
    out = []
    databases = {db.uuid: db.body for db in local.of_kind("database")}
    for asset in local:
        if asset.uuid in as_sent:
            out.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale,
                                   Action.UNCHANGED))
            continue
        if asset.uuid not in live:
            out.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale,
                                   Action.CREATE))
            continue
        changes = field_changes(live[asset.uuid][1], local_normalized(asset, databases))
        out.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale,
                               Action.UPDATE if changes else Action.UNCHANGED, changes))
    return out


def wanted_access(local: AssetSet, settings: Settings) -> dict[str, dict[str, tuple[str, ...]]]:
    """API kind → asset uuid → what the code asks for (where it asks)."""
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind in API_KINDS.values():
        targets = [a for a in local if a.kind in kind.targets]
        originals = {a.uuid: a for a in targets if a.locale is None}
        wanted = {}
        for asset in targets:
            value = kind.wanted(asset, originals, settings)
            if value is not None:
                wanted[asset.uuid] = value
        out[kind.name] = wanted
    return out


def compare_access(local: AssetSet, settings: Settings,
                   snapshot: Snapshot) -> tuple[AccessChange, ...]:
    """The API kinds' settings (roles, embedding) that differ from the code: per
    asset, in the registry's order."""
    wanted = wanted_access(local, settings)
    out = []
    for asset in local:
        for kind in API_KINDS.values():
            value = wanted[kind.name].get(asset.uuid)
            if value is None:
                continue
            live = snapshot.access.get(kind.name, {}).get(asset.uuid)
            change = kind.compare(asset, value, live, snapshot.info)
            if change is not None:
                out.append(change)
    return tuple(out)


def plan_objects(snapshot: Snapshot, specs: Mapping[str, tuple[Any, ...]], code: AssetSet,
                 settings: Settings, rows: Mapping[str, LiveRow] | None = None, *,
                 kinds: Collection[ObjectKind] | None = None,
                 live: Mapping[str, Any] | None = None, assets_sent: bool = False
                 ) -> tuple[ObjectChange, ...]:
    """Each object kind's plan: what the code declares against what Superset has,
    on the live assets (`rows`: as listed now; default the snapshot's), for
    `kinds` (default all) and their live objects as `live` has them (default the
    snapshot's); `assets_sent`: planned again by applying, after the assets."""
    record = snapshot.record
    options = PlanOptions(
        declared_roles=frozenset(r for k in OBJECT_KINDS.values()
                                 for r in k.roles_made(specs.get(k.name, ()))),
        strict=settings.missing_permissions == "error", assets_sent=assets_sent,
        version=snapshot.info.version,
        system_themes={k: v for k, v in (("default_theme", settings.superset.default_theme),
                                         ("dark_theme", settings.superset.dark_theme)) if v})
    out: list[ObjectChange] = []
    for kind in OBJECT_KINDS.values() if kinds is None else kinds:
        managed = record.managed_objects(kind.name) if record else []
        declared = specs.get(kind.name, ())
        if not declared and not managed:
            continue
        out += kind.plan(declared, (live or snapshot.objects)[kind.name],
                         snapshot.rows if rows is None else rows, code, managed,
                         settings.locales, options)
    return tuple(out)


def plan_full(snapshot: Snapshot, local: AssetSet, settings: Settings, scope: Scope,
              as_sent: Collection[str] = ()) -> Plan:
    """Every asset in scope compared field by field with its export (the snapshot's
    bodies), but those the record vouches for (`as_sent`: unchanged, not exported);
    every API kind with what was read."""
    if snapshot.bodies is None:
        raise ValueError("a full plan needs a snapshot read with the exports")
    local = in_scope(local, scope)
    changes = compare_assets(local, snapshot.bodies, as_sent)
    uuids = {a.uuid for a in local}
    changes += leftovers(snapshot, uuids, scope)
    return Plan(tuple(changes), compare_access(local, settings, snapshot),
                vouched=tuple(sorted(uuids.intersection(as_sent))))
