"""The third shape of a kind: objects of their own that the code declares in
files of their own under `assets/<folder>/` and Superset keeps apart from any
asset (row-level security filters; roles with permissions next), matched by
name.

Such a kind parses its files (offline, with the rest of validation), reads its
live objects (one snapshot per run), plans against them and the live datasets
(pure), applies a change through its REST verbs, and says what its lines in
`diff` are. The record keeps the names the project manages (prune deletes only
those) and a digest of the live state the last import left, so that an import
with nothing changed still notices an edit made in Superset or a dataset made
since, without rendering anything.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.model.plan import Action, ObjectChange
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.sources import Document


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


class ObjectKind(ABC):
    name: str  # the JSON key of its changes in `diff` and the report
    folder: str  # assets/<folder>/
    patterns: tuple[str, ...] = ("*.yaml",)

    @abstractmethod
    def parse(self, documents: Sequence[Document], code: AssetSet
              ) -> tuple[tuple[Any, ...], list[Problem]]:
        """The objects the files declare (`code`: the originals), and the problems."""

    @abstractmethod
    def read(self, api: SupersetApi) -> Any:
        """Superset's objects of this kind, as `plan` and `state` take them."""

    @abstractmethod
    def plan(self, specs: Sequence[Any], live: Any, rows: Mapping[str, LiveRow],
             code: AssetSet, managed: Collection[str], locales: Sequence[str]
             ) -> tuple[ObjectChange, ...]:
        """Every object of the code, and those the project made that the code lost
        (`managed`), against Superset's (`rows`: the live assets; `code`: the
        assets with their copies; `locales`: the configured ones)."""

    @abstractmethod
    def apply(self, api: SupersetApi, change: ObjectChange) -> None:
        """Make one change (not called for unchanged ones)."""

    @abstractmethod
    def state(self, live: Any, rows: Mapping[str, LiveRow], managed: Collection[str]) -> Any:
        """What of Superset this kind depends on, for the record's digest: an
        import with nothing changed compares it and plans again when it moved."""

    def summary(self, changes: Sequence[ObjectChange]) -> str:
        done = [c for c in changes if c.action != Action.UNCHANGED]
        return f"{self.name}: {len(done)} set" if done else f"{self.name}: unchanged"


def parse_layers(kind: ObjectKind, documents: Sequence[Document], code: AssetSet
                 ) -> tuple[tuple[Any, ...], list[Problem]]:
    """The objects every asset layer declares: each layer parsed on its own, and an
    object of a higher layer replaces a lower one of the same name."""
    layers: dict[int, list[Document]] = {}
    for document in documents:
        layers.setdefault(document.layer, []).append(document)
    objects: dict[str, Any] = {}
    problems: list[Problem] = []
    for layer in sorted(layers):
        specs, found = kind.parse(layers[layer], code)
        problems += found
        for spec in specs:
            objects.pop(spec.name, None)  # the replacement takes the replaced one's place
            objects[spec.name] = spec
    return tuple(objects.values()), problems


def object_state_digest(kind: ObjectKind, live: Any, rows: Mapping[str, LiveRow],
                        managed: Collection[str]) -> str:
    return digest(kind.state(live, rows, managed))
