"""The project record after a run (pure): what the next incremental import trusts."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from typing import Any

from aspects_assets import __version__
from aspects_assets.core.bundle import fingerprint, managed_fields
from aspects_assets.core.kinds import API_KINDS
from aspects_assets.core.kinds.base import Applied
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow, Snapshot
from aspects_assets.project.settings import Settings


def record_after(snapshot: Snapshot, local: AssetSet, settings: Settings, inputs_hash: str,
                 *, deleted: Collection[str], kept: Collection[str],
                 applied: Mapping[str, Mapping[str, Applied]],
                 rows: Mapping[str, LiveRow],
                 objects: Mapping[str, Mapping[str, Any]] | None = None) -> ProjectRecord:
    """Every rendered asset in scope is managed, with the fingerprint of what the code
    has and Superset's changed_on as `rows` (listed after the run) show it; what was
    deleted is no longer managed; what the code no longer has but was `kept` (no
    --prune) stays managed without a fingerprint, so that the next run does not take
    it for unchanged and plans its delete again; each API kind keeps what it says
    (`applied`: API kind → asset uuid → what was set)."""
    record = snapshot.record
    managed = dict(record.managed) if record else {}
    for uuid in deleted:
        managed.pop(uuid, None)
    for uuid in kept:
        if uuid in managed:
            managed[uuid] = replace(managed[uuid], fingerprint="")
    extra = managed_fields(settings.lock_in_ui)
    for asset in local:
        row = rows.get(asset.uuid)
        managed[asset.uuid] = ManagedAsset(
            kind=asset.kind, fingerprint=fingerprint(asset, extra),
            changed_on=row.changed_on if row else "", locale=asset.locale,
            base_uuid=asset.base_uuid if asset.locale else None)
    access: dict[str, Any] = {
        kind.record_field: kind.after(record, snapshot.access.get(kind.name, {}), local,
                                      settings, applied.get(kind.name, {}))
        for kind in API_KINDS.values()}
    base = record or ProjectRecord(project=settings.project)
    kept_objects = {**base.objects, **(objects or {})}
    return replace(base, managed=managed, inputs_hash=inputs_hash, tool_version=__version__,
                   objects=kept_objects, **access)
