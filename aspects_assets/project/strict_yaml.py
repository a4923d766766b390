"""YAML as the project reads it: the C loader, refusing what the bundle cannot carry.

Superset's bundle files are JSON (see `core/bundle.dump_yaml`), so a value JSON
has no form for (a date, bytes, a set, an ordered map, NaN) would pass
validation and then break `build`; YAML's silent rules would import something
else than what was written (the second of two equal keys wins). An alias bomb
("billion laughs") expands to a value far bigger than its text and would hang
every walk over it. Each of these is found on the composed nodes, before any
Python value is built, in one pass that costs little next to the parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from aspects_assets.model.errors import InputError, Problem, yaml_error
from aspects_assets.model.text import control_character

# A value that expands to more nodes than this (through aliases) is refused.
MAX_NODES = 500_000
# Deeper than any Superset asset nests, far below what recursive walks survive.
MAX_DEPTH = 100

_TAG = "tag:yaml.org,2002:"
# (a merge key `<<` is a scalar too; the merge itself is YAML's, not a value)
_JSON_SCALARS = {f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "merge")}
_JSON_COLLECTIONS = {f"{_TAG}seq", f"{_TAG}map"}
_MERGE = f"{_TAG}merge"
_FLOAT = f"{_TAG}float"
_NOT_FINITE = {".nan", ".inf", "+.inf", "-.inf"}
_WHAT = {"timestamp": "a date or timestamp", "binary": "binary data", "set": "a set",
         "omap": "an ordered map", "pairs": "a list of pairs"}


@dataclass(frozen=True)
class Finding:
    """One value of a document that the project refuses: where it is and why."""

    key: str
    line: int
    message: str


class Refused(yaml.YAMLError):
    """A document that parsed but holds values the project refuses."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message)
        self.findings = findings


def _tag_name(tag: str) -> str:
    return tag.removeprefix(_TAG)


def _scalar_problem(node: yaml.ScalarNode) -> str | None:
    tag = node.tag
    if tag not in _JSON_SCALARS:
        what = _WHAT.get(_tag_name(tag), f"a value tagged {tag}")
        hint = " (quote it to keep it a text)" if tag == f"{_TAG}timestamp" else ""
        return f"{what} cannot be sent to Superset{hint}"
    if tag == _FLOAT and node.value.lower() in _NOT_FINITE:
        return f"{node.value} is not a number Superset can store (JSON has no NaN or infinity)"
    if node.style == '"' and (shown := control_character(node.value)):
        return f"control character {shown} in a text"
    return None


def _children(node: yaml.Node) -> Iterator[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        yield from node.value
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield key
            yield value


def _check_mapping(node: yaml.MappingNode, found: list[tuple[yaml.Node, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    for key, _ in node.value:
        if key.tag == _MERGE:
            continue  # merged keys may be overridden: that is what a merge is for
        if not isinstance(key, yaml.ScalarNode):
            found.append((key, "a key must be a text, not a list or mapping"))
            continue
        ident = (key.tag, key.value)
        if ident in seen:
            found.append((key, f"duplicate key {key.value!r} (YAML keeps only the last)"))
        seen.add(ident)


def _scan(root: yaml.Node) -> tuple[list[tuple[yaml.Node, str]], bool]:
    """Refused nodes (each with why), and whether an alias was met. One pass over
    the nodes as written, level by level; an alias's target is not walked again."""
    found: list[tuple[yaml.Node, str]] = []
    visited: set[yaml.Node] = set()
    aliased = False
    level: list[yaml.Node] = [root]
    for _ in range(MAX_DEPTH + 1):
        below: list[yaml.Node] = []
        for node in level:
            if node in visited:
                aliased = True
                continue
            visited.add(node)
            if type(node) is yaml.ScalarNode:
                if node.tag not in _JSON_SCALARS or node.style == '"' or (
                        node.tag == _FLOAT and node.value.lower() in _NOT_FINITE):
                    problem = _scalar_problem(node)
                    if problem:
                        found.append((node, problem))
                continue
            if node.tag not in _JSON_COLLECTIONS:
                what = _WHAT.get(_tag_name(node.tag), f"a value tagged {node.tag}")
                found.append((node, f"{what} cannot be sent to Superset"))
            if type(node) is yaml.MappingNode:
                _check_mapping(node, found)
                for key, value in node.value:
                    below.append(key)
                    below.append(value)
            else:
                below.extend(node.value)
        if not below:
            return found, aliased
        level = below
    found.extend((node, f"nested deeper than {MAX_DEPTH} levels") for node in level[:1])
    return found, aliased


def _expanded_size(root: yaml.Node) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The innermost value that expands past MAX_NODES nodes once every alias is
    expanded, and a value that contains itself: either, or neither."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            on_path.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in _children(node))
            if size[id(node)] > MAX_NODES:
                return node, None
            continue
        if id(node) in size:
            continue
        if id(node) in on_path:
            return None, node
        on_path.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    return None, None


def _key_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "?"


def _paths(root: yaml.Node, wanted: set[int]) -> dict[int, str]:
    """The key path (`a.b[2].c`) of each wanted node, as first written."""
    paths: dict[int, str] = {}
    visited: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack and len(paths) < len(wanted):
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if id(node) in wanted:
            paths.setdefault(id(node), path)
        # children pushed last first, so that they are reached in document order
        if isinstance(node, yaml.SequenceNode):
            stack.extend((node.value[i], f"{path}[{i}]") for i in reversed(range(len(node.value))))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                inner = f"{path}.{_key_text(key)}" if path else _key_text(key)
                stack.append((value, inner))
                stack.append((key, inner))
    return paths


def _check(root: yaml.Node) -> None:
    found, aliased = _scan(root)
    if aliased and not found:
        too_big, loop = _expanded_size(root)
        if loop is not None:
            found.append((loop, "an alias refers to a value that contains it (a value "
                                "without end)"))
        elif too_big is not None:
            found.append((too_big, f"aliases expand this value to more than {MAX_NODES:,} "
                                   "values (an alias bomb?)"))
    if found:
        paths = _paths(root, {id(node) for node, _ in found})
        raise Refused([Finding(paths.get(id(node), ""), node.start_mark.line + 1, message)
                       for node, message in found])


def load(text: str) -> Any:
    """One YAML document as Python data, with the C loader; raises yaml.YAMLError
    for a syntax error and `Refused` for values the project does not accept."""
    try:
        loader = yaml.CSafeLoader(text)
    except UnicodeEncodeError as exc:  # a lone surrogate, which only a template can make
        raise yaml.YAMLError(f"a text holds {exc.object[exc.start:exc.end]!r}, which is not "
                             "valid Unicode") from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def problems_of(exc: yaml.YAMLError, file: str) -> list[Problem]:
    """A failed `load` as validation problems, each with the file, key path and line."""
    if isinstance(exc, Refused):
        return [Problem("error", file, f.key, f.message, f.line) for f in exc.findings]
    return [yaml_error(exc, file).as_problem()]


def input_error(exc: yaml.YAMLError, file: str) -> InputError:
    """A failed `load` as one InputError (the first problem found)."""
    if isinstance(exc, Refused):
        first = exc.findings[0]
        return InputError(first.message, file=file, key=first.key or None, line=first.line)
    return yaml_error(exc, file)
