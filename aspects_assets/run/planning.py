"""Read → plan for `diff` and `import`: prepare the inputs, read a Snapshot of
Superset, render only when the plan needs the code, plan (pure, in `core`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aspects_assets.core.i18n.fallbacks import LocaleFallbacks
from aspects_assets.core.incremental import access_reads, plan_incremental, unchanged_plan
from aspects_assets.core.plan import in_scope, plan_full, plan_objects
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.model.plan import Plan, Scope
from aspects_assets.model.snapshot import Snapshot
from aspects_assets.project.inputs import inputs_hash
from aspects_assets.project.render import source_listing
from aspects_assets.project.settings import Settings
from aspects_assets.project.validated import note_validated, was_validated
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.superset.live import read_more_access, read_more_objects, read_snapshot


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
    # Per locale, the texts that show in the source language; None until rendered.
    fallbacks: tuple[LocaleFallbacks, ...] | None = None
    # Object kind → what the code declares (row-level security filters, ...).
    objects: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def assets(self) -> AssetSet:
        if not self._assets:
            result = checked_or_fail(self.settings, list(self.locales) or None)
            for problem in result.warnings:
                self.warn(problem)
            note_validated(self.settings.root, self.inputs)
            self._assets.append(result.assets)
            self.fallbacks = result.fallbacks
            self.objects = result.objects
        return self._assets[0]


def prepare(settings: Settings, locales: Collection[str], kinds: Collection[str], *,
            verify: bool, warn: Callable[[Problem], None]) -> Prepared:
    """Hash the inputs and validate them, unless they validated before on this
    machine: invalid input stops here, before any request to Superset."""
    scope = Scope.of(locales, kinds)
    prepared = Prepared(settings, locales, scope,
                        inputs_hash(settings, [*scope.key(), *sorted(locales)]), warn)
    # A source that cannot be read is missing from the hash as it is from the
    # listing, so the note alone could take such an input for one that validated.
    if (verify or not was_validated(settings.root, prepared.inputs)
            or source_listing(settings)[1]):
        prepared.assets()
    return prepared


@dataclass(frozen=True)
class Planned:
    """What applying needs: the snapshot the plan was made from, the code's assets
    in scope (empty when nothing was rendered), the plan, the inputs' hash."""

    snapshot: Snapshot
    local: AssetSet
    plan: Plan
    inputs_hash: str = ""
    # The code with every rendered copy, in scope or not (what objects are planned on).
    code: AssetSet = field(default_factory=lambda: AssetSet(()))
    # Object kind → what the code declares (applying plans them again on the
    # datasets as the import left them).
    specs: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


def plan_against_live(api: SupersetApi, settings: Settings, assets: AssetSet,
                      scope: Scope, inputs: str = "",
                      objects: Mapping[str, tuple[Any, ...]] | None = None) -> Planned:
    """Full comparison (`diff`, `import --verify`): every asset in scope is exported
    and compared field by field; the code's objects (`objects`) with Superset's."""
    local = in_scope(assets, scope)
    snapshot = read_snapshot(api, settings.project, compare=[a.uuid for a in local])
    snapshot = read_more_objects(api, snapshot, objects or {})
    plan = plan_full(snapshot, local, settings, scope)
    plan = replace(plan, objects=plan_objects(snapshot, objects or {}, assets, settings))
    return Planned(snapshot, local, plan, inputs, assets, objects or {})


def plan_import(api: SupersetApi, prepared: Prepared, *, verify: bool) -> Planned:
    """The plan `import` runs: incremental from the record, or with `verify` full."""
    settings, scope = prepared.settings, prepared.scope
    if verify:
        return plan_against_live(api, settings, prepared.assets(), scope, prepared.inputs,
                                 prepared.objects)
    snapshot = read_snapshot(api, settings.project)
    unchanged = unchanged_plan(snapshot, prepared.inputs, scope)
    if unchanged is not None:
        return Planned(snapshot, AssetSet(()), unchanged, prepared.inputs)
    code = prepared.assets()
    local = in_scope(code, scope)
    snapshot = read_more_access(api, snapshot, access_reads(snapshot, local, settings, scope))
    snapshot = read_more_objects(api, snapshot, prepared.objects)
    plan = plan_incremental(snapshot, local, settings, scope)
    plan = replace(plan, objects=plan_objects(snapshot, prepared.objects, code, settings))
    return Planned(snapshot, local, plan, prepared.inputs, code, prepared.objects)
