"""The `import` run, step by step, for the CLI to wire: prepare (validate unless
these inputs validated before), plan (incremental or verified), then write what
the run leaves on disk (backup, manifest)."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aspects_assets.core.manifest import build_manifest
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.project.files import replace_with
from aspects_assets.project.inputs import inputs_hash
from aspects_assets.project.render import source_listing
from aspects_assets.project.settings import Settings
from aspects_assets.project.validated import note_validated, was_validated
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.run.sync import LivePlan, Scope, plan_against_live, plan_incremental
from aspects_assets.superset.client import SupersetClient


@dataclass
class Prepared:
    """The run's inputs: their hash, and the checked asset set, rendered once, on
    first need."""

    settings: Settings
    locales: Collection[str]
    scope: Scope
    inputs: str
    warn: Callable[[Problem], None]
    _assets: list[AssetSet] = field(default_factory=list)

    def assets(self) -> AssetSet:
        if not self._assets:
            result = checked_or_fail(self.settings, list(self.locales) or None)
            for problem in result.warnings:
                self.warn(problem)
            note_validated(self.settings.root, self.inputs)
            self._assets.append(result.assets)
        return self._assets[0]


def prepare(settings: Settings, locales: Collection[str], kinds: Collection[str], *,
            verify: bool, warn: Callable[[Problem], None]) -> Prepared:
    """Hash the inputs and validate them, unless they validated before on this
    machine: invalid input stops here, before any request to Superset."""
    scope = Scope(locales=set(locales) or None, kinds=set(kinds) or None)
    prepared = Prepared(settings, locales, scope,
                        inputs_hash(settings, [*scope.key(), *sorted(locales)]), warn)
    # A source that cannot be read is missing from the hash as it is from the
    # listing, so the note alone could take such an input for one that validated.
    if (verify or not was_validated(settings.root, prepared.inputs)
            or source_listing(settings)[1]):
        prepared.assets()
    return prepared


def plan_import(client: SupersetClient, prepared: Prepared, *, verify: bool) -> LivePlan:
    settings = prepared.settings
    if verify:
        live = plan_against_live(client, settings, prepared.assets(), prepared.scope)
        return replace(live, inputs_hash=prepared.inputs)
    return plan_incremental(client, settings, prepared.scope, prepared.inputs,
                            prepared.assets)


def save_backup(settings: Settings, backup: bytes, folder: Path) -> Path:
    target = settings.root / folder
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"prune-{settings.project}-{time.strftime('%Y%m%dT%H%M%S')}.zip"
    path.write_bytes(backup)
    return path


def write_manifest(prepared: Prepared, live: LivePlan, embedded: dict[str, dict[str, Any]],
                   path: Path, *, aligned: bool) -> dict[str, Any]:
    """Write the embedding manifest; a run that rendered nothing keeps the one the
    last import wrote (nothing it depends on changed)."""
    file = prepared.settings.root / path
    if not live.rendered and file.exists():
        manifest: dict[str, Any] = json.loads(file.read_text())
        return manifest
    manifest = build_manifest(prepared.assets(), embedded, prepared.settings, aligned=aligned)
    content = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    replace_with(file, functools.partial(Path.write_bytes, data=content), folder=False,
                 key="--manifest")
    return manifest
