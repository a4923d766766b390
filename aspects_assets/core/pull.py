"""`pull`: assets from a live Superset back into source YAML, as minimal edits.

Compute, then write: `plan_pull` returns the new text of every file (or why a
file cannot be pulled); the command writes them.

The comparison is the one `diff` makes: both sides go through
`superset.normalize` (the noise Superset adds on export is dropped there, not
here), minus `query_context`, which Explore derives from `params` on every save
and which a source does not need. That canonical form is turned back into the
form a source writes (`source_form`): chart ids in dashboard metadata are the
ids the file's own layout gives its charts, since Superset's import maps them
through the layout.

An existing file is edited where the two forms differ and nowhere else: it is
read in ruamel.yaml's round-trip mode (keeping comments, key order, quoting and
its Jinja, which is written in YAML strings), the differing values are set, and
the result is merged line by line into the original text, so that whatever
ruamel would write differently in untouched places stays as it was. The new
text is rendered again and must give what Superset has; otherwise the file is
reported, not written.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import LiteralScalarString

from aspects_assets.core.bundle import safe_name, superset_body
from aspects_assets.core.i18n.extract import asset_texts
from aspects_assets.core.layout import chart_nodes
from aspects_assets.core.normalize import kind_of_path, normalize
from aspects_assets.model.assets import FOLDER_OF_KIND, KINDS, TITLE_KEY, Asset, AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.project.render import (
    AssetEnvironment,
    asset_from_mapping,
    jinja_environment,
    parse_yaml,
    render_text,
)
from aspects_assets.project.settings import Settings
from aspects_assets.superset.live import LiveRow

FILE_VERSION = "1.0.0"
CREATED, UPDATED, UNCHANGED, NOT_PULLABLE = "created", "updated", "unchanged", "not pullable"
_JINJA_MARK = re.compile(r"\{\{|\{%|\{#")
# Jinja statements that can wrap keys or change what follows: a file with one at the
# start of a line (outside {% raw %}) has a structure its YAML text does not show.
_CONTROL_LINE = re.compile(
    r"^\s*\{%-?\s*(if|elif|else|endif|for|endfor|macro|endmacro|call|endcall|block|"
    r"endblock|set|endset|with|endwith|import|from|extends)\b")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")


# -- the live side ---------------------------------------------------------------------

@dataclass(frozen=True)
class LiveAsset:
    """One asset of an export, as Superset wrote it."""

    kind: str
    body: dict[str, Any]
    database: dict[str, Any] | None = None  # a dataset's database (from the same export)

    @property
    def uuid(self) -> str:
        return str(self.body.get("uuid", ""))

    @property
    def title(self) -> str:
        return str(self.body.get(TITLE_KEY[self.kind]) or self.uuid)


def parse_export(files: Mapping[str, bytes]) -> dict[str, LiveAsset]:
    """uuid → LiveAsset for every asset file of an export (path → YAML bytes)."""
    parsed: list[tuple[str, dict[str, Any]]] = []
    databases: dict[str, dict[str, Any]] = {}
    for path, content in sorted(files.items()):
        kind = kind_of_path(path)
        if kind is None or not path.endswith((".yaml", ".yml")):
            continue
        body = yaml.load(content, Loader=yaml.CSafeLoader)
        if isinstance(body, dict) and "uuid" in body:
            parsed.append((kind, body))
            if kind == "database":
                databases[str(body["uuid"])] = body
    return {
        str(body["uuid"]): LiveAsset(
            kind, body, databases.get(str(body.get("database_uuid"))) if kind == "dataset"
            else None)
        for kind, body in parsed
    }


# -- the canonical form, as a source writes it -------------------------------------------

def chart_ids(body: Mapping[str, Any]) -> dict[str, int]:
    """Chart uuid → the chart id a dashboard's layout gives it (Superset's import maps
    the ids in the metadata through these)."""
    out: dict[str, int] = {}
    for _, node in chart_nodes(dict(body)):
        meta = node.get("meta") or {}
        if "uuid" in meta and isinstance(meta.get("chartId"), int):
            out[str(meta["uuid"])] = meta["chartId"]
    return out


def source_form(kind: str, body: Mapping[str, Any], *,
                database: Mapping[str, Any] | None = None,
                ids: Mapping[str, int] | None = None) -> dict[str, Any]:
    """`normalize` without `query_context`; in a dashboard's metadata, chart uuids back
    to the ids in `ids` (uuid → id, from the file's own layout)."""
    out = normalize(kind, body, database=database)
    out.pop("query_context", None)
    if kind == "dashboard" and isinstance(out.get("metadata"), dict):
        out["metadata"] = _metadata_ids(out["metadata"], ids or {})
    return out


def _metadata_ids(metadata: Mapping[str, Any], ids: Mapping[str, int]) -> dict[str, Any]:
    """The inverse of normalize's uuid mapping of dashboard metadata."""
    def ref(value: Any) -> Any:
        return ids.get(value, value) if isinstance(value, str) else value

    def refs(values: Any) -> Any:
        return [ref(v) for v in values] if isinstance(values, list) else values

    def scoped(part: Any) -> Any:
        if isinstance(part, dict) and isinstance(part.get("scope"), dict) \
                and "excluded" in part["scope"]:
            return {**part, "scope": {**part["scope"], "excluded": refs(part["scope"]["excluded"])}}
        return part

    out = dict(metadata)
    if isinstance(out.get("timed_refresh_immune_slices"), list):
        out["timed_refresh_immune_slices"] = refs(out["timed_refresh_immune_slices"])
    if isinstance(out.get("expanded_slices"), dict):
        out["expanded_slices"] = {str(ref(k)): v for k, v in out["expanded_slices"].items()}
    if isinstance(out.get("native_filter_configuration"), list):
        out["native_filter_configuration"] = [scoped(f) for f in
                                              out["native_filter_configuration"]]
    if isinstance(out.get("global_chart_configuration"), dict):
        out["global_chart_configuration"] = scoped(out["global_chart_configuration"])
    if isinstance(out.get("chart_configuration"), dict):
        configuration = {}
        for key, config in out["chart_configuration"].items():
            chart_id = ref(key)
            if isinstance(config, dict):
                config = {"id": chart_id, **config}
                if isinstance(config.get("crossFilters"), dict):
                    config["crossFilters"] = scoped(config["crossFilters"])
            configuration[str(chart_id)] = config
        out["chart_configuration"] = configuration
    return out


def live_source_form(live: LiveAsset, ids: Mapping[str, int]) -> dict[str, Any]:
    return source_form(live.kind, live.body, database=live.database, ids=ids)


# -- differences as edits ----------------------------------------------------------------

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
        return "".join(f".{p}" if isinstance(p, str) else f"[{p}]" if isinstance(p, int)
                       else str(p) for p in self.path).lstrip(".")


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


# -- applying edits to a round-trip document -----------------------------------------------

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


def dump_text(data: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def has_jinja(text: str) -> bool:
    return bool(_JINJA_MARK.search(text))


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


# -- a three-way line merge ----------------------------------------------------------------

def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"]


def merge_lines(base: str, ours: str, theirs: str) -> str:
    """`theirs`' changes of `base` applied to `ours`.

    `base` is ruamel's dump of the unchanged file, `ours` the file as it is,
    `theirs` the dump after the edits: the differences between base and ours are
    ruamel's own way of writing things (line folding, escapes), kept; where both
    change the same lines, the edit wins.
    """
    if base == ours:
        return theirs
    b = base.splitlines(keepends=True)
    tagged = sorted([(i1, i2, "o", lines) for i1, i2, lines in _hunks(b, ours.splitlines(True))]
                    + [(i1, i2, "t", lines) for i1, i2, lines in
                       _hunks(b, theirs.splitlines(True))],
                    key=lambda h: (h[0], h[1]))
    groups: list[list[tuple[int, int, str, list[str]]]] = []
    for hunk in tagged:
        if groups:
            start = groups[-1][0][0]
            end = max(h[1] for h in groups[-1])
            if hunk[0] < end or (hunk[0] == end and start == end == hunk[1]):
                groups[-1].append(hunk)
                continue
        groups.append([hunk])
    out: list[str] = []
    pos = 0
    for group in groups:
        start = min(h[0] for h in group)
        end = max(h[1] for h in group)
        sides = {h[2] for h in group}
        chosen = [h for h in group if h[2] == ("t" if "t" in sides else "o")]
        out.extend(b[pos:start])
        cursor = start
        for i1, i2, _, lines in chosen:
            out.extend(b[cursor:i1])
            out.extend(lines)
            cursor = i2
        out.extend(b[cursor:end])
        pos = end
    out.extend(b[pos:])
    return "".join(out)


# -- one file ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileChange:
    kind: str
    uuid: str
    title: str
    path: Path
    display: str
    status: str  # CREATED, UPDATED, UNCHANGED, NOT_PULLABLE
    text: str | None = None  # the new content (created, updated)
    reason: str = ""
    fields: tuple[str, ...] = ()  # what changed (updated)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "uuid": self.uuid, "title": self.title,
                                "file": self.display, "status": self.status}
        if self.fields:
            data["fields"] = list(self.fields)
        if self.reason:
            data["reason"] = self.reason
        return data


def control_lines(text: str) -> list[int]:
    """Line numbers of Jinja statements at line level outside {% raw %}."""
    found = []
    in_raw = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_raw:
            in_raw = not _RAW_END.search(line)
            continue
        start = _RAW_START.search(line)
        if start is not None:
            in_raw = not _RAW_END.search(line, start.end())
            continue
        if _CONTROL_LINE.match(line):
            found.append(number)
    return found


@dataclass
class Renderer:
    """Renders a file's text as `load_assets` does."""

    settings: Settings
    env: AssetEnvironment = field(init=False)

    def __post_init__(self) -> None:
        self.env = jinja_environment(self.settings.templates_dir)

    def asset(self, kind: str, text: str, display: str) -> Asset:
        rendered, problem = render_text(self.env, text, dict(self.settings.variables), display)
        if problem is not None or rendered is None:
            raise NotPullable(f"does not render: {problem}")
        data, problems = parse_yaml(rendered, display)
        if problems or not isinstance(data, dict):
            raise NotPullable(f"not YAML after rendering: {problems[0] if problems else data}")
        return asset_from_mapping(kind, data, display, self.settings)


def _local_form(asset: Asset, database: Asset | None) -> tuple[dict[str, Any], dict[str, int]]:
    body = superset_body(asset)
    ids = chart_ids(body) if asset.kind == "dashboard" else {}
    db = superset_body(database) if database is not None else None
    return source_form(asset.kind, body, database=db, ids=ids), ids


def _plain(live: LiveAsset) -> dict[str, Any]:
    body = dict(live.body)
    if live.kind == "chart" and isinstance(body.get("params"), str):
        body["params"] = yaml.load(body["params"], Loader=yaml.CSafeLoader)
    return body


def update_file(live: LiveAsset, local: Asset, text: str, path: Path, display: str,
                renderer: Renderer, database: Asset | None) -> FileChange:
    """The existing source of `local` brought to the live state, or why not."""
    base = FileChange(live.kind, live.uuid, live.title, path, display, UNCHANGED)
    old, ids = _local_form(local, database)
    new = live_source_form(live, ids)
    if old == new:
        return base
    changes = edits(old, new)
    fields = tuple(sorted({c.where for c in changes}))
    try:
        lines = control_lines(text)
        if lines:
            raise NotPullable(
                f"Jinja statements around keys (line {', '.join(map(str, lines[:5]))}): "
                "edit it by hand")
        try:
            doc = _yaml().load(text)
        except RuamelError as exc:
            raise NotPullable(f"its Jinja makes it unreadable as YAML before rendering "
                              f"({str(exc).splitlines()[0]})") from None
        before = dump_text(doc)
        apply_edits(doc, old, _plain(live), changes)
        merged = merge_lines(before, text, dump_text(doc))
        check = renderer.asset(live.kind, merged, display)
        got, _ = _local_form(check, database)
        if got != new:
            wrong = sorted({c.where for c in edits(got, new)})
            raise NotPullable("the edited file would not render to what Superset has "
                              f"({', '.join(wrong[:5])})")
    except NotPullable as exc:
        return FileChange(live.kind, live.uuid, live.title, path, display, NOT_PULLABLE,
                          reason=str(exc), fields=fields)
    return FileChange(live.kind, live.uuid, live.title, path, display, UPDATED, merged,
                      fields=fields)


def _sorted(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _sorted(data[k]) for k in sorted(data, key=str)}
    if isinstance(data, list):
        return [_sorted(v) for v in data]
    return data


def new_file_text(live: LiveAsset) -> str:
    """The source of an asset the code does not have yet."""
    ids: dict[str, int] = {}
    if live.kind == "dashboard":
        # Without chartIds the bundle numbers the layout's charts itself: the metadata
        # refers to them by those numbers.
        stripped = normalize("dashboard", {"position": live.body.get("position") or {}})
        ids = chart_ids(superset_body(Asset("dashboard", stripped, "")))
    body = _sorted({**live_source_form(live, ids), "version": FILE_VERSION})
    return dump_text(writable(body))


def new_file_path(live: LiveAsset, settings: Settings, taken: set[Path],
                  database_names: Mapping[str, str]) -> Path:
    folder = settings.assets_dir / FOLDER_OF_KIND[live.kind]
    if live.kind == "dataset":
        db_uuid = str(live.body.get("database_uuid"))
        name = database_names.get(db_uuid) or (live.database or {}).get("database_name") or ""
        folder = folder / (safe_name(str(name)) or db_uuid)
    stem = safe_name(live.title) or live.uuid
    path = folder / f"{stem}.yaml"
    if path in taken or path.exists():
        path = folder / f"{stem}_{live.uuid[:8]}.yaml"
    return path


# -- the whole pull ----------------------------------------------------------------------

@dataclass(frozen=True)
class PullPlan:
    files: tuple[FileChange, ...]
    new_strings: tuple[tuple[str, str], ...]  # (text, what it is)

    def of_status(self, status: str) -> list[FileChange]:
        return [f for f in self.files if f.status == status]


def plan_pull(settings: Settings, originals: AssetSet, live: Mapping[str, LiveAsset],
              paths: Mapping[str, Path]) -> PullPlan:
    """What pulling `live` does to the sources. `originals` are the rendered sources,
    `paths` their display name → file."""
    renderer = Renderer(settings)
    local = originals.by_uuid()
    databases = {a.uuid: a for a in originals.of_kind("database")}
    database_names = {u: str(a.body.get("database_name") or "") for u, a in databases.items()}
    taken: set[Path] = set()
    changes: list[FileChange] = []
    order = {kind: i for i, kind in enumerate(KINDS)}
    for item in sorted(live.values(), key=lambda a: (order[a.kind], a.title, a.uuid)):
        asset = local.get(item.uuid)
        if asset is None:
            path = new_file_path(item, settings, taken, database_names)
            taken.add(path)
            changes.append(FileChange(item.kind, item.uuid, item.title, path,
                                      settings.display(path), CREATED, new_file_text(item)))
            continue
        path = paths[asset.source]
        database = databases.get(str(asset.body.get("database_uuid"))) \
            if asset.kind == "dataset" else None
        changes.append(update_file(item, asset, path.read_text(encoding="utf-8"), path,
                                   asset.source, renderer, database))
    return PullPlan(tuple(changes), _new_strings(originals, changes, renderer))


def _new_strings(originals: AssetSet, changes: Iterable[FileChange], renderer: Renderer
                 ) -> tuple[tuple[str, str], ...]:
    written = {c.uuid: c for c in changes if c.text is not None}
    if not written:
        return ()
    after = [a for a in originals if a.uuid not in written]
    for change in written.values():
        try:
            after.append(renderer.asset(change.kind, change.text or "", change.display))
        except NotPullable:
            continue
    known = {t.text for t in asset_texts(originals)}
    seen: dict[str, str] = {}
    for text in asset_texts(AssetSet.of(after)):
        if text.text not in known and text.text not in seen:
            seen[text.text] = text.comment
    return tuple(seen.items())


# -- what to pull ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Redirect:
    """A localized copy that was asked for, and the original pulled instead."""

    asked: str
    locale: str
    original: str  # slug or uuid of the original

    def as_dict(self) -> dict[str, str]:
        return {"asked": self.asked, "locale": self.locale, "original": self.original}


@dataclass(frozen=True)
class Targets:
    uuids: tuple[str, ...]  # originals to export (dashboards bring their dependencies)
    redirects: tuple[Redirect, ...] = ()


def copies_of(record: ProjectRecord | None) -> dict[str, ManagedAsset]:
    """uuid → record entry of every localized copy the record knows."""
    if record is None:
        return {}
    return {u: m for u, m in record.managed.items() if m.base_uuid or m.locale}


def dashboard_targets(asked: Iterable[str], rows: Mapping[str, LiveRow],
                      record: ProjectRecord | None, locales: Iterable[str]) -> Targets:
    """The original dashboards named by slug or uuid; a localized copy names its
    original (by the record, else by the `<slug>-<locale>` rule)."""
    dashboards = {u: r for u, r in rows.items() if r.kind == "dashboard"}
    by_slug = {r.title: u for u, r in dashboards.items() if r.title}
    copies = copies_of(record)
    uuids: list[str] = []
    redirects: list[Redirect] = []
    for name in asked:
        uuid = name if name in dashboards else by_slug.get(name)
        if uuid is None:
            raise InputError(f"--dashboard {name}: no dashboard with this slug or uuid in "
                             "Superset")
        original, locale = uuid, None
        if uuid in copies and copies[uuid].base_uuid:
            original, locale = str(copies[uuid].base_uuid), copies[uuid].locale
        else:
            slug = dashboards[uuid].title
            for code in locales:
                if slug.endswith(f"-{code}") and slug[: -len(code) - 1] in by_slug:
                    original, locale = by_slug[slug[: -len(code) - 1]], code
        if locale is not None:
            if original not in dashboards:
                raise InputError(f"--dashboard {name} is the {locale} copy of dashboard "
                                 f"{original}, which is not in Superset: nothing to pull")
            redirects.append(Redirect(name, locale, dashboards[original].title or original))
        if original not in uuids:
            uuids.append(original)
    return Targets(tuple(uuids), tuple(redirects))


def managed_targets(rows: Mapping[str, LiveRow], record: ProjectRecord | None,
                    project: str) -> Targets:
    """Every original the project's record lists and Superset has."""
    if record is None:
        raise InputError(f"this Superset has no record of project {project!r} (written by "
                         "`aspects-assets import`): use --dashboard instead")
    copies = copies_of(record)
    return Targets(tuple(sorted(u for u in record.managed if u in rows and u not in copies)))


def pullable(live: Mapping[str, LiveAsset], targets: Targets, record: ProjectRecord | None,
             *, dependencies: bool) -> dict[str, LiveAsset]:
    """The exported assets to write: the targets (and with `dependencies`, what they
    need), never a localized copy."""
    copies = copies_of(record)
    wanted = set(targets.uuids)
    return {u: a for u, a in live.items()
            if u not in copies and (dependencies or u in wanted)}
