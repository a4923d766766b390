"""Compare the code with a live Superset: the Plan that `diff` shows and `import` runs.

Both sides go through the same `normalize`, then deepdiff compares them per
asset. Pure: it takes data and returns data.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from aspects_assets.core.access import desired_domains, desired_roles
from aspects_assets.core.bundle import superset_body
from aspects_assets.core.normalize import normalize
from aspects_assets.model.assets import KINDS, Asset, AssetSet
from aspects_assets.model.keypath import key_text
from aspects_assets.model.text import shorten
from aspects_assets.project.settings import Settings

CREATE, UPDATE, UNCHANGED, DELETE = "create", "update", "unchanged", "delete"
MAX_VALUE_CHARS = 80


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any

    def as_text(self) -> str:
        return (f"{self.path}: {shorten(repr(self.old), MAX_VALUE_CHARS)} → "
                f"{shorten(repr(self.new), MAX_VALUE_CHARS)}")


@dataclass(frozen=True)
class AssetChange:
    kind: str
    uuid: str
    title: str
    locale: str | None
    action: str
    changes: tuple[FieldChange, ...] = ()
    # Why an asset is sent when no field comparison was made (the fast path).
    reason: str = ""


@dataclass(frozen=True)
class AccessChange:
    """A dashboard's roles or embedding that differ from the code."""

    what: str  # "roles" or "embedding"
    uuid: str
    title: str
    locale: str | None
    old: tuple[str, ...] | None
    new: tuple[str, ...]
    # Embedding only: the embedded uuid Superset has, and the one the LMS needs.
    old_uuid: str | None = None
    new_uuid: str | None = None


@dataclass(frozen=True)
class Plan:
    assets: tuple[AssetChange, ...]
    access: tuple[AccessChange, ...] = ()

    def with_action(self, *actions: str) -> list[AssetChange]:
        return [a for a in self.assets if a.action in actions]

    @property
    def to_send(self) -> list[AssetChange]:
        return self.with_action(CREATE, UPDATE)

    @property
    def to_delete(self) -> list[AssetChange]:
        return self.with_action(DELETE)

    @property
    def has_differences(self) -> bool:
        return bool(self.to_send or self.to_delete or self.access)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {k: {CREATE: 0, UPDATE: 0, UNCHANGED: 0, DELETE: 0}
                                          for k in KINDS}
        for change in self.assets:
            out[change.kind][change.action] += 1
        return out


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


def local_normalized(asset: Asset, databases: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    body = superset_body(asset)
    return normalize(asset.kind, body, database=databases.get(str(body.get("database_uuid"))))


def compare_assets(local: AssetSet, live: Mapping[str, tuple[str, dict[str, Any]]],
                   managed_only_live: Mapping[str, tuple[str, str, str | None]],
                   ) -> tuple[AssetChange, ...]:
    """Per asset: create, update (with field changes) or unchanged; plus a delete
    for each asset this project manages that the code no longer has."""
    out = []
    databases = {db.uuid: db.body for db in local.of_kind("database")}
    for asset in local:
        if asset.uuid not in live:
            out.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale, CREATE))
            continue
        changes = field_changes(live[asset.uuid][1], local_normalized(asset, databases))
        out.append(AssetChange(asset.kind, asset.uuid, asset.title, asset.locale,
                               UPDATE if changes else UNCHANGED, changes))
    for uuid, (kind, title, locale) in sorted(managed_only_live.items()):
        out.append(AssetChange(kind, uuid, title, locale, DELETE))
    return tuple(out)


def compare_access(local: AssetSet, settings: Settings,
                   live_roles: Mapping[str, tuple[str, ...]],
                   live_embedded: Mapping[str, Mapping[str, Any]],
                   align_uuids: bool) -> tuple[AccessChange, ...]:
    """Dashboard roles and embedding that differ from the code. With `align_uuids`
    (our Superset-side extension is there) each embedded uuid must equal its
    dashboard's uuid, which is what the Open edX LMS asks for."""
    originals = {a.uuid: a for a in local.of_kind("dashboard") if a.locale is None}
    out = []
    for dashboard in local.of_kind("dashboard"):
        roles = desired_roles(dashboard)
        if roles is not None and tuple(sorted(live_roles.get(dashboard.uuid, ()))) != roles:
            out.append(AccessChange("roles", dashboard.uuid, dashboard.title, dashboard.locale,
                                    live_roles.get(dashboard.uuid), roles))
        domains = desired_domains(dashboard, originals, settings)
        if domains is None:
            continue
        live = live_embedded.get(dashboard.uuid)
        live_domains = tuple(live.get("allowed_domains") or ()) if live else None
        live_uuid = str(live.get("uuid")) if live else None
        wanted_uuid = dashboard.uuid if align_uuids else live_uuid
        if live_domains != domains or (align_uuids and live_uuid != wanted_uuid):
            out.append(AccessChange("embedding", dashboard.uuid, dashboard.title,
                                    dashboard.locale, live_domains, domains,
                                    old_uuid=live_uuid, new_uuid=wanted_uuid))
    return tuple(out)


def only_live(managed: Mapping[str, tuple[str, str, str | None]],
              local_uuids: Collection[str]) -> dict[str, tuple[str, str, str | None]]:
    return {u: v for u, v in managed.items() if u not in local_uuids}
