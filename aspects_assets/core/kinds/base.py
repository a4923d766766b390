"""The two shapes of a kind of Superset object.

Bundle kinds (database, dataset, chart, dashboard) travel in Superset's import
bundle and share one path: read from a list endpoint (and an export when compared
field by field), normalized by `core.normalize`, compared with deepdiff, applied by
importing a bundle in chunks, deleted one by one after a backup export. What
differs per kind is data: `BundleKind`.

API kinds are settings of an asset that the bundle does not carry: a dashboard's
roles and embedding today, an asset's owners or tags next. Each brings its own
REST verbs and rules: `ApiKind`, keyed by the uuid of the asset it is set on, for
the bundle kinds it names in `targets`. Diff, import and the text and JSON output
go through the registry (`core.kinds.API_KINDS`), so a new kind of this shape is
one module and one entry there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import Asset, AssetSet, Kind
from aspects_assets.model.plan import AccessChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo
from aspects_assets.project.settings import Settings

# superset.tags.models.TagType.custom, as the list endpoints give a tag's type.
CUSTOM_TAG = 1


def custom_tags(item: Mapping[str, Any]) -> tuple[str, ...]:
    """A list row's custom tags: Superset adds `type:` and `owner:` tags of its own."""
    return tuple(sorted(str(t["name"]) for t in item.get("tags") or []
                        if t.get("type") in (CUSTOM_TAG, "custom")))


@dataclass(frozen=True)
class BundleKind:
    name: Kind
    # What its list endpoint is asked for: id, uuid, the change date, the title, more.
    list_columns: tuple[str, ...]
    title_column: str
    # Estimated server time to import one (ms) in Superset 6.1 on PostgreSQL, measured.
    cost_ms: int
    # A name Superset keeps unique and its import matches on besides the uuid (the
    # list row's title shows it); None where there is none.
    unique_name: str | None = None

    def row(self, item: Mapping[str, Any]) -> LiveRow:
        """A list endpoint's row as a LiveRow."""
        database = item.get("database") or {}
        return LiveRow(kind=self.name, uuid=str(item["uuid"]), id=int(item["id"]),
                       changed_on=str(item.get("changed_on_utc") or item.get("changed_on")
                                      or ""),
                       title=str(item.get(self.title_column) or ""),
                       roles=tuple(sorted(str(r["name"]) for r in item.get("roles") or [])),
                       tags=custom_tags(item),
                       owners=tuple(sorted(int(o["id"]) for o in item.get("owners") or [])),
                       table_of=(database.get("id"), item.get("catalog"), item.get("schema")))


@dataclass(frozen=True)
class Applied:
    """What setting one change left in Superset, and what had to be created for it."""

    value: Any
    created: tuple[str, ...] = ()


# Sets one change on the asset of the given id.
Applier = Callable[[AccessChange, int], Applied]


class ApiKind(ABC):
    """A setting of an asset that the import bundle does not carry."""

    name: str  # AccessChange.what, and the JSON report's `<name>_set`
    targets: tuple[Kind, ...] = ("dashboard",)  # the kinds of asset it is set on
    # The ProjectRecord field that keeps what was set (these settings do not move
    # Superset's changed_on, so an incremental import trusts the record).
    record_field: str
    creates = False  # whether applying may create objects (JSON `<name>_created`)
    # Whether Superset's import moves this state on what it writes (it makes the
    # importing user an owner): it is then read and set again after the import.
    resets_on_import = False

    @abstractmethod
    def wanted(self, asset: Asset, originals: Mapping[str, Asset],
               settings: Settings) -> tuple[str, ...] | None:
        """What the code asks for on this asset (`originals`: uuid → the originals of
        the target kinds, for a copy that follows its original); None where the code
        says nothing."""

    @abstractmethod
    def read(self, api: SupersetApi, rows: Mapping[str, LiveRow],
             uuids: Collection[str]) -> dict[str, Any]:
        """asset uuid → live state, for the assets given (live ones of the target kinds)."""

    def recorded(self, record: ProjectRecord | None) -> Mapping[str, Any] | None:
        """For an incremental import: the state the record says was set, or None
        when reading it is cheap enough to always read."""
        return None

    def to_read(self, wanted: Mapping[str, tuple[str, ...]],
                known: Mapping[str, Any]) -> list[str]:
        """Incremental import: assets whose live state must be read after all (the
        code wants something the record does not know about)."""
        return []

    def drifted(self, uuid: str, record: ProjectRecord, known: Mapping[str, Any]) -> bool:
        """Whether Superset moved away from what the record says was set."""
        return False

    def usable(self, api: SupersetApi, changes: Sequence[AccessChange],
               settings: Settings) -> str | None:
        """Asked once, before a plan that has changes of this kind is shown or applied
        (so a run without any costs nothing): raise an InputError for code this
        Superset cannot take, or return a warning when it cannot have this kind at
        all (the changes are then left out of the plan); None to go on."""
        return None

    @abstractmethod
    def compare(self, asset: Asset, wanted: tuple[str, ...], live: Any,
                info: ServerInfo) -> AccessChange | None:
        """The change to make, or None when Superset has what the code wants."""

    @abstractmethod
    def applier(self, api: SupersetApi, info: ServerInfo) -> Applier:
        """A function that sets changes of this kind (it may cache what it reads)."""

    def apply_all(self, api: SupersetApi, info: ServerInfo,
                  items: Sequence[tuple[AccessChange, int]]) -> dict[str, Applied]:
        """Set every change of this kind (each with its asset's id): asset uuid →
        what was set. One by one, unless the kind's API can do better."""
        apply = self.applier(api, info)
        return {change.uuid: apply(change, pk) for change, pk in items}

    @abstractmethod
    def after(self, record: ProjectRecord | None, known: Mapping[str, Any],
              local: AssetSet, settings: Settings,
              applied: Mapping[str, Applied]) -> dict[str, Any]:
        """What the record keeps after a run."""

    @abstractmethod
    def line(self, change: AccessChange, where: str) -> str:
        """The line `diff` shows for a change."""

    @abstractmethod
    def summary(self, count: int, created: list[str]) -> str:
        """The import summary's words for what was set."""
