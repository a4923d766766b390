"""The third shape of a kind: objects of their own that the code declares in
files of their own under `assets/<folder>/` and Superset keeps apart from any
asset (roles with their permissions, row-level security filters), matched by
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
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.model.plan import Action, ObjectChange
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.sources import Document


class Named(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def name_key(self) -> str: ...  # the key path of its name in its file


N = TypeVar("N", bound=Named)


def parse_each(documents: Iterable[Document],
               parse: Callable[[Any, str], tuple[Sequence[N], list[Problem]]],
               what: str) -> tuple[tuple[N, ...], list[Problem]]:
    """Every file's objects (`parse`: a file's data and its name → what it declares
    and its problems), all problems at once, and an error for a name that two
    entries declare (`what`: the kind's words for one, in that message)."""
    found: list[N] = []
    problems: list[Problem] = []
    for document in documents:
        objects, wrong = parse(document.data, document.display)
        found += objects
        problems += wrong
    seen: dict[str, str] = {}
    for item in found:
        if item.name in seen:
            problems.append(Problem("error", item.source, item.name_key,
                                    f"{what} {item.name!r} is also declared in "
                                    f"{seen[item.name]}"))
        seen.setdefault(item.name, item.source)
    return tuple(found), problems


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class PlanOptions:
    """What else a kind's plan may need to know."""

    declared_roles: frozenset[str] = frozenset()  # roles the code's role files make
    # Whether a permission Superset lacks is an error (`missing_permissions: error`)
    # or left out (`skip`).
    strict: bool = True
    # Whether the assets of the run are in Superset already (the plan applying
    # makes) or still to be sent (the plan `diff` shows and `import` checks first).
    assets_sent: bool = False
    version: str = ""  # the live Superset's
    # Settings `superset.default_theme` / `dark_theme` → the theme uuid.
    system_themes: Mapping[str, str] = field(default_factory=dict)


DEFAULT_OPTIONS = PlanOptions()


class ObjectKind(ABC):
    name: str  # the JSON key of its changes in `diff` and the report
    folder: str  # assets/<folder>/
    patterns: tuple[str, ...] = ("*.yaml",)
    # Applied right after the assets are sent, before the API kinds (dashboard
    # roles, ...) are set; otherwise last, after the prune.
    before_access = False

    @abstractmethod
    def parse(self, documents: Sequence[Document], code: AssetSet
              ) -> tuple[tuple[Any, ...], list[Problem]]:
        """The objects the files declare (`code`: the originals), and the problems."""

    @abstractmethod
    def read(self, api: SupersetApi, managed: Collection[str]) -> Any:
        """Superset's objects of this kind, as `plan` and `state` take them
        (`managed`: what the record says the project manages)."""

    @abstractmethod
    def plan(self, specs: Sequence[Any], live: Any, rows: Mapping[str, LiveRow],
             code: AssetSet, managed: Collection[str], locales: Sequence[str],
             options: PlanOptions = DEFAULT_OPTIONS) -> tuple[ObjectChange, ...]:
        """Every object of the code, and those the project made that the code lost
        (`managed`), against Superset's (`rows`: the live assets; `code`: the
        assets with their copies; `locales`: the configured ones)."""

    def roles_made(self, specs: Sequence[Any]) -> set[str]:
        """The names of the roles these objects make (for the kinds that name roles)."""
        return set()

    def managed_after(self, changes: Sequence[ObjectChange], done: Collection[str],
                      managed: Collection[str]) -> tuple[str, ...]:
        """What the project manages after a run (`done`: the names of the changes
        made; `managed`: before): every object of the code, and what the code lost
        but was not deleted."""
        return tuple(c.name for c in changes
                     if not (c.action == Action.DELETE and c.name in done))

    @abstractmethod
    def apply(self, api: SupersetApi, change: ObjectChange) -> None:
        """Make one change (not called for unchanged ones)."""

    @abstractmethod
    def state(self, live: Any, rows: Mapping[str, LiveRow], managed: Collection[str]) -> Any:
        """What of Superset this kind depends on, for the record's digest: an
        import with nothing changed compares it and plans again when it moved."""

    def notes(self, changes: Sequence[ObjectChange]) -> list[str]:
        """Lines `diff` shows beside the changes (what was left out, say)."""
        return []

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
