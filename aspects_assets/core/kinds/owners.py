"""Owners of datasets, charts and dashboards: `owners: [username, ...]` in the settings
(Aspects' SUPERSET_OWNERS), the same for every asset the project imports.

Superset's import makes the importing user an owner of every asset it writes
(`import_chart` and its kin append it), so after an import the owners of what was
sent are read again and set again (`resets_on_import`). Read from the list rows
(user ids, free) and one list of users (ids to usernames), set with
PUT /api/v1/<kind>/<id> {"owners": [ids]}, several at once. Not set in the
settings: Superset's default, nothing compared or read."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aspects_assets.core.kinds.base import ApiKind, Applied, Applier
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import Asset, AssetSet, Kind
from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.model.plan import AccessChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo
from aspects_assets.project.settings import Settings

# The list rows' column of owners: asked for only where the project sets owners or
# set them before (`listed`), since it costs the dataset list a join, two thirds of
# its time (0.30 s a page of 100 against 0.08 s without, Superset 6.1).
OWNERS_COLUMN = "owners.id"


def listed(settings_owners: Sequence[str] | None, record: ProjectRecord | None) -> bool:
    """Whether the list rows must carry the owners (`OWNERS_COLUMN`)."""
    return settings_owners is not None or bool(record and record.owners)


class Owners(ApiKind):
    name = "owners"
    targets: tuple[Kind, ...] = ("dataset", "chart", "dashboard")
    record_field = "owners"
    resets_on_import = True

    def wanted(self, asset: Asset, originals: Mapping[str, Asset],
               settings: Settings) -> tuple[str, ...] | None:
        return settings.owners

    def read(self, api: SupersetApi, rows: Mapping[str, LiveRow],
             uuids: Collection[str]) -> dict[str, Any]:
        present = [u for u in uuids if u in rows]
        if not present:
            return {}
        try:
            names = {pk: name for name, pk in api.users().items()}
        except SupersetError as exc:
            if exc.status != 404:
                raise
            # No user API (an older Superset without FAB_ADD_SECURITY_API): ids only;
            # owners in the settings then fail in `usable`, saying why.
            names = {}
        return {u: tuple(sorted(names.get(pk, f"#{pk}") for pk in rows[u].owners))
                for u in present}

    def recorded(self, record: ProjectRecord | None) -> Mapping[str, Any] | None:
        # A project that never set owners reads nothing about them.
        return {} if record is None or not record.owners else None

    def to_read(self, wanted: Mapping[str, tuple[str, ...]],
                known: Mapping[str, Any]) -> list[str]:
        return [u for u in wanted if u not in known]

    def drifted(self, uuid: str, record: ProjectRecord, known: Mapping[str, Any]) -> bool:
        wanted = record.owners.get(uuid)
        return wanted is not None and tuple(known.get(uuid, ())) != tuple(wanted)

    def usable(self, api: SupersetApi, changes: Sequence[AccessChange],
               settings: Settings) -> str | None:
        users = api.users()
        unknown = sorted({n for c in changes for n in c.new if n not in users})
        if unknown:
            where = settings.display(settings.config_file) if settings.config_file else "settings"
            raise InputError(f"no user {unknown[0]!r} in Superset "
                             f"({len(unknown)} unknown: {', '.join(unknown[:5])}); nothing "
                             "was sent", file=where, key="owners")
        return None

    def compare(self, asset: Asset, wanted: tuple[str, ...], live: Any,
                info: ServerInfo) -> AccessChange | None:
        old = tuple(sorted(live)) if live is not None else None
        if old == wanted:
            return None
        return AccessChange(self.name, asset.uuid, asset.title, asset.locale, old, wanted,
                            kind=asset.kind)

    def applier(self, api: SupersetApi, info: ServerInfo) -> Applier:
        def apply(change: AccessChange, pk: int) -> Applied:
            users = api.users()
            api.set_owners(change.kind, pk, [users[n] for n in change.new])
            return Applied(change.new)

        return apply

    def apply_all(self, api: SupersetApi, info: ServerInfo,
                  items: Sequence[tuple[AccessChange, int]]) -> dict[str, Applied]:
        # One PUT per asset, the only way Superset's API has: several at once, but the
        # first alone. With TAGGING_SYSTEM on, Superset tags each asset `owner:<id>`,
        # making that tag on first need; PUTs racing to make it fail on its unique name.
        apply = self.applier(api, info)
        done = [apply(*items[0])] if items else []
        with ThreadPoolExecutor(api.workers) as pool:
            done += pool.map(lambda item: apply(*item), items[1:])
        return {change.uuid: applied for (change, _), applied in zip(items, done, strict=True)}

    def after(self, record: ProjectRecord | None, known: Mapping[str, Any],
              local: AssetSet, settings: Settings,
              applied: Mapping[str, Applied]) -> dict[str, Any]:
        if settings.owners is None:
            return {}
        kept: dict[str, Any] = {u: list(o) for u, o in (record.owners if record else {}).items()}
        for asset in local:
            if asset.kind in self.targets:
                kept[asset.uuid] = list(settings.owners)
        return kept

    def line(self, change: AccessChange, where: str) -> str:
        old = list(change.old) if change.old is not None else "none"
        return f"  ~ owners of {change.kind} {where}: {old} → {list(change.new)}"

    def summary(self, count: int, created: list[str]) -> str:
        return f"owners set on {count} asset(s)"
