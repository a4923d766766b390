"""Key paths: where a value stands in a body, as parts and as the text a user reads.

`("columns", 0, "verbose_name")` is `columns[0].verbose_name`: the form of every
key path the tool shows (validation problems, translatable fields, diffs, pull).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Key = str | int
KeyPath = tuple[Key, ...]


def key_text(path: Iterable[object]) -> str:
    """`("columns", 0, "verbose_name")` → `columns[0].verbose_name`.

    A part that is neither a key nor an index writes itself (`str`), as pull's
    `[column_name=x]` does."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str):
            out += f".{part}" if out else part
        else:
            out += str(part)
    return out


def get_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def set_at(data: Any, path: KeyPath, value: Any) -> Any:
    """A copy of `data` with `value` at `path`: only the containers on the way
    are copied, everything else is shared (the bodies are never mutated)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(head, int):
        copy_list = list(data)
        copy_list[head] = set_at(data[head], rest, value)
        return copy_list
    if isinstance(data, dict):
        copy_dict = dict(data)
        copy_dict[head] = set_at(data.get(head), rest, value)
        return copy_dict
    return data


def set_many(data: Any, changes: Mapping[KeyPath, Any]) -> Any:
    """Like `set_at` for many paths at once: each container is copied once."""
    if not changes:
        return data
    if () in changes:
        return changes[()]
    groups: dict[Key, dict[KeyPath, Any]] = {}
    for path, value in changes.items():
        groups.setdefault(path[0], {})[path[1:]] = value
    if isinstance(data, list):
        copy_list = list(data)
        for head, rest in groups.items():
            if isinstance(head, int) and head < len(copy_list):
                copy_list[head] = set_many(data[head], rest)
        return copy_list
    if isinstance(data, dict):
        copy_dict = dict(data)
        for head, rest in groups.items():
            copy_dict[head] = set_many(data.get(head), rest)
        return copy_dict
    return data
