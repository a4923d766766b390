"""The project record after a run, and after each accepted chunk of it (pure): what
the next incremental import trusts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from aspects_assets import __version__
from aspects_assets.core.incremental import canonical_hash, fingerprints
from aspects_assets.core.kinds import API_KINDS
from aspects_assets.core.kinds.base import Applied
from aspects_assets.core.plan import local_normalized
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow, Snapshot
from aspects_assets.project.settings import Settings


def _databases(code: AssetSet) -> dict[str, Mapping[str, Any]]:
    return {db.uuid: db.body for db in code.of_kind("database")}


def _managed(asset: Asset, fp: str, canonical: str, changed_on: str) -> ManagedAsset:
    return ManagedAsset(kind=asset.kind, fingerprint=fp, changed_on=changed_on,
                        locale=asset.locale,
                        base_uuid=asset.base_uuid if asset.locale else None,
                        canonical=canonical)


def record_sent(record: ProjectRecord, sent: Iterable[Asset], code: AssetSet,
                sent_forms: Mapping[str, str]) -> ProjectRecord:
    """The record once Superset accepted a chunk (`sent`): those assets as sent, their
    `changed_on` not known yet (the next run compares their export, `core.incremental
    .settle`). The inputs hash stays the record's, so that a run stopped after this
    renders again and sends what is still missing."""
    databases = _databases(code)
    managed = dict(record.managed)
    for asset in sent:
        managed[asset.uuid] = _managed(asset, sent_forms[asset.uuid],
                                       canonical_hash(local_normalized(asset, databases)), "")
    return replace(record, managed=managed)


def record_after(snapshot: Snapshot, local: AssetSet, settings: Settings, inputs_hash: str,
                 *, deleted: Collection[str], kept: Collection[str],
                 applied: Mapping[str, Mapping[str, Applied]],
                 rows: Mapping[str, LiveRow],
                 objects: Mapping[str, Mapping[str, Any]] | None = None,
                 code: AssetSet | None = None,
                 sent_forms: Mapping[str, str] | None = None) -> ProjectRecord:
    """Every rendered asset in scope is managed, with the fingerprint of what the code
    has, the canonical hash of that and Superset's changed_on as `rows` (listed after
    the run) show it; what was deleted is no longer managed; what the code no longer
    has but was `kept` (no --prune) stays managed without a fingerprint, so that the
    next run does not take it for unchanged and plans its delete again; each API
    kind keeps what it says (`applied`: API kind → asset uuid → what was set).
    `code`: every rendered asset (a dataset's canonical form depends on its
    database); `sent_forms`: the fingerprints of `local`, if known."""
    record = snapshot.record
    before = record.managed if record else {}
    managed = dict(before)
    for uuid in deleted:
        managed.pop(uuid, None)
    for uuid in kept:
        if uuid in managed:
            managed[uuid] = replace(managed[uuid], fingerprint="")
    sent = fingerprints(local, settings) if sent_forms is None else sent_forms
    databases = _databases(code if code is not None else local)
    database_same = {u for u in databases if u in before and before[u].fingerprint == sent.get(u)}
    for asset in local:
        row = rows.get(asset.uuid)
        old = before.get(asset.uuid)
        fp = sent[asset.uuid]
        # The canonical form follows from what is sent (and a dataset's database): an
        # asset sent as before keeps the hash the record has.
        if (old is not None and old.canonical and old.fingerprint == fp
                and (asset.kind != "dataset"
                     or str(asset.body.get("database_uuid")) in database_same)):
            canonical = old.canonical
        else:
            canonical = canonical_hash(local_normalized(asset, databases))
        managed[asset.uuid] = _managed(asset, fp, canonical, row.changed_on if row else "")
    access: dict[str, Any] = {
        kind.record_field: kind.after(record, snapshot.access.get(kind.name, {}), local,
                                      settings, applied.get(kind.name, {}))
        for kind in API_KINDS.values()}
    base = record or ProjectRecord(project=settings.project)
    kept_objects = {**base.objects, **(objects or {})}
    return replace(base, managed=managed, inputs_hash=inputs_hash, tool_version=__version__,
                   objects=kept_objects, **access)
