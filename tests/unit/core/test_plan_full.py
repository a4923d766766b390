"""The full plan (`diff`, `import --verify`), from a snapshot with the exports,
recorded from the real Superset right after an import of tests/data/base."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aspects_assets.core.incremental import as_sent, fingerprints
from aspects_assets.core.plan import plan_full
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.plan import Action, FieldChange, Scope
from aspects_assets.model.snapshot import Snapshot
from aspects_assets.project.settings import Settings, load_settings
from aspects_assets.run.pipeline import checked_or_fail
from unit.snapshots import load

from conftest import BASE_PROJECT

CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(cwd=BASE_PROJECT, env={})


@pytest.fixture(scope="module")
def code(settings: Settings) -> AssetSet:
    return checked_or_fail(settings).assets


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load("base-full", "test-base")


def test_what_was_just_imported_has_no_difference(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    plan = plan_full(snapshot, code, settings, Scope())
    assert not plan.has_differences, plan
    assert {c.action for c in plan.assets} == {Action.UNCHANGED}
    assert len(plan.assets) == 4


def test_a_changed_field_is_named_with_both_values(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    edited = AssetSet.of(a.with_body({**a.body, "description": "Per day."})
                         if a.uuid == CHART else a for a in code)
    plan = plan_full(snapshot, edited, settings, Scope())
    assert [(c.uuid, c.action, c.changes) for c in plan.to_send] == [
        (CHART, Action.UPDATE, (FieldChange("description", "Enrollments per day.",
                                            "Per day."),))]


def test_an_edit_in_superset_is_found_field_by_field(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    assert snapshot.bodies is not None
    kind, body = snapshot.bodies[DASHBOARD]
    edited = replace(snapshot, bodies={**snapshot.bodies, DASHBOARD: (
        kind, {**body, "dashboard_title": "Renamed by hand"})})
    plan = plan_full(edited, code, settings, Scope())
    assert [(c.uuid, c.changes) for c in plan.to_send] == [
        (DASHBOARD, (FieldChange("dashboard_title", "Renamed by hand", "Course overview"),))]


def test_a_managed_asset_the_code_lost_is_a_delete_and_a_missing_one_a_create(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    assert snapshot.bodies is not None
    without_chart = AssetSet.of(a for a in code if a.uuid != CHART)
    plan = plan_full(snapshot, without_chart, settings, Scope())
    assert [(c.uuid, c.action) for c in plan.to_delete] == [(CHART, Action.DELETE)]
    gone = replace(snapshot, bodies={u: b for u, b in snapshot.bodies.items() if u != CHART})
    assert [(c.uuid, c.action) for c in plan_full(gone, code, settings, Scope()).to_send] == [
        (CHART, Action.CREATE)]


def test_embedding_read_with_other_domains_is_planned(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    other = replace(snapshot, access={**snapshot.access, "embedding": {DASHBOARD: {
        "uuid": DASHBOARD, "allowed_domains": []}}})
    assert [(a.what, a.old, a.new) for a in plan_full(other, code, settings, Scope()).access
            ] == [("embedding", (), ("http://lms.example.com",))]


def test_a_snapshot_without_exports_cannot_make_a_full_plan(
        code: AssetSet, settings: Settings) -> None:
    with pytest.raises(ValueError, match="exports"):
        plan_full(load("base", "test-base"), code, settings, Scope())


def test_the_record_vouches_for_what_it_sent_and_superset_did_not_move(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    sent = fingerprints(code, settings)
    assert as_sent(snapshot, sent) == {a.uuid for a in code}
    # changed in the code since: its export is needed, to show how
    changed = {**sent, CHART: "another fingerprint"}
    assert CHART not in as_sent(snapshot, changed)
    # moved in Superset since the import
    rows = {**snapshot.rows, DASHBOARD: replace(snapshot.rows[DASHBOARD], changed_on="later")}
    assert DASHBOARD not in as_sent(replace(snapshot, rows=rows), sent)
    # sent by a run that stopped before it knew the changed_on, or adopted (not sent)
    assert snapshot.record is not None
    for managed in (replace(snapshot.record.managed[CHART], changed_on=""),
                    replace(snapshot.record.managed[CHART], fingerprint="")):
        record = replace(snapshot.record, managed={**snapshot.record.managed, CHART: managed})
        assert CHART not in as_sent(replace(snapshot, record=record), sent)


def test_what_the_record_vouches_for_is_unchanged_without_its_export(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    assert snapshot.bodies is not None
    exported = {u: b for u, b in snapshot.bodies.items() if u != CHART}
    plan = plan_full(replace(snapshot, bodies=exported), code, settings, Scope(), {CHART})
    assert plan.vouched == (CHART,)
    assert not plan.has_differences
    assert {c.uuid: c.action for c in plan.assets}[CHART] == Action.UNCHANGED
