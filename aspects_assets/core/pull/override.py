"""Pulling an asset that asset layers make: the change goes into the layer that owns
it. The file that defines it is edited as any source (file_change.update_file)
unless something above it has the last word: an override file in a layer that
is not rendered is edited; an asset whose last word is in a rendered layer (Tutor's
env, which `tutor config save` rewrites) gets a new override file in the top
layer that is not rendered. A rendered layer is never written."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.error import YAMLError as RuamelError

from aspects_assets.core.export import ExportedAsset
from aspects_assets.core.pull.edits import edits
from aspects_assets.core.pull.file_change import (
    CREATED,
    NOT_PULLABLE,
    UNCHANGED,
    UPDATED,
    FileChange,
    Renderer,
    check_makes,
    live_edits,
)
from aspects_assets.core.pull.jinja import control_lines
from aspects_assets.core.pull.merge import merge_lines
from aspects_assets.core.pull.round_trip import (
    NotPullable,
    apply_edits,
    dump_text,
    load_text,
    writable,
)
from aspects_assets.model.assets import Asset
from aspects_assets.model.json_text import with_parsed_params
from aspects_assets.model.keypath import key_text
from aspects_assets.project.layers import OVERRIDE_KEY, Entry, Stacked
from aspects_assets.project.render import asset_from_mapping
from aspects_assets.project.settings import Layer, Settings


@dataclass(frozen=True)
class OverrideTarget:
    """Where a pulled change goes as an override: a layer, and the override file of
    the asset already there (None: a new file)."""

    layer: int
    existing: Entry | None


def override_target(stacked: Stacked, layers: Sequence[Layer]) -> OverrideTarget | str | None:
    """None when the defining file is edited as any source; an OverrideTarget; or,
    as a text, why the change has nowhere to go."""
    top = stacked.chain[-1]
    if not layers[top.layer].rendered:
        return None if top is stacked.definition else OverrideTarget(top.layer, top)
    writable_layers = [i for i, layer in enumerate(layers) if not layer.rendered]
    if not writable_layers or writable_layers[-1] < top.layer:
        return (f"{top.display} is in a rendered layer and no layer above it is a layer of "
                "templates to hold an override: add one (assets_dir) and pull again")
    return OverrideTarget(writable_layers[-1], None)


def _data(asset: Asset) -> dict[str, Any]:
    return {**asset.body, **asset.private}


_ABSENT = object()


def override_keys(lower: Mapping[str, Any], full: Mapping[str, Any], keep: Any,
                  path: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    """The keys an override must set for `lower` to become `full` (mappings key by
    key, other values whole), plus those of `keep` (the override file as it is: what
    an operator pinned stays pinned); and the key paths an override cannot express
    (a key added or removed)."""
    out: dict[str, Any] = {}
    problems = [f"{key_text((*path, k))} is gone" for k in lower if k not in full]
    for key, value in full.items():
        where = (*path, key)
        if key not in lower:
            problems.append(f"{key_text(where)} is new")
            continue
        kept = keep.get(key, _ABSENT) if isinstance(keep, Mapping) else _ABSENT
        if isinstance(value, Mapping) and isinstance(lower[key], Mapping) \
                and (kept is _ABSENT or isinstance(kept, Mapping)):
            inner, found = override_keys(lower[key], value, kept, where)
            problems += found
            if inner:
                out[key] = inner
        elif value != lower[key] or kept is not _ABSENT:
            out[key] = value
    return out, problems


def _override_path(stacked: Stacked, layers: Sequence[Layer], layer: int,
                   paths: Mapping[str, Path], taken: Collection[Path]) -> Path:
    """A new override file: where the defining file is in its own layer, in `layer`."""
    definition = stacked.definition
    source = paths[definition.display]
    relative = source.relative_to(layers[definition.layer].path)
    path = layers[layer].path / relative
    if path in taken or path.exists():
        path = path.with_name(f"{path.stem}_{str(stacked.data.get('uuid'))[:8]}{path.suffix}")
    return path


def update_override(live: ExportedAsset, local: Asset, stacked: Stacked, target: OverrideTarget,
                    settings: Settings, renderer: Renderer, database: Asset | None,
                    paths: Mapping[str, Path], taken: Collection[Path],
                    left_out: Collection[str] = ()) -> FileChange:
    """The override file of `target` written or edited so that the layers make the
    live state, or why not."""
    layers = settings.layers
    if target.existing is not None:
        display = target.existing.display
        path = paths[display]
    else:
        path = _override_path(stacked, layers, target.layer, paths, taken)
        display = settings.display(path)
    found = live_edits(live, local, database)
    if found is None:
        return FileChange(live.kind, live.uuid, live.title, path, display, UNCHANGED)
    old, new, changes, fields = found
    try:
        # the whole asset, as the layers make it, brought to the live state
        doc = writable(stacked.data)
        apply_edits(doc, old, with_parsed_params(live.body) if live.kind == "chart"
                    else live.body, changes)
        full = renderer.asset(live.kind, dump_text(doc), display)
        check_makes(full, new, database, left_out, "the override would not make what "
                    "Superset has")
        lower = _data(asset_from_mapping(live.kind, stacked.below(target.layer), display,
                                         settings))
        existing = target.existing.data if target.existing is not None else {}
        keys, impossible = override_keys(
            {k: v for k, v in lower.items() if k != "uuid"},
            {k: v for k, v in _data(full).items() if k != "uuid"},
            {k: v for k, v in existing.items() if k not in (OVERRIDE_KEY, "uuid")})
        if impossible:
            raise NotPullable(f"an override changes only keys the asset below has, and in "
                              f"Superset {', '.join(impossible[:5])}: edit the lower layer's "
                              "file, or copy the asset whole into the overlay to replace it")
        wanted = {OVERRIDE_KEY: True, "uuid": live.uuid, **keys}
        if target.existing is None:
            text = dump_text(writable(wanted))
            status = CREATED
        else:
            text = _edited_override(path.read_text(encoding="utf-8"), existing, wanted)
            status = UPDATED
        written = renderer.asset(live.kind, text, display)
        if _data(written) != _data(asset_from_mapping(live.kind, wanted, display, settings)):
            raise NotPullable("the override file would not render to the change")
    except NotPullable as exc:
        return FileChange(live.kind, live.uuid, live.title, path, display, NOT_PULLABLE,
                          reason=str(exc), fields=fields)
    return FileChange(live.kind, live.uuid, live.title, path, display, status, text,
                      fields=fields, asset=full)


def _edited_override(text: str, existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> str:
    """The override file's own text with the smallest edit (comments, order, Jinja
    kept), as a defining file is edited."""
    lines = control_lines(text)
    if lines:
        raise NotPullable(f"Jinja statements around keys (line "
                          f"{', '.join(map(str, lines[:5]))}): edit it by hand")
    try:
        doc = load_text(text)
    except RuamelError as exc:
        raise NotPullable(f"its Jinja makes it unreadable as YAML before rendering "
                          f"({str(exc).splitlines()[0]})") from None
    before = dump_text(doc)
    apply_edits(doc, existing, wanted, edits(dict(existing), dict(wanted)))
    return merge_lines(before, text, dump_text(doc))
