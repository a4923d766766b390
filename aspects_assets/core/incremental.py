"""The incremental plan (`import`): trust the project record, export nothing.

An asset is sent when what the code renders for it differs from what was last
sent (its fingerprint), or when Superset's `changed_on_utc` moved since (someone
edited it), or when it is missing. When no input changed at all (the inputs
hash) and nothing moved in Superset, nothing is even rendered: `unchanged_plan`
decides that from the snapshot alone, before the run renders anything.

Pure, in three steps the run composes: `unchanged_plan` (is rendering needed?),
`access_reads` (which API kinds' state the record does not know, to be read),
`plan_incremental`.
"""

from __future__ import annotations

from aspects_assets.core.bundle import fingerprint, managed_fields
from aspects_assets.core.kinds import API_KINDS, OBJECT_KINDS
from aspects_assets.core.kinds.objects import object_state_digest
from aspects_assets.core.plan import compare_access, in_scope, leftovers, wanted_access
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.plan import Action, AssetChange, Plan, Scope
from aspects_assets.model.record import ManagedAsset
from aspects_assets.model.snapshot import LiveRow, Snapshot
from aspects_assets.project.settings import Settings

# Why an asset the code did not change is sent again.
EDITED_IN_SUPERSET = "edited in Superset since the last import"


def unchanged_plan(snapshot: Snapshot, inputs_hash: str, scope: Scope) -> Plan | None:
    """Every managed asset in scope as unchanged, without rendering, when the inputs
    are those of the last import and nothing it set moved in Superset; else None
    (the code must be rendered and compared with the record)."""
    record = snapshot.record
    if record is None or record.inputs_hash != inputs_hash:
        return None
    out = []
    for uuid, managed in record.managed.items():
        if not scope.covers(managed.kind, managed.locale):
            continue
        row = snapshot.rows.get(uuid)
        if row is None or row.changed_on != managed.changed_on:
            return None
        if not managed.fingerprint:  # not sent from the code: adopted, or a leftover kept
            return None
        if any(k.drifted(uuid, record, snapshot.access.get(k.name, {}))
               for k in API_KINDS.values()):
            return None
        out.append(AssetChange(managed.kind, uuid, row.title, managed.locale,
                               Action.UNCHANGED))
    for kind in OBJECT_KINDS.values():
        recorded = record.objects.get(kind.name)
        if recorded is None:
            continue
        if recorded.get("pending"):
            return None  # a delete left undone: plan it again (and say so)
        state = object_state_digest(kind, snapshot.objects[kind.name], snapshot.rows,
                                    record.managed_objects(kind.name))
        if state != recorded.get("digest"):
            return None  # edited in Superset, or a dataset made since: plan them again
    return Plan(tuple(out), rendered=False)


def access_reads(snapshot: Snapshot, local: AssetSet, settings: Settings,
                 scope: Scope) -> dict[str, list[str]]:
    """API kind → assets whose live state the snapshot lacks and the plan needs."""
    wanted = wanted_access(in_scope(local, scope), settings)
    out = {}
    for kind in API_KINDS.values():
        missing = kind.to_read(wanted[kind.name], snapshot.access.get(kind.name, {}))
        if missing:
            out[kind.name] = missing
    return out


def _change(fp: str, managed: ManagedAsset | None, row: LiveRow | None) -> tuple[Action, str]:
    if row is None:
        return Action.CREATE, "not in Superset"
    if managed is None:
        return Action.UPDATE, "not sent by this project before"
    if managed.fingerprint != fp:
        return Action.UPDATE, "changed in the code"
    if row.changed_on != managed.changed_on:
        return Action.UPDATE, EDITED_IN_SUPERSET
    return Action.UNCHANGED, ""


def plan_incremental(snapshot: Snapshot, local: AssetSet, settings: Settings,
                     scope: Scope) -> Plan:
    """The plan from the record and the list rows: send what changed in the code,
    what was edited in Superset and what is missing; delete what the code lost."""
    local = in_scope(local, scope)
    extra = managed_fields(settings.lock_in_ui)
    changes = []
    for asset in local:
        action, reason = _change(fingerprint(asset, extra), snapshot.managed.get(asset.uuid),
                                 snapshot.rows.get(asset.uuid))
        changes.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale, action,
                                   reason=reason))
    changes += leftovers(snapshot, {a.uuid for a in local}, scope)
    return Plan(tuple(changes), compare_access(local, settings, snapshot))
