"""A Plan: what `diff` shows and `import` runs. Plain data; computed in `core.plan`
and `core.incremental`, run by `run.apply`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from aspects_assets.model.assets import KINDS, Kind
from aspects_assets.model.text import shorten

MAX_VALUE_CHARS = 80


class Action(StrEnum):
    """What happens to one asset (the values are the JSON output's)."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DELETE = "delete"


@dataclass(frozen=True)
class Scope:
    """What a run looks at: some locales (None: all), some kinds (None: all)."""

    locales: Collection[str] | None = None
    kinds: Collection[str] | None = None

    @classmethod
    def of(cls, locales: Collection[str], kinds: Collection[str]) -> Scope:
        """From the command line's options: none given means all."""
        return cls(locales=set(locales) or None, kinds=set(kinds) or None)

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
class FieldChange:
    path: str
    old: Any
    new: Any

    def as_text(self) -> str:
        return (f"{self.path}: {shorten(repr(self.old), MAX_VALUE_CHARS)} → "
                f"{shorten(repr(self.new), MAX_VALUE_CHARS)}")


@dataclass(frozen=True)
class AssetChange:
    kind: Kind
    uuid: str
    title: str
    locale: str | None
    action: Action
    changes: tuple[FieldChange, ...] = ()
    # Why an asset is sent when no field comparison was made (the fast path).
    reason: str = ""


@dataclass(frozen=True)
class AccessChange:
    """An asset's setting of an API kind (roles, embedding, tags) that differs from the code."""

    what: str  # the API kind's name: "roles" or "embedding"
    uuid: str
    title: str
    locale: str | None
    old: tuple[str, ...] | None
    new: tuple[str, ...]
    # Embedding only: the embedded uuid Superset has, and the one the LMS needs.
    old_uuid: str | None = None
    new_uuid: str | None = None
    # The kind of asset it is set on (tags are set on charts too).
    kind: Kind = "dashboard"


@dataclass(frozen=True)
class ObjectChange:
    """What a run does to one object: the action, the line `diff` shows and the
    JSON form; `detail` is the kind's own (what applying needs)."""

    kind: str
    name: str
    action: Action
    line: str
    data: Mapping[str, Any] = field(default_factory=dict)
    detail: Any = None
    # Why the change must not be made, though the code asks for it (a role users
    # still hold): `import --prune` lists it and exits 1.
    blocked: str = ""

    def as_dict(self) -> dict[str, Any]:
        blocked = {"blocked": self.blocked} if self.blocked else {}
        return {"name": self.name, "action": self.action.value, **self.data, **blocked}


@dataclass(frozen=True)
class Plan:
    assets: tuple[AssetChange, ...]
    access: tuple[AccessChange, ...] = ()
    # Objects of their own (row-level security filters, ...), in the registry's order.
    objects: tuple[ObjectChange, ...] = ()
    # False when no input changed and Superset did not move: nothing was rendered,
    # and the project record is already right (but for `settled`).
    rendered: bool = True
    # Assets whose `changed_on` moved in Superset while their content stayed what was
    # sent (an identical re-import, a save without edits): not sent; the record takes
    # their new `changed_on`.
    settled: tuple[str, ...] = ()
    # A field-by-field plan's assets that the project record vouches for as they were
    # sent (`core.incremental.as_sent`): unchanged, compared without their export.
    vouched: tuple[str, ...] = ()

    def with_action(self, *actions: Action) -> list[AssetChange]:
        return [a for a in self.assets if a.action in actions]

    @property
    def to_send(self) -> list[AssetChange]:
        return self.with_action(Action.CREATE, Action.UPDATE)

    @property
    def to_delete(self) -> list[AssetChange]:
        return self.with_action(Action.DELETE)

    @property
    def object_changes(self) -> list[ObjectChange]:
        return [c for c in self.objects if c.action != Action.UNCHANGED]

    @property
    def has_differences(self) -> bool:
        return bool(self.to_send or self.to_delete or self.access or self.object_changes)

    def counts(self) -> dict[Kind, dict[str, int]]:
        out: dict[Kind, dict[str, int]] = {k: {a.value: 0 for a in Action} for k in KINDS}
        for change in self.assets:
            out[change.kind][change.action.value] += 1
        return out
