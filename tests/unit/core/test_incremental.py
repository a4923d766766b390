"""The incremental plan, from a snapshot recorded from the real Superset right after
an import of tests/data/base (tests/data/snapshots/base.json), without a server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aspects_assets.core.incremental import access_reads, plan_incremental, unchanged_plan
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.plan import Action, Plan, Scope
from aspects_assets.model.snapshot import Snapshot
from aspects_assets.project.settings import Settings, load_settings
from aspects_assets.run.pipeline import checked_or_fail
from unit.snapshots import load

from conftest import BASE_PROJECT

DATABASE = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001"
DATASET = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002"
CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"
ALL = {DATABASE, DATASET, CHART, DASHBOARD}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(cwd=BASE_PROJECT, env={})


@pytest.fixture(scope="module")
def code(settings: Settings) -> AssetSet:
    return checked_or_fail(settings).assets


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load("base", "test-base")


def actions(plan: Plan) -> dict[str, tuple[Action, str]]:
    return {c.uuid: (c.action, c.reason) for c in plan.assets}


def changed(code: AssetSet, uuid: str, **fields: object) -> AssetSet:
    return AssetSet.of(a.with_body({**a.body, **fields}) if a.uuid == uuid else a for a in code)


def test_nothing_changed_is_decided_without_rendering(snapshot: Snapshot) -> None:
    assert snapshot.record is not None
    plan = unchanged_plan(snapshot, snapshot.record.inputs_hash, Scope())
    assert plan is not None and not plan.rendered and not plan.has_differences
    assert actions(plan) == {u: (Action.UNCHANGED, "") for u in ALL}


def test_an_input_that_changed_needs_rendering_and_equal_output_sends_nothing(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    """A comment edited, say: the inputs hash moved, what the code renders did not."""
    assert unchanged_plan(snapshot, "another inputs hash", Scope()) is None
    plan = plan_incremental(snapshot, code, settings, Scope())
    assert plan.rendered and not plan.has_differences
    assert actions(plan) == {u: (Action.UNCHANGED, "") for u in ALL}


def test_one_asset_changed_in_the_code_is_the_one_sent(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    plan = plan_incremental(snapshot, changed(code, CHART, slice_name="Enrollments per day"),
                            settings, Scope())
    assert [(c.uuid, c.action, c.reason, c.title) for c in plan.to_send] == [
        (CHART, Action.UPDATE, "changed in the code", "Enrollments per day")]
    assert not plan.to_delete and not plan.access


def test_one_asset_edited_in_superset_is_sent_back(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    """Its changed_on moved since the import: rendering is needed even though no input
    changed, and the asset is sent again."""
    assert snapshot.record is not None
    row = snapshot.rows[DASHBOARD]
    edited = replace(snapshot, rows={**snapshot.rows, DASHBOARD: replace(
        row, changed_on="2099-01-01T00:00:00.000000+0000")})
    assert unchanged_plan(edited, snapshot.record.inputs_hash, Scope()) is None
    plan = plan_incremental(edited, code, settings, Scope())
    assert [(c.uuid, c.reason) for c in plan.to_send] == [
        (DASHBOARD, "edited in Superset since the last import")]


def test_one_asset_removed_from_the_code_is_a_delete(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    without = AssetSet.of(a for a in code if a.uuid != CHART)
    plan = plan_incremental(snapshot, without, settings, Scope())
    assert [(c.kind, c.uuid, c.title, c.action) for c in plan.to_delete] == [
        ("chart", CHART, "Enrollments over time", Action.DELETE)]
    assert not plan.to_send
    # Outside the scope it is not considered: --kind dashboard prunes no chart.
    assert not plan_incremental(snapshot, without, settings,
                                Scope(kinds={"dashboard"})).to_delete


def test_an_asset_missing_in_superset_is_created(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    gone = replace(snapshot, rows={u: r for u, r in snapshot.rows.items() if u != CHART})
    plan = plan_incremental(gone, code, settings, Scope())
    assert [(c.uuid, c.action, c.reason) for c in plan.to_send] == [
        (CHART, Action.CREATE, "not in Superset")]


def test_roles_changed_in_superset_are_found_without_an_export(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    """Roles do not move changed_on; the dashboard list rows carry them."""
    assert snapshot.record is not None
    stripped = replace(snapshot.rows[DASHBOARD], roles=())
    moved = replace(snapshot, rows={**snapshot.rows, DASHBOARD: stripped},
                    access={**snapshot.access, "roles": {DASHBOARD: ()}})
    assert unchanged_plan(moved, snapshot.record.inputs_hash, Scope()) is None
    plan = plan_incremental(moved, code, settings, Scope())
    assert not plan.to_send
    assert [(a.what, a.uuid, a.old, a.new) for a in plan.access] == [
        ("roles", DASHBOARD, (), ("Instructor",))]


def test_an_embedding_the_record_does_not_know_is_read_before_planning(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    unknown = replace(snapshot, access={**snapshot.access, "embedding": {}})
    assert access_reads(unknown, code, settings, Scope()) == {"embedding": [DASHBOARD]}
    assert access_reads(snapshot, code, settings, Scope()) == {}
    # Read and found as the code wants it: nothing to set.
    read = unknown.with_access("embedding", snapshot.access["embedding"])
    assert not plan_incremental(read, code, settings, Scope()).access
    # Read and found with other domains: set again, with the uuid the LMS asks for.
    other = unknown.with_access("embedding", {DASHBOARD: {
        "uuid": "11111111-2222-3333-4444-555555555555", "allowed_domains": ["https://x"]}})
    assert [(a.what, a.old, a.new, a.old_uuid, a.new_uuid)
            for a in plan_incremental(other, code, settings, Scope()).access] == [
        ("embedding", ("https://x",), ("http://lms.example.com",),
         "11111111-2222-3333-4444-555555555555", DASHBOARD)]


def test_a_new_asset_of_another_kind_is_sent_alone(
        snapshot: Snapshot, code: AssetSet, settings: Settings) -> None:
    chart = next(a for a in code if a.uuid == CHART)
    extra = chart.with_body({**chart.body, "uuid": "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009",
                             "slice_name": "Extra"})
    plan = plan_incremental(snapshot, AssetSet.of([*code, extra]), settings, Scope())
    assert [(c.title, c.action) for c in plan.to_send] == [("Extra", Action.CREATE)]
