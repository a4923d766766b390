"""Edits applied to a file read in ruamel.yaml's round-trip mode, which keeps its
comments, key order, quoting and Jinja."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from aspects_assets.core.pull.edits import Edit, Named, PathPart
from aspects_assets.core.pull.jinja import has_jinja


class NotPullable(Exception):
    """A file that pull leaves as it is, and why."""


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=2, offset=0)
    rt.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null"))
    return rt


def load_text(text: str) -> Any:
    """A file's text as a round-trip document (raises ruamel's YAMLError)."""
    return _yaml().load(text)


def dump_text(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def writable(value: Any) -> Any:
    """A value as a source writes it: Superset's own Jinja (query-time templates in
    SQL, markdown, ...) inside {% raw %} so that rendering the file gives it back;
    several lines as a literal block."""
    if isinstance(value, str):
        if has_jinja(value):
            value = "{% raw %}" + value + "{% endraw %}"
        lines = value.split("\n")
        if len(lines) > 1 and not any(line != line.rstrip() or "\t" in line for line in lines):
            return LiteralScalarString(value)
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = writable(v)
        return out
    if isinstance(value, list):
        return CommentedSeq(writable(v) for v in value)
    return value


def _resolve(container: Any, part: PathPart) -> Any:
    """The key or index of `part` in a round-trip container, or None."""
    if isinstance(part, Named):
        if isinstance(container, list):
            for i, item in enumerate(container):
                if isinstance(item, Mapping) and str(item.get(part.key)) == str(part.value):
                    return i
        return None
    if isinstance(part, int):
        return part if isinstance(container, list) and part < len(container) else None
    if isinstance(container, Mapping):
        if part in container:
            return part
        if part.lstrip("-").isdigit() and int(part) in container:
            return int(part)
    return None


def _lookup(data: Any, path: Iterable[PathPart]) -> tuple[bool, Any]:
    for part in path:
        key = _resolve(data, part)
        if key is None:
            return False, None
        data = data[key]
    return True, data


def _set_key(parent: CommentedMap, key: Any, value: Any) -> None:
    if key in parent:
        parent[key] = value
        return
    keys = [str(k) for k in parent]
    if keys == sorted(keys):  # a sorted mapping stays sorted
        parent.insert(sum(1 for k in keys if k < str(key)), key, value)
    else:
        parent[key] = value


def _keep_jinja(raw: Any, rendered: Any, value: Any) -> Any:
    """`value` to write where the file has `raw` (rendering to `rendered`): items of a
    list that render to the same value keep what the file wrote (its Jinja)."""
    if isinstance(raw, list) and isinstance(rendered, list) and isinstance(value, list) \
            and len(raw) == len(rendered):
        pool = list(zip(rendered, raw, strict=True))
        out = CommentedSeq()
        for item in value:
            match = next((p for p in pool if p[0] == item), None)
            if match is not None:
                pool.remove(match)
                out.append(match[1])
            else:
                out.append(writable(item))
        return out
    return writable(value)


def apply_edits(doc: Any, rendered: Mapping[str, Any], live_plain: Mapping[str, Any],
                changes: Iterable[Edit]) -> None:
    """Apply `changes` (in source-form coordinates) to the round-trip `doc`.

    A deleted key whose value Superset reports as a default is written with that
    value (`live_plain`, the export as it came) rather than removed.
    """
    for change in changes:
        head = change.path if change.op == "append" else change.path[:-1]
        parent = doc
        for part in head:
            key = _resolve(parent, part)
            if key is None:
                raise NotPullable(f"{change.where}: not found as written in the file "
                                  "(Jinja that makes structure?)")
            parent = parent[key]
        if change.op == "append":
            if not isinstance(parent, list):
                raise NotPullable(f"{change.where}: not a list in the file")
            parent.append(writable(change.value))
            continue
        last = change.path[-1]
        key = _resolve(parent, last)
        if change.op == "delete":
            if key is None:
                continue
            found, default = _lookup(live_plain, change.path)
            if found and not isinstance(last, Named):
                parent[key] = writable(default)
            else:
                del parent[key]
        elif key is not None:
            _, before = _lookup(rendered, change.path)
            parent[key] = _keep_jinja(parent[key], before, change.value)
        elif isinstance(parent, CommentedMap) and isinstance(last, str):
            _set_key(parent, last, writable(change.value))
        else:
            raise NotPullable(f"{change.where}: not found as written in the file")
