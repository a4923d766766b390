"""The differences between two canonical forms, as edits a file can take."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aspects_assets.model.keypath import key_text


@dataclass(frozen=True)
class Named:
    """A list item found by the value of one of its keys (dataset columns and metrics,
    which the canonical form sorts by name)."""

    key: str
    value: Any

    def __str__(self) -> str:
        return f"[{self.key}={self.value}]"


PathPart = str | int | Named
_NAME_KEYS = ("column_name", "metric_name")


@dataclass(frozen=True)
class Edit:
    path: tuple[PathPart, ...]
    op: str  # "set", "delete", "append"
    value: Any = None

    @property
    def where(self) -> str:
        return key_text(self.path)


def _name_key(old: list[Any], new: list[Any]) -> str | None:
    items = old + new
    for key in _NAME_KEYS:
        if items and all(isinstance(i, dict) and key in i for i in items):
            names = [i[key] for i in old]
            if len(set(map(str, names))) == len(names):
                return key
    return None


def edits(old: Any, new: Any, path: tuple[PathPart, ...] = ()) -> list[Edit]:
    """The edits that turn `old` into `new`, as deep as the two allow."""
    out: list[Edit] = []
    if isinstance(old, dict) and isinstance(new, dict):
        out.extend(Edit((*path, k), "delete") for k in old if k not in new)
        for k, value in new.items():
            if k not in old:
                out.append(Edit((*path, k), "set", value))
            elif old[k] != value:
                out.extend(edits(old[k], value, (*path, k)))
        return out
    if isinstance(old, list) and isinstance(new, list):
        name = _name_key(old, new)
        if name is not None:
            old_by = {str(i[name]): i for i in old}
            new_names = {str(i[name]) for i in new}
            out.extend(Edit((*path, Named(name, i[name])), "delete") for i in old
                       if str(i[name]) not in new_names)
            for item in new:
                before = old_by.get(str(item[name]))
                if before is None:
                    out.append(Edit(path, "append", item))
                elif before != item:
                    out.extend(edits(before, item, (*path, Named(name, item[name]))))
            return out
        if len(old) == len(new):
            for i, (a, b) in enumerate(zip(old, new, strict=True)):
                if a != b:
                    out.extend(edits(a, b, (*path, i)))
            return out
    out.append(Edit(path, "set", new))
    return out
