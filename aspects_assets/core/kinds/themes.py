"""Superset 6 themes as code: files under `assets/themes/` in Superset's own
export format (`theme_name`, `json_data`, `uuid`, `version`), matched by uuid,
sent through `/api/v1/theme/import/` (which keeps the uuid) right after the
assets, so that the dashboards that name one by `theme_uuid` can be given it.

`/api/v1/assets/import/` drops a dashboard's `theme_uuid`; the import sets it
afterwards (`run.apply.set_dashboard_themes`). The settings `superset.default_theme`
and `superset.dark_theme` (uuids) make a theme Superset's system default or dark
theme. Superset 5.0 has no themes: a theme file is an error there.
"""

from __future__ import annotations

import json
import uuid as uuidlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from aspects_assets.core.kinds.objects import DEFAULT_OPTIONS, ObjectKind, PlanOptions, parse_each
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError, Problem
from aspects_assets.model.plan import Action, FieldChange, ObjectChange
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.sources import Document

FOLDER = "themes"
KEYS = ("theme_name", "json_data", "uuid", "version")
# Superset's column: themes.theme_name is VARCHAR(250).
NAME_MAX = 250
# `superset.themes.utils.is_valid_theme`: the types Superset's import accepts.
JSON_TYPES: Mapping[str, type] = {"token": dict, "components": dict, "hashed": bool,
                                  "inherit": bool}
ALGORITHMS = ("default", "dark", "compact")
# The system theme slots: settings key → (live flag, the line's words).
SLOTS = {"default_theme": ("is_system_default", "system default theme"),
         "dark_theme": ("is_system_dark", "system dark theme")}


@dataclass(frozen=True)
class ThemeSpec:
    uuid: str
    theme_name: str
    json_data: Mapping[str, Any]
    source: str
    name_key: str = "uuid"

    @property
    def name(self) -> str:  # themes are matched by uuid
        return self.uuid


@dataclass(frozen=True)
class LiveTheme:
    id: int
    uuid: str
    theme_name: str
    json_data: Mapping[str, Any]
    is_system: bool = False
    is_system_default: bool = False
    is_system_dark: bool = False


@dataclass(frozen=True)
class LiveThemes:
    themes: tuple[LiveTheme, ...]
    supported: bool = True  # False: a Superset without themes (5.0)


def _json_problems(data: Any) -> list[tuple[str, str]]:
    """(key, message) for what Superset's theme validation would refuse."""
    if not isinstance(data, dict):
        return [("json_data", f"must be a mapping (the theme's tokens), not "
                              f"{type(data).__name__}")]
    out = [(f"json_data.{key}", f"must be a {kind.__name__}")
           for key, kind in JSON_TYPES.items() if key in data and not isinstance(data[key], kind)]
    algorithm = data.get("algorithm")
    if algorithm is not None:
        names = algorithm if isinstance(algorithm, list) else [algorithm]
        if not names or not all(isinstance(n, str) and n in ALGORITHMS for n in names):
            out.append(("json_data.algorithm", f"must be one of {', '.join(ALGORITHMS)} or "
                                               "a list of them"))
    return out


def _written(value: Any) -> str | None:
    """A uuid's one written form (lowercase, with dashes), None for no uuid.
    (`core.validate` has the same rule for assets; it imports this registry.)"""
    try:
        return str(uuidlib.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


def parse_theme(data: Any, display: str) -> tuple[list[ThemeSpec], list[Problem]]:
    """A theme file (Superset's export of one theme), or the problems with it."""
    def error(key: str, message: str) -> Problem:
        return Problem("error", display, key, message)

    if not isinstance(data, dict):
        return [], [error("", "a theme file is a mapping {theme_name, json_data, uuid, "
                              f"version}} (Superset's theme export), not {type(data).__name__}")]
    problems = [error(str(k), f"unknown key (expected one of: {', '.join(KEYS)})")
                for k in data if k not in KEYS]
    problems += [error(k, "missing") for k in KEYS if k not in data]
    name, uuid, body = data.get("theme_name"), data.get("uuid"), data.get("json_data")
    if "theme_name" in data and not (isinstance(name, str) and name.strip()):
        problems.append(error("theme_name", "must be a non-empty string"))
    elif isinstance(name, str) and len(name) > NAME_MAX:
        problems.append(error("theme_name", f"is {len(name)} characters long; Superset keeps "
                                            f"at most {NAME_MAX}"))
    written = _written(uuid)
    if "uuid" in data and written is None:
        problems.append(error("uuid", f"malformed uuid {uuid!r}"))
    elif written is not None and uuid != written:
        problems.append(error("uuid", f"write the uuid as {written} (lowercase, with dashes)"))
    if "version" in data and data["version"] != "1.0.0":
        problems.append(error("version", "must be '1.0.0'"))
    if isinstance(body, str):  # an export may keep it as JSON text
        try:
            body = json.loads(body)
        except json.JSONDecodeError as exc:
            problems.append(error("json_data", f"is not JSON ({exc.msg})"))
            body = None
    if "json_data" in data and body is not None:
        problems += [error(key, message) for key, message in _json_problems(body)]
    if problems or not isinstance(body, dict):
        return [], problems
    return [ThemeSpec(str(uuid), str(name), body, display)], []


def _live(item: Mapping[str, Any]) -> LiveTheme:
    raw = item.get("json_data") or "{}"
    try:
        body = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        body = {"<not JSON>": raw}
    return LiveTheme(int(item["id"]), str(item["uuid"]), str(item.get("theme_name") or ""),
                     body if isinstance(body, dict) else {"<not a mapping>": body},
                     bool(item.get("is_system")), bool(item.get("is_system_default")),
                     bool(item.get("is_system_dark")))


def theme_file(spec: ThemeSpec) -> bytes:
    """The theme as Superset's export writes it, for `/api/v1/theme/import/`."""
    return yaml.safe_dump({"theme_name": spec.theme_name, "json_data": dict(spec.json_data),
                           "uuid": spec.uuid, "version": "1.0.0"}, sort_keys=False).encode()


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    # deepdiff is costly to import: offline commands, which only parse, skip it.
    from aspects_assets.core.plan import field_changes

    return field_changes(old, new)


class Themes(ObjectKind):
    """Themes: `assets/themes/*.yaml`, through `/api/v1/theme/`."""

    name = "themes"
    folder = FOLDER
    before_access = True  # in before dashboards are given them

    def parse(self, documents: Sequence[Document], code: AssetSet
              ) -> tuple[tuple[Any, ...], list[Problem]]:
        return parse_each(documents, parse_theme, "theme")

    def read(self, api: SupersetApi, managed: Collection[str]) -> LiveThemes:
        rows = api.themes()
        if rows is None:
            return LiveThemes((), supported=False)
        return LiveThemes(tuple(_live(r) for r in rows))

    def plan(self, specs: Sequence[Any], live: Any, rows: Mapping[str, LiveRow],
             code: AssetSet, managed: Collection[str], locales: Sequence[str],
             options: PlanOptions = DEFAULT_OPTIONS) -> tuple[ObjectChange, ...]:
        state: LiveThemes = live
        themes: Sequence[ThemeSpec] = specs
        if themes and not state.supported:
            raise InputError(f"this Superset ({options.version or 'before 6'}) has no themes "
                             "(they came with Superset 6.0): remove the theme files or "
                             "import into Superset 6", file=themes[0].source, key="uuid")
        by_uuid = {t.uuid: t for t in state.themes}
        out = []
        for spec in themes:
            wanted = {"theme_name": spec.theme_name, "json_data": dict(spec.json_data)}
            current = by_uuid.get(spec.uuid)
            if current is None:
                out.append(ObjectChange(self.name, spec.uuid, Action.CREATE,
                                        f"  + theme {spec.theme_name} [{spec.uuid}]: new", {},
                                        (spec, None)))
                continue
            changes = _field_changes({"theme_name": current.theme_name,
                                      "json_data": dict(current.json_data)}, wanted)
            lines = [f"  ~ theme {spec.theme_name} [{spec.uuid}]: changed"]
            lines += [f"      {c.as_text()}" for c in changes]
            out.append(ObjectChange(
                self.name, spec.uuid, Action.UPDATE if changes else Action.UNCHANGED,
                "\n".join(lines),
                {"changes": [{"path": c.path, "old": c.old, "new": c.new} for c in changes]},
                (spec, current.id)))
        names = {s.uuid for s in themes}
        out += [ObjectChange(self.name, t.uuid, Action.DELETE,
                             f"  - theme {t.theme_name} [{t.uuid}]: made by this project, no "
                             "longer in the code", {}, (None, t))
                for t in state.themes
                if t.uuid in managed and t.uuid not in names and not t.is_system]
        out += self._system_slots(themes, state, options)
        return tuple(out)

    def _system_slots(self, themes: Sequence[ThemeSpec], state: LiveThemes,
                      options: PlanOptions) -> list[ObjectChange]:
        known = {t.uuid for t in state.themes} | {t.uuid for t in themes}
        out = []
        for slot, uuid in sorted(options.system_themes.items()):
            flag, words = SLOTS[slot]
            if uuid not in known:
                raise InputError(f"{uuid} is neither a theme of the code nor one of this "
                                 "Superset's", file="settings", key=f"superset.{slot}")
            holder = next((t.uuid for t in state.themes if getattr(t, flag)), None)
            action = Action.UNCHANGED if holder == uuid else Action.UPDATE
            out.append(ObjectChange(self.name, slot, action,
                                    f"  ~ {words}: {holder} → {uuid}",
                                    {"changes": [{"path": slot, "old": holder, "new": uuid}]},
                                    (None, uuid)))
        return out

    def apply(self, api: SupersetApi, change: ObjectChange) -> None:
        spec, target = change.detail
        if change.name in SLOTS:
            ids = {t["uuid"]: int(t["id"]) for t in api.themes() or []}
            api.set_system_theme(ids[target], change.name)
        elif change.action == Action.DELETE:
            # Superset refuses to delete a system theme: the project's theme leaves
            # its slot first (Superset's own theme takes it again).
            for slot, (flag, _) in SLOTS.items():
                if getattr(target, flag):
                    api.unset_system_theme(slot)
            api.delete_theme(target.id)
        else:
            api.import_theme(theme_file(spec))

    def managed_after(self, changes: Sequence[ObjectChange], done: Collection[str],
                      managed: Collection[str]) -> tuple[str, ...]:
        """The code's themes (and one the code lost but was not deleted): never a
        system slot."""
        return tuple(c.name for c in changes if c.name not in SLOTS
                     and not (c.action == Action.DELETE and c.name in done))

    def state(self, live: Any, rows: Mapping[str, LiveRow], managed: Collection[str]) -> Any:
        state: LiveThemes = live
        return sorted([t.uuid, t.theme_name, dict(t.json_data), t.is_system_default,
                       t.is_system_dark] for t in state.themes)
