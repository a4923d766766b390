"""One file: the change pull makes to an asset's source, or why it cannot."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError as RuamelError

from aspects_assets.core.bundle import safe_name, superset_body
from aspects_assets.core.conditional import without_left_out
from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.normalize import normalize
from aspects_assets.core.pull.edits import Edit, edits
from aspects_assets.core.pull.jinja import control_lines
from aspects_assets.core.pull.merge import merge_lines
from aspects_assets.core.pull.round_trip import (
    NotPullable,
    apply_edits,
    dump_text,
    load_text,
    writable,
)
from aspects_assets.core.pull.source_form import chart_ids, live_source_form, source_form
from aspects_assets.model.assets import FOLDER_OF_KIND, Asset
from aspects_assets.model.json_text import with_parsed_params
from aspects_assets.project.render import (
    AssetEnvironment,
    asset_from_mapping,
    jinja_environment,
    parse_yaml,
    render_text,
)
from aspects_assets.project.settings import Settings

FILE_VERSION = "1.0.0"
CREATED, UPDATED, UNCHANGED, NOT_PULLABLE = "created", "updated", "unchanged", "not pullable"


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
    # The whole asset after the change, where the file alone does not say it (an
    # override file holds only the keys it changes).
    asset: Asset | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "uuid": self.uuid, "title": self.title,
                                "file": self.display, "status": self.status}
        if self.fields:
            data["fields"] = list(self.fields)
        if self.reason:
            data["reason"] = self.reason
        return data


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


def local_form(asset: Asset, database: Asset | None) -> tuple[dict[str, Any], dict[str, int]]:
    body = superset_body(asset)
    ids = chart_ids(body) if asset.kind == "dashboard" else {}
    db = superset_body(database) if database is not None else None
    return source_form(asset.kind, body, database=db, ids=ids), ids


def live_edits(live: ExportedAsset, local: Asset, database: Asset | None
               ) -> tuple[dict[str, Any], dict[str, Any], list[Edit], tuple[str, ...]] | None:
    """Pulling `live` into `local`'s source: the source form, the live form, the
    edits between them and the fields they touch; None when they are equal."""
    old, ids = local_form(local, database)
    new = live_source_form(live, ids)
    if old == new:
        return None
    changes = edits(old, new)
    return old, new, changes, tuple(sorted({c.where for c in changes}))


def check_makes(asset: Asset, new: Mapping[str, Any], database: Asset | None,
                left_out: Collection[str], failure: str) -> None:
    """Refuse an edited source whose asset, as the import would send it, is not the
    live state `new`."""
    got, _ = local_form(without_left_out(asset, left_out), database)
    if got != new:
        wrong = sorted({c.where for c in edits(got, new)})
        raise NotPullable(f"{failure} ({', '.join(wrong[:5])})")


def update_file(live: ExportedAsset, local: Asset, text: str, path: Path, display: str,
                renderer: Renderer, database: Asset | None,
                left_out: Collection[str] = ()) -> FileChange:
    """The existing source of `local` brought to the live state, or why not."""
    found = live_edits(live, local, database)
    if found is None:
        return FileChange(live.kind, live.uuid, live.title, path, display, UNCHANGED)
    old, new, changes, fields = found
    try:
        lines = control_lines(text)
        if lines:
            raise NotPullable(
                f"Jinja statements around keys (line {', '.join(map(str, lines[:5]))}): "
                "edit it by hand")
        try:
            doc = load_text(text)
        except RuamelError as exc:
            raise NotPullable(f"its Jinja makes it unreadable as YAML before rendering "
                              f"({str(exc).splitlines()[0]})") from None
        before = dump_text(doc)
        apply_edits(doc, old, with_parsed_params(live.body) if live.kind == "chart"
                    else live.body, changes)
        merged = merge_lines(before, text, dump_text(doc))
        check_makes(renderer.asset(live.kind, merged, display), new, database, left_out,
                    "the edited file would not render to what Superset has")
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


def new_file_text(live: ExportedAsset) -> str:
    """The source of an asset the code does not have yet."""
    ids: dict[str, int] = {}
    if live.kind == "dashboard":
        # Without chartIds the bundle numbers the layout's charts itself: the metadata
        # refers to them by those numbers.
        stripped = normalize("dashboard", {"position": live.body.get("position") or {}})
        ids = chart_ids(superset_body(Asset("dashboard", stripped, "")))
    body = _sorted({**live_source_form(live, ids), "version": FILE_VERSION})
    return dump_text(writable(body))


def new_file_path(live: ExportedAsset, settings: Settings, taken: set[Path],
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
