"""The incremental plan (`import`): trust the project record, export only what moved.

An asset is sent when what the code renders for it differs from what was last
sent (its fingerprint), or when Superset's `changed_on_utc` moved since and its
content is no longer what was sent, or when it is missing. When no input changed
at all (the inputs hash) and nothing moved in Superset, nothing is even rendered:
`unchanged_plan` decides that from the snapshot alone, before the run renders
anything.

A moved `changed_on` is not a change: a Superset upgrade's migrations, another
tool's identical re-import or a save without edits move it too. So the assets that
moved (`moved`) are exported, normalized as the full comparison does, and their
canonical hash compared with the one the record keeps of what was sent
(`settle`): an equal one only takes the new `changed_on` into the record. A run
that stopped after some chunks left those assets in the record with an unknown
`changed_on`, and they are settled the same way.

Pure, in steps the run composes: `moved` and `settle` (what moved, and which of it
is as sent), `unchanged_plan` (is rendering needed?), `access_reads` (which API
kinds' state the record does not know, to be read), `plan_incremental`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from aspects_assets.core.bundle import fingerprint, managed_fields
from aspects_assets.core.kinds import API_KINDS, OBJECT_KINDS
from aspects_assets.core.kinds.objects import object_state_digest
from aspects_assets.core.plan import compare_access, in_scope, leftovers, wanted_access
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.plan import Action, AssetChange, Plan, Scope
from aspects_assets.model.record import ManagedAsset
from aspects_assets.model.snapshot import Bodies, LiveRow, Snapshot
from aspects_assets.project.settings import Settings

# Why an asset the code did not change is sent again.
EDITED_IN_SUPERSET = "edited in Superset since the last import"


def canonical_hash(normalized: Mapping[str, Any]) -> str:
    """A short hash of an asset's canonical form (`core.normalize`): the same for what
    was sent and for its export, normalized, while nobody changed it. Stricter than
    the full comparison, never looser (1 and 1.0 hash apart): at worst an identical
    asset is sent again."""
    text = json.dumps(normalized, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def moved(snapshot: Snapshot, scope: Scope) -> list[str]:
    """Managed assets in scope whose live `changed_on` is not the one recorded (or
    none was recorded), and whose sent form the record can compare."""
    out = []
    for uuid, managed in snapshot.managed.items():
        row = snapshot.rows.get(uuid)
        if (row is not None and row.kind == managed.kind and managed.fingerprint
                and managed.canonical and row.changed_on != managed.changed_on
                and scope.covers(managed.kind, managed.locale)):
            out.append(uuid)
    return out


def as_sent(snapshot: Snapshot, sent_forms: Mapping[str, str]) -> set[str]:
    """The assets whose live form is known without exporting them: the record says
    what was last sent of each is what the code sends now (`sent_forms`: uuid → its
    fingerprint), and Superset has not moved it
    since (`changed_on` as recorded). What the record cannot vouch for (changed in
    the code, edited or touched in Superset, adopted, sent by a run that stopped)
    is exported and compared.

    This is what the incremental import trusts too, and it sees what that sees: an
    edit through Superset's UI or API moves `changed_on` (a dataset's columns and
    metrics included, Superset 6.1 `DatasetDAO.update`). What it cannot see, only a
    full comparison (`diff --full`, `import --verify`) finds: a change written
    without moving `changed_on` (a metadata migration of a Superset upgrade, a
    direct edit of Superset's database, `PUT /api/v1/dashboard/<id>/colors
    ?mark_updated=false` with colours of its own, `PUT /api/v1/dataset/<id>/refresh`)."""
    out = set()
    for uuid, managed in snapshot.managed.items():
        row = snapshot.rows.get(uuid)
        if (row is not None and row.kind == managed.kind
                and managed.fingerprint and sent_forms.get(uuid) == managed.fingerprint
                and row.changed_on == managed.changed_on):
            out.add(uuid)
    return out


def settle(snapshot: Snapshot, uuids: list[str], exported: Bodies) -> tuple[Snapshot, list[str]]:
    """The snapshot whose record takes the live `changed_on` of each of `uuids` whose
    export (`exported`: uuid → kind and normalized body) hashes as what was sent:
    touched, not changed. Returns it and those uuids; the others stay moved, and
    are sent."""
    record = snapshot.record
    if record is None:
        return snapshot, []
    managed = dict(record.managed)
    same = []
    for uuid in uuids:
        live = exported.get(uuid)
        if live is not None and live[0] == managed[uuid].kind \
                and canonical_hash(live[1]) == managed[uuid].canonical:
            managed[uuid] = replace(managed[uuid], changed_on=snapshot.rows[uuid].changed_on)
            same.append(uuid)
    if not same:
        return snapshot, []
    return replace(snapshot, record=replace(record, managed=managed)), same


def unchanged_plan(snapshot: Snapshot, inputs_hash: str, scope: Scope,
                   settled: tuple[str, ...] = ()) -> Plan | None:
    """Every managed asset in scope as unchanged, without rendering, when the inputs
    are those of the last import and nothing it set moved in Superset (`settled`:
    what moved but is as sent, its new `changed_on` already in the snapshot's
    record); else None (the code must be rendered and compared with the record)."""
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
    return Plan(tuple(out), rendered=False, settled=tuple(settled))


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


def fingerprints(local: AssetSet, settings: Settings,
                 known: Mapping[str, str] | None = None) -> dict[str, str]:
    """uuid → the fingerprint of what the bundle would send for each asset (computed
    once per run: planning and the record both need it; `known`: those the render
    cache had)."""
    extra = managed_fields(settings.lock_in_ui)
    known = known or {}
    return {asset.uuid: known.get(asset.uuid) or fingerprint(asset, extra) for asset in local}


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
                     scope: Scope, settled: tuple[str, ...] = (),
                     sent_forms: Mapping[str, str] | None = None) -> Plan:
    """The plan from the record and the list rows: send what changed in the code,
    what was edited in Superset (moved, and not `settled`) and what is missing;
    delete what the code lost. `sent_forms`: `fingerprints` of `local`, if known."""
    local = in_scope(local, scope)
    sent = fingerprints(local, settings) if sent_forms is None else sent_forms
    changes = []
    for asset in local:
        action, reason = _change(sent[asset.uuid], snapshot.managed.get(asset.uuid),
                                 snapshot.rows.get(asset.uuid))
        changes.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale, action,
                                   reason=reason))
    changes += leftovers(snapshot, {a.uuid for a in local}, scope)
    return Plan(tuple(changes), compare_access(local, settings, snapshot), settled=settled)
