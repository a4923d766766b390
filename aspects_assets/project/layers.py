"""Asset layers stacked: lowest first, an asset of a higher layer with the same
uuid replaces the lower one whole, and a partial override (`_override: true`,
the uuid, only the keys it changes) is deep-merged into it. Pure: the files are
read by `render.load_assets`, which hands their data here."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aspects_assets.model.errors import Problem
from aspects_assets.model.keypath import key_text

OVERRIDE_KEY = "_override"


@dataclass(frozen=True)
class Entry:
    """One asset source file of one layer, rendered and read."""

    layer: int
    kind: str
    display: str
    data: dict[str, Any]

    @property
    def is_override(self) -> bool:
        return self.data.get(OVERRIDE_KEY) is True

    @property
    def uuid(self) -> str | None:
        value = self.data.get("uuid")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Stacked:
    """One asset as the layers make it: the file that defines it, the overrides
    merged into it (lowest first), and the files of lower layers it replaced."""

    definition: Entry
    overrides: tuple[Entry, ...] = ()
    replaced: tuple[Entry, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def chain(self) -> tuple[Entry, ...]:
        """What makes the asset, lowest first: its definition, then its overrides."""
        return (self.definition, *self.overrides)

    def below(self, layer: int) -> dict[str, Any]:
        """The asset as the layers under `layer` make it."""
        data = copy.deepcopy(self.definition.data)
        for entry in self.overrides:
            if entry.layer < layer:
                data, _ = merge_override(data, entry.data)
        return data


def merge_override(below: Mapping[str, Any], override: Mapping[str, Any]
                   ) -> tuple[dict[str, Any], list[tuple[str | int, ...]]]:
    """`override` deep-merged into `below` (mappings key by key, any other value,
    lists too, replaced), without its `_override` marker; and the key paths of the
    override that `below` does not have (an error: a typo would otherwise add a key
    that Superset ignores, or a field nobody meant)."""
    missing: list[tuple[str | int, ...]] = []

    def merge(base: Mapping[str, Any], changes: Mapping[str, Any], path: tuple[str | int, ...]
              ) -> dict[str, Any]:
        out = dict(base)
        for key, value in changes.items():
            if key not in base:
                missing.append((*path, key))
            elif isinstance(value, Mapping) and isinstance(base[key], Mapping):
                out[key] = merge(base[key], value, (*path, key))
            else:
                out[key] = copy.deepcopy(value)
        return out

    changes = {k: v for k, v in override.items() if k != OVERRIDE_KEY}
    return merge(below, changes, ()), missing


def stack(entries: Iterable[Entry]) -> tuple[list[Stacked], list[Problem]]:
    """The assets the layers make, and the problems of their overrides. Entries come
    lowest layer first. Files of one layer with the same uuid are all kept (validation
    names them); an entry without a uuid is kept as it is (validation says so)."""
    current: dict[str, list[Stacked]] = {}
    without_uuid: list[Stacked] = []
    problems: list[Problem] = []
    by_layer: dict[int, list[Entry]] = {}
    for entry in entries:
        by_layer.setdefault(entry.layer, []).append(entry)
    for layer in sorted(by_layer):
        layer_entries = by_layer[layer]
        definitions: dict[str, list[Entry]] = {}
        overrides: dict[str, Entry] = {}
        for entry in layer_entries:
            if entry.is_override:
                problem = _override_problem(entry, overrides, current)
                if problem is not None:
                    problems.append(problem)
                else:
                    overrides[str(entry.uuid)] = entry
            elif entry.uuid is None:
                without_uuid.append(Stacked(entry, data=entry.data))
            else:
                definitions.setdefault(entry.uuid, []).append(entry)
        for uuid, entry in overrides.items():
            if uuid in definitions:
                problems.append(Problem(
                    "error", entry.display, "uuid",
                    f"{definitions[uuid][0].display} of the same layer defines this asset: "
                    "an override changes an asset of a lower layer"))
                continue
            merged = []
            for item in current[uuid]:
                data, missing = merge_override(item.data, entry.data)
                problems += [Problem("error", entry.display, key_text(path),
                                     f"no such key in {item.definition.display} (an override "
                                     "only changes keys the asset has)") for path in missing]
                merged.append(Stacked(item.definition, (*item.overrides, entry), item.replaced,
                                      data))
            current[uuid] = merged
        for uuid, defined in definitions.items():
            lower = [e for item in current.get(uuid, []) for e in (*item.replaced, *item.chain)]
            current[uuid] = [Stacked(e, replaced=tuple(lower), data=e.data) for e in defined]
    stacked = [item for items in current.values() for item in items]
    return [*stacked, *without_uuid], problems


def _override_problem(entry: Entry, same_layer: Mapping[str, Entry],
                      current: Mapping[str, Sequence[Stacked]]) -> Problem | None:
    """Why an override file cannot apply, or None."""
    def error(key: str, message: str) -> Problem:
        return Problem("error", entry.display, key, message)

    uuid = entry.uuid
    if uuid is None:
        return error("uuid", "an override must name the uuid of the asset it changes")
    if uuid in same_layer:
        return error("uuid", f"{same_layer[uuid].display} of the same layer overrides this "
                             "asset too: keep one override per asset and layer")
    below = current.get(uuid)
    if not below:
        return error("uuid", f"no lower layer has an asset with the uuid {uuid}")
    kind = below[0].definition.kind
    if kind != entry.kind:
        return error("uuid", f"overrides the {kind} of {below[0].definition.display}, but is "
                             f"not in that kind's folder")
    return None


def _set_paths(data: Mapping[str, Any], path: tuple[str | int, ...] = ()
               ) -> Iterable[tuple[str | int, ...]]:
    """The key paths an override sets: its leaves (a mapping is merged, so its keys
    are set one by one)."""
    for key, value in data.items():
        if not path and key in (OVERRIDE_KEY, "uuid"):
            continue
        if isinstance(value, Mapping) and value:
            yield from _set_paths(value, (*path, key))
        else:
            yield (*path, key)


def attributed(problems: Iterable[Problem], stacked: Iterable[Stacked]) -> list[Problem]:
    """Problems of an overridden asset moved to the override file that set the value
    at their key (the asset itself is named after the file that defines it), so
    that an operator's slip is named in the operator's file."""
    setters: dict[str, list[tuple[str, str]]] = {}  # defining file → (key path, override)
    for item in stacked:
        for entry in item.overrides:
            setters.setdefault(item.definition.display, []).extend(
                (key_text(path), entry.display) for path in _set_paths(entry.data))
    out = []
    for problem in problems:
        owner = None
        for key, display in setters.get(problem.file, []):  # the last override wins
            if problem.key == key or problem.key.startswith((f"{key}.", f"{key}[")):
                owner = display
        out.append(problem if owner is None else replace(problem, file=owner, line=None))
    return out
