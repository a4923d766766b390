"""The whole pull: what pulling the exported assets does to the sources."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.i18n.extract import asset_texts
from aspects_assets.core.pull.file_change import (
    CREATED,
    NOT_PULLABLE,
    FileChange,
    Renderer,
    new_file_path,
    new_file_text,
    update_file,
)
from aspects_assets.core.pull.override import override_target, update_override
from aspects_assets.core.pull.round_trip import NotPullable
from aspects_assets.model.assets import KINDS, AssetSet
from aspects_assets.project.layers import Stacked
from aspects_assets.project.settings import Settings


@dataclass(frozen=True)
class PullPlan:
    files: tuple[FileChange, ...]
    new_strings: tuple[tuple[str, str], ...]  # (text, what it is)

    def of_status(self, status: str) -> list[FileChange]:
        return [f for f in self.files if f.status == status]


def plan_pull(settings: Settings, originals: AssetSet, live: Mapping[str, ExportedAsset],
              paths: Mapping[str, Path], stacked: Mapping[str, Stacked] | None = None,
              left_out: Collection[str] = ()) -> PullPlan:
    """What pulling `live` does to the sources. `originals` are the rendered sources
    as sent, `paths` their display name → file, `stacked` how the asset layers made
    each (uuid → Stacked; an asset that overrides or a rendered layer have the last
    word on is pulled into an override file), `left_out` the uuids an `_include_if`
    leaves out (an edited file is checked as the import would send it)."""
    renderer = Renderer(settings)
    local = originals.by_uuid()
    databases = {a.uuid: a for a in originals.of_kind("database")}
    database_names = {u: str(a.body.get("database_name") or "") for u, a in databases.items()}
    taken: set[Path] = set()
    changes: list[FileChange] = []
    order: dict[str, int] = {kind: i for i, kind in enumerate(KINDS)}
    for item in sorted(live.values(), key=lambda a: (order[a.kind], a.title, a.uuid)):
        asset = local.get(item.uuid)
        if asset is None:
            if settings.writable_layer is None:
                changes.append(FileChange(item.kind, item.uuid, item.title, settings.assets_dir,
                                          settings.display(settings.assets_dir), NOT_PULLABLE,
                                          reason="every asset layer is rendered: add a layer "
                                                 "of templates (assets_dir) for new assets"))
                continue
            path = new_file_path(item, settings, taken, database_names)
            taken.add(path)
            changes.append(FileChange(item.kind, item.uuid, item.title, path,
                                      settings.display(path), CREATED, new_file_text(item)))
            continue
        database = databases.get(str(asset.body.get("database_uuid"))) \
            if asset.kind == "dataset" else None
        layered = (stacked or {}).get(item.uuid)
        target = override_target(layered, settings.layers) if layered else None
        if isinstance(target, str):
            changes.append(FileChange(item.kind, item.uuid, item.title, paths[asset.source],
                                      asset.source, NOT_PULLABLE, reason=target))
            continue
        if layered is not None and target is not None:
            change = update_override(item, asset, layered, target, settings, renderer,
                                     database, paths, taken, left_out)
            taken.add(change.path)
            changes.append(change)
            continue
        path = paths[asset.source]
        changes.append(update_file(item, asset, path.read_text(encoding="utf-8"), path,
                                   asset.source, renderer, database, left_out))
    return PullPlan(tuple(changes), _new_strings(originals, changes, renderer))


def _new_strings(originals: AssetSet, changes: Iterable[FileChange], renderer: Renderer
                 ) -> tuple[tuple[str, str], ...]:
    written = {c.uuid: c for c in changes if c.text is not None}
    if not written:
        return ()
    after = [a for a in originals if a.uuid not in written]
    for change in written.values():
        if change.asset is not None:
            after.append(change.asset)
            continue
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
