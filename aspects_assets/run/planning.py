"""Read → plan for `diff` and `import`: prepare the inputs, read a Snapshot of
Superset, render only when the plan needs the code, plan (pure, in `core`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aspects_assets.core.i18n.fallbacks import LocaleFallbacks
from aspects_assets.core.incremental import (
    access_reads,
    as_sent,
    fingerprints,
    moved,
    plan_incremental,
    settle,
    unchanged_plan,
)
from aspects_assets.core.kinds import API_KINDS
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
from aspects_assets.superset.live import (
    export_bodies,
    read_more_access,
    read_more_objects,
    read_snapshot,
)


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
    # uuid → fingerprint of the copies the render cache had or kept.
    known_fingerprints: Mapping[str, str] = field(default_factory=dict)

    def assets(self) -> AssetSet:
        if not self._assets:
            result = checked_or_fail(self.settings, list(self.locales) or None, cache=True)
            for problem in result.warnings:
                self.warn(problem)
            note_validated(self.settings.root, self.inputs)
            self._assets.append(result.assets)
            self.fallbacks = result.fallbacks
            self.objects = result.objects
            self.known_fingerprints = result.fingerprints
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
    # uuid → fingerprint of what the bundle sends, for `local` (incremental only).
    sent_forms: Mapping[str, str] = field(default_factory=dict)


def usable_only(api: SupersetApi, plan: Plan, settings: Settings,
                warn: Callable[[Problem], None]) -> Plan:
    """The plan as this Superset can take it: each API kind with changes is asked
    once whether it can (an error stops the run here, before anything is sent); the
    changes of a kind it cannot have at all are left out, with one warning."""
    left_out = set()
    for kind in API_KINDS.values():
        changes = [c for c in plan.access if c.what == kind.name]
        reason = kind.usable(api, changes, settings) if changes else None
        if reason:
            warn(Problem("warning", settings.superset.url or "Superset", "", reason))
            left_out.add(kind.name)
    if not left_out:
        return plan
    return replace(plan, access=tuple(c for c in plan.access if c.what not in left_out))


def plan_against_live(api: SupersetApi, settings: Settings, assets: AssetSet,
                      scope: Scope, inputs: str = "",
                      objects: Mapping[str, tuple[Any, ...]] | None = None,
                      warn: Callable[[Problem], None] = lambda p: None, *,
                      full: bool = True, known: Mapping[str, str] | None = None) -> Planned:
    """Field by field (`diff`, `import --verify`): every asset in scope is exported
    and compared, or without `full` only those the record does not vouch for
    (`core.incremental.as_sent`); each API kind's state is read for every asset in
    scope either way, and the code's objects (`objects`) compared with Superset's.
    `known`: fingerprints the render cache had."""
    local = in_scope(assets, scope)
    vouched: set[str] = set()

    def exported(snapshot: Snapshot) -> list[str]:
        vouched.update(() if full else as_sent(snapshot, fingerprints(local, settings, known)))
        return [a.uuid for a in local if a.uuid not in vouched]

    snapshot = read_snapshot(api, settings.project, compare=[a.uuid for a in local],
                             owners=settings.owners, exported=exported)
    snapshot = read_more_objects(api, snapshot, objects or {})
    plan = usable_only(api, plan_full(snapshot, local, settings, scope, vouched), settings,
                       warn)
    plan = replace(plan, objects=plan_objects(snapshot, objects or {}, assets, settings))
    return Planned(snapshot, local, plan, inputs, assets, objects or {})


def settle_moved(api: SupersetApi, snapshot: Snapshot, uuids: list[str]
                 ) -> tuple[Snapshot, tuple[str, ...]]:
    """Export the assets that moved in Superset (in parallel) and settle those whose
    content is still what was sent (`core.incremental.settle`)."""
    if not uuids:
        return snapshot, ()
    snapshot, same = settle(snapshot, uuids, export_bodies(api, snapshot.rows, uuids))
    return snapshot, tuple(same)


def plan_import(api: SupersetApi, prepared: Prepared, *, verify: bool) -> Planned:
    """The plan `import` runs: incremental from the record, or with `verify` full."""
    settings, scope = prepared.settings, prepared.scope
    if verify:
        return plan_against_live(api, settings, prepared.assets(), scope, prepared.inputs,
                                 prepared.objects, prepared.warn,
                                 known=prepared.known_fingerprints)
    snapshot = read_snapshot(api, settings.project, owners=settings.owners)
    record = snapshot.record
    settled: tuple[str, ...] = ()
    if record is not None and record.inputs_hash == prepared.inputs:
        # Nothing changed in the code: what moved is exported before anything is
        # rendered, and when all of it is as sent, nothing is.
        snapshot, settled = settle_moved(api, snapshot, moved(snapshot, scope))
        unchanged = unchanged_plan(snapshot, prepared.inputs, scope, settled)
        if unchanged is not None:
            return Planned(snapshot, AssetSet(()), unchanged, prepared.inputs)
    code = prepared.assets()
    local = in_scope(code, scope)
    sent_forms = fingerprints(local, settings, prepared.known_fingerprints)
    if record is None or record.inputs_hash != prepared.inputs:
        # Only what moved and is sent as before needs its export compared: what the
        # code changed is sent anyway.
        same = [u for u in moved(snapshot, scope)
                if sent_forms.get(u) == snapshot.managed[u].fingerprint]
        snapshot, settled = settle_moved(api, snapshot, same)
    snapshot = read_more_access(api, snapshot, access_reads(snapshot, local, settings, scope))
    snapshot = read_more_objects(api, snapshot, prepared.objects)
    plan = usable_only(api, plan_incremental(snapshot, local, settings, scope, settled,
                                             sent_forms), settings, prepared.warn)
    plan = replace(plan, objects=plan_objects(snapshot, prepared.objects, code, settings))
    return Planned(snapshot, local, plan, prepared.inputs, code, prepared.objects, sent_forms)
