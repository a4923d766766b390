"""Asset and AssetSet: what the rest of the program passes around."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

# The kinds of the import bundle, in dependency order: what Superset needs to exist
# before the next kind can refer to it.
Kind = Literal["database", "dataset", "chart", "dashboard"]
KINDS: tuple[Kind, ...] = ("database", "dataset", "chart", "dashboard")
FOLDER_OF_KIND: dict[str, str] = {
    "database": "databases",
    "dataset": "datasets",
    "chart": "charts",
    "dashboard": "dashboards",
}


def as_kind(name: str) -> Kind:
    """A kind's name as the Kind it is; a ValueError for a name that is none."""
    for kind in KINDS:
        if kind == name:
            return kind
    raise ValueError(f"{name!r} is not a kind of asset ({', '.join(KINDS)})")


KIND_OF_FOLDER: dict[str, Kind] = {FOLDER_OF_KIND[kind]: kind for kind in KINDS}
PRIVATE_PREFIX = "_"
TITLE_KEY: dict[str, str] = {
    "database": "database_name",
    "dataset": "table_name",
    "chart": "slice_name",
    "dashboard": "dashboard_title",
}


@dataclass(frozen=True)
class Asset:
    """One Superset asset: its Superset fields (`body`) and our private keys.

    `locale` is None for an original (a source file) and the locale code for a
    localized copy; `base_uuid` is the original's uuid for both.
    """

    kind: Kind
    body: dict[str, Any]
    source: str
    private: dict[str, Any] = field(default_factory=dict)
    locale: str | None = None
    base_uuid_: str | None = None
    # A database password that arrived through the environment: never in `body`.
    password: str | None = field(default=None, repr=False, compare=False)

    @property
    def uuid(self) -> str:
        return str(self.body.get("uuid", ""))

    @property
    def base_uuid(self) -> str:
        return self.base_uuid_ or self.uuid

    @property
    def title(self) -> str:
        return str(self.body.get(TITLE_KEY[self.kind]) or self.uuid)

    def with_body(self, body: dict[str, Any], **changes: Any) -> Asset:
        return replace(self, body=body, **changes)


@dataclass(frozen=True)
class AssetSet:
    """An ordered collection of assets, with look-ups by uuid and kind."""

    assets: tuple[Asset, ...]

    @classmethod
    def of(cls, assets: Iterable[Asset]) -> AssetSet:
        order = {kind: i for i, kind in enumerate(KINDS)}
        return cls(
            tuple(sorted(assets, key=lambda a: (order[a.kind], a.locale or "", a.source, a.uuid)))
        )

    def __iter__(self) -> Iterator[Asset]:
        return iter(self.assets)

    def __len__(self) -> int:
        return len(self.assets)

    def of_kind(self, kind: Kind) -> list[Asset]:
        return [a for a in self.assets if a.kind == kind]

    def by_uuid(self) -> dict[str, Asset]:
        return {a.uuid: a for a in self.assets}

    def counts(self) -> dict[Kind, int]:
        return {kind: len(self.of_kind(kind)) for kind in KINDS}

    def summary(self) -> str:
        counts = self.counts()
        return ", ".join(f"{counts[k]} {FOLDER_OF_KIND[k]}" for k in KINDS)
