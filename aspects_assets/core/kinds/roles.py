"""Dashboard roles: who may see a dashboard (`_roles` in the code).

Read from the dashboard list rows (free: they come with every run), set with
PUT /api/v1/dashboard/<id>, creating a role that does not exist yet."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from aspects_assets.core.kinds.base import ApiKind, Applied, Applier
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.plan import AccessChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo
from aspects_assets.project.settings import Settings


def desired_roles(dashboard: Asset) -> tuple[str, ...] | None:
    """The role names a dashboard should have; None where the code says nothing.

    Localization has already turned `_roles` into per-locale names on copies and
    into `original_roles` on originals."""
    roles = dashboard.private.get("_roles")
    if roles is None:
        return None
    return tuple(sorted({str(r) for r in roles}))


class Roles(ApiKind):
    name = "roles"
    record_field = "dashboard_roles"
    creates = True

    def wanted(self, asset: Asset, originals: Mapping[str, Asset],
               settings: Settings) -> tuple[str, ...] | None:
        return desired_roles(asset)

    def read(self, api: SupersetApi, rows: Mapping[str, LiveRow],
             uuids: Collection[str]) -> dict[str, Any]:
        return {u: rows[u].roles for u in uuids if u in rows}

    def drifted(self, uuid: str, record: ProjectRecord, known: Mapping[str, Any]) -> bool:
        wanted = record.dashboard_roles.get(uuid)
        return wanted is not None and tuple(sorted(known.get(uuid, ()))) != tuple(wanted)

    def compare(self, asset: Asset, wanted: tuple[str, ...], live: Any,
                info: ServerInfo) -> AccessChange | None:
        if tuple(sorted(live or ())) == wanted:
            return None
        return AccessChange(self.name, asset.uuid, asset.title, asset.locale,
                            live, wanted)

    def applier(self, api: SupersetApi, info: ServerInfo) -> Applier:
        known: list[dict[str, int]] = []  # role name → id, read on first need

        def apply(change: AccessChange, dashboard_id: int) -> Applied:
            if not known:
                known.append(api.roles())
            ids = known[0]
            created = []
            for name in change.new:
                if name not in ids:
                    ids[name] = api.create_role(name)
                    created.append(name)
            api.set_dashboard_roles(dashboard_id, [ids[n] for n in change.new])
            return Applied(change.new, tuple(created))

        return apply

    def after(self, record: ProjectRecord | None, known: Mapping[str, Any],
              local: AssetSet, settings: Settings,
              applied: Mapping[str, Applied]) -> dict[str, Any]:
        roles: dict[str, Any] = dict(record.dashboard_roles) if record else {}
        for dashboard in local.of_kind("dashboard"):
            wanted = desired_roles(dashboard)
            if wanted is not None:
                roles[dashboard.uuid] = wanted
        return roles

    def line(self, change: AccessChange, where: str) -> str:
        return f"  ~ roles of dashboard {where}: {list(change.old or [])} → {list(change.new)}"

    def summary(self, count: int, created: list[str]) -> str:
        text = f"roles set on {count} dashboard(s)"
        if created:
            more = f" and {len(created) - 4} more" if len(created) > 4 else ""
            text += f" (created {len(created)} roles: {', '.join(created[:4])}{more})"
        return text
