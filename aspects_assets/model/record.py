"""The project's record in Superset: which assets this project manages.

Superset has no place for a tool's own data that every API user can read back
cheaply: `external_url` is stored but never returned, and exports carry no
marker. A CSS template can: `/api/v1/css_template/` stores any text under a
name, is listable with a filter on that name, needs no database or dataset,
and is always registered (the CSS_TEMPLATES flag only hides its menu). One
template per project, named `aspects-assets:<project>`, holds this record as
JSON inside a CSS comment, so it stays valid CSS for whoever opens it.

The record is what makes three things possible without exporting everything:
knowing what the project manages (prune never touches anything else), what
was sent last time (fingerprints) and whether Superset moved since
(`changed_on_utc` seen right after the import).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aspects_assets import __version__
from aspects_assets.model.assets import Kind, as_kind

RECORD_PREFIX = "aspects-assets:"
RECORD_FORMAT = 1
_HEADER = "/* aspects-assets project record: written by the tool, do not edit. */\n"


@dataclass(frozen=True)
class ManagedAsset:
    kind: Kind
    fingerprint: str = ""  # of what was last sent (bundle form)
    # Superset's changed_on_utc right after that; "" when not known (a run that
    # stopped after this asset's chunk was accepted: core.incremental then compares
    # the export, as for an asset that moved).
    changed_on: str = ""
    locale: str | None = None
    base_uuid: str | None = None
    # Of the canonical form (core.normalize) of what was last sent: what an export of
    # the asset, normalized, hashes to while nobody changed it (core.incremental).
    canonical: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "fp": self.fingerprint,
                                "changed_on": self.changed_on}
        if self.locale:
            data["locale"] = self.locale
        if self.base_uuid:
            data["base"] = self.base_uuid
        if self.canonical:
            data["cf"] = self.canonical
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ManagedAsset:
        return cls(kind=as_kind(str(data["kind"])), fingerprint=str(data.get("fp", "")),
                   changed_on=str(data.get("changed_on", "")), locale=data.get("locale"),
                   base_uuid=data.get("base"), canonical=str(data.get("cf", "")))


@dataclass(frozen=True)
class ProjectRecord:
    project: str
    managed: Mapping[str, ManagedAsset] = field(default_factory=dict)
    # Roles and embedding do not move `changed_on`: the record keeps what was set.
    dashboard_roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    embedded: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Tags set on charts and dashboards (they do not move `changed_on` either).
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The owners (usernames) set on datasets, charts and dashboards (settings `owners`).
    owners: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    inputs_hash: str = ""
    tool_version: str = __version__
    # Object kind → {"managed": [names this project made], "digest": of the live
    # state the last import left (core.kinds.objects)}.
    objects: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def managed_objects(self, kind: str) -> list[str]:
        return list(self.objects.get(kind, {}).get("managed", []))

    def to_css(self) -> str:
        data = {
            "format": RECORD_FORMAT,
            "project": self.project,
            "tool_version": self.tool_version,
            "inputs_hash": self.inputs_hash,
            "managed": {u: m.as_json() for u, m in sorted(self.managed.items())},
            "dashboard_roles": {u: list(r) for u, r in sorted(self.dashboard_roles.items())},
            "embedded": {u: dict(e) for u, e in sorted(self.embedded.items())},
            "tags": {u: list(t) for u, t in sorted(self.tags.items())},
            "owners": {u: list(o) for u, o in sorted(self.owners.items())},
            "objects": {k: dict(v) for k, v in sorted(self.objects.items())},
        }
        # `\/` is JSON for `/`: no `*/` can close the comment early.
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return _HEADER + "/*" + text.replace("*/", "*\\/") + "*/\n"

    @classmethod
    def from_css(cls, project: str, css: str) -> ProjectRecord:
        start = css.find("/*{")
        end = css.rfind("*/")
        if start < 0 or end < start:
            raise ValueError("not an aspects-assets record")
        data = json.loads(css[start + 2:end])
        if data.get("format") != RECORD_FORMAT:
            raise ValueError(f"record format {data.get('format')!r} is not {RECORD_FORMAT}")
        return cls(
            project=project,
            managed={u: ManagedAsset.from_json(m) for u, m in data.get("managed", {}).items()},
            dashboard_roles={u: tuple(r) for u, r in data.get("dashboard_roles", {}).items()},
            embedded=data.get("embedded", {}),
            tags={u: tuple(t) for u, t in data.get("tags", {}).items()},
            owners={u: tuple(o) for u, o in data.get("owners", {}).items()},
            inputs_hash=str(data.get("inputs_hash", "")),
            tool_version=str(data.get("tool_version", "")),
            objects=data.get("objects", {}),
        )


def record_name(project: str) -> str:
    return f"{RECORD_PREFIX}{project}"
