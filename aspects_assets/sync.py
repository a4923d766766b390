"""Code vs live Superset: read what is there, and compute the Plan.

`diff` stops here and prints the Plan; `import` hands it to `apply`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from aspects_assets.assets import AssetSet
from aspects_assets.plan import Plan, compare_access, compare_assets
from aspects_assets.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import (
    LiveRow,
    embedded_of,
    export_bodies,
    list_rows,
    read_record,
)
from aspects_assets.superset.record import ProjectRecord


@dataclass(frozen=True)
class Scope:
    """What a run looks at: some locales (None: all), some kinds (None: all)."""

    locales: Collection[str] | None = None
    kinds: Collection[str] | None = None

    def covers(self, kind: str, locale: str | None) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        # Originals belong to every locale narrowing: their copies depend on them.
        return self.locales is None or locale is None or locale in self.locales


@dataclass(frozen=True)
class LivePlan:
    plan: Plan
    rows: dict[str, LiveRow]
    record: ProjectRecord | None
    record_id: int | None
    assets: AssetSet  # the local assets in scope
    embedded: dict[str, dict[str, Any]]  # dashboard uuid → its embedding, as it was


def in_scope(assets: AssetSet, scope: Scope) -> AssetSet:
    return AssetSet.of(a for a in assets if scope.covers(a.kind, a.locale))


def plan_against_live(client: SupersetClient, settings: Settings, assets: AssetSet,
                      scope: Scope) -> LivePlan:
    """Full comparison: every asset in scope is exported and compared."""
    record, record_id = read_record(client, settings.project)
    rows = list_rows(client)
    local = in_scope(assets, scope)
    local_uuids = {a.uuid for a in local}
    managed = record.managed if record else {}
    leftovers = {
        u: (m.kind, rows[u].title, m.locale)
        for u, m in managed.items()
        if u not in local_uuids and u in rows and scope.covers(m.kind, m.locale)
        and (scope.locales is None or m.locale is not None)
    }
    bodies = export_bodies(client, rows, local_uuids)
    changes = compare_assets(local, bodies, leftovers)
    dashboards = [a.uuid for a in local.of_kind("dashboard")]
    live_roles = {u: rows[u].roles for u in dashboards if u in rows}
    embedded = embedded_of(client, rows, dashboards)
    access = compare_access(local, settings, live_roles, embedded,
                            align_uuids=client.info().extension)
    return LivePlan(Plan(changes, access), rows, record, record_id, local, embedded)
