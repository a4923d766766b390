"""Code vs live Superset: read what is there, and compute the Plan.

Two ways to the same Plan:

- `plan_against_live` (`diff`, `import --verify`): exports every asset in scope
  and compares it field by field with the code. Finds any edit, also the ones
  Superset does not date (roles, embedding).
- `plan_incremental` (`import`): trusts the project record. An asset is sent
  when what the code renders for it differs from what was last sent (its
  fingerprint), or when Superset's `changed_on_utc` moved since (someone
  edited it), or when it is missing. When no input changed at all (the inputs
  hash), nothing is even rendered. Lists are cheap; exports are not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from aspects_assets.core.access import desired_roles
from aspects_assets.core.bundle import fingerprint, managed_fields
from aspects_assets.core.plan import (
    CREATE,
    DELETE,
    UNCHANGED,
    UPDATE,
    AssetChange,
    Plan,
    compare_access,
    compare_assets,
)
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.project.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import (
    LiveRow,
    embedded_of,
    export_bodies,
    list_rows,
    read_record,
)


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

    def covers_leftover(self, kind: str, locale: str | None) -> bool:
        """A managed asset the code no longer has: with --locale, only copies of
        those locales are considered for pruning."""
        return self.covers(kind, locale) and (self.locales is None or locale is not None)

    def key(self) -> list[str]:
        return [f"locales={sorted(self.locales) if self.locales else 'all'}",
                f"kinds={sorted(self.kinds) if self.kinds else 'all'}"]


@dataclass(frozen=True)
class LivePlan:
    plan: Plan
    rows: dict[str, LiveRow]
    record: ProjectRecord | None
    record_id: int | None
    assets: AssetSet  # the local assets in scope (empty when nothing was rendered)
    embedded: dict[str, dict[str, Any]]  # dashboard uuid → its embedding, as it was
    inputs_hash: str = ""
    rendered: bool = True
    desired_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)


def in_scope(assets: AssetSet, scope: Scope) -> AssetSet:
    return AssetSet.of(a for a in assets if scope.covers(a.kind, a.locale))


def _leftovers(record: ProjectRecord | None, rows: Mapping[str, LiveRow],
               local_uuids: Collection[str], scope: Scope
               ) -> dict[str, tuple[str, str, str | None]]:
    managed = record.managed if record else {}
    return {u: (m.kind, rows[u].title, m.locale) for u, m in managed.items()
            if u not in local_uuids and u in rows and scope.covers_leftover(m.kind, m.locale)}


def _roles_of(assets: AssetSet) -> dict[str, tuple[str, ...]]:
    out = {}
    for dashboard in assets.of_kind("dashboard"):
        roles = desired_roles(dashboard)
        if roles is not None:
            out[dashboard.uuid] = roles
    return out


def plan_against_live(client: SupersetClient, settings: Settings, assets: AssetSet,
                      scope: Scope) -> LivePlan:
    """Full comparison: every asset in scope is exported and compared."""
    record, record_id = read_record(client, settings.project)
    rows = list_rows(client)
    local = in_scope(assets, scope)
    local_uuids = {a.uuid for a in local}
    bodies = export_bodies(client, rows, local_uuids)
    changes = compare_assets(local, bodies, _leftovers(record, rows, local_uuids, scope))
    dashboards = [a.uuid for a in local.of_kind("dashboard")]
    live_roles = {u: rows[u].roles for u in dashboards if u in rows}
    embedded = embedded_of(client, rows, dashboards)
    access = compare_access(local, settings, live_roles, embedded,
                            align_uuids=client.info().extension)
    return LivePlan(Plan(changes, access), rows, record, record_id, local, embedded,
                    desired_roles=_roles_of(local))


def _untouched_since_record(record: ProjectRecord, rows: Mapping[str, LiveRow],
                            scope: Scope) -> list[AssetChange] | None:
    """Every managed asset in scope as unchanged, or None when one of them moved."""
    out = []
    for uuid, managed in record.managed.items():
        if not scope.covers(managed.kind, managed.locale):
            continue
        row = rows.get(uuid)
        if row is None or row.changed_on != managed.changed_on:
            return None
        wanted_roles = record.dashboard_roles.get(uuid)
        if wanted_roles is not None and tuple(sorted(row.roles)) != tuple(wanted_roles):
            return None
        out.append(AssetChange(managed.kind, uuid, row.title, managed.locale, UNCHANGED))
    return out


def _fast_change(fp: str, managed: ManagedAsset | None, row: LiveRow | None) -> tuple[str, str]:
    if row is None:
        return CREATE, "not in Superset"
    if managed is None:
        return UPDATE, "not sent by this project before"
    if managed.fingerprint != fp:
        return UPDATE, "changed in the code"
    if row.changed_on != managed.changed_on:
        return UPDATE, "edited in Superset since the last import"
    return UNCHANGED, ""


def plan_incremental(client: SupersetClient, settings: Settings, scope: Scope,
                     inputs_hash: str, load: Callable[[], AssetSet]) -> LivePlan:
    """The plan from the project record and the list endpoints, without exports."""
    record, record_id = read_record(client, settings.project)
    rows = list_rows(client)
    if record is not None and record.inputs_hash == inputs_hash:
        unchanged = _untouched_since_record(record, rows, scope)
        if unchanged is not None:
            return LivePlan(Plan(tuple(unchanged)), rows, record, record_id, AssetSet(()),
                            {u: dict(e) for u, e in record.embedded.items()}, inputs_hash,
                            rendered=False, desired_roles=dict(record.dashboard_roles))
    local = in_scope(load(), scope)
    extra = managed_fields(settings.lock_in_ui)
    managed = record.managed if record else {}
    changes = []
    for asset in local:
        action, reason = _fast_change(fingerprint(asset, extra), managed.get(asset.uuid),
                                      rows.get(asset.uuid))
        changes.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale, action,
                                   reason=reason))
    local_uuids = {a.uuid for a in local}
    for uuid, (kind, title, locale) in sorted(
            _leftovers(record, rows, local_uuids, scope).items()):
        changes.append(AssetChange(kind, uuid, title, locale, DELETE))
    embedded = {u: dict(e) for u, e in (record.embedded if record else {}).items()}
    live_roles = {u: rows[u].roles for u in rows if rows[u].kind == "dashboard"}
    access = compare_access(local, settings, live_roles, embedded,
                            align_uuids=client.info().extension)
    # An embedding the record does not know of may exist already: ask for it.
    unknown = [a for a in access if a.what == "embedding" and a.uuid not in embedded]
    if unknown:
        embedded.update(embedded_of(client, rows, [a.uuid for a in unknown]))
        access = compare_access(local, settings, live_roles, embedded,
                                align_uuids=client.info().extension)
    return LivePlan(Plan(tuple(changes), access), rows, record, record_id, local, embedded,
                    inputs_hash, desired_roles=_roles_of(local))

