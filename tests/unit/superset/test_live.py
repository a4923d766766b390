"""Reading a Snapshot: what is asked of Superset for each form of plan."""

from __future__ import annotations

from pathlib import Path

from aspects_assets.model.record import ProjectRecord
from aspects_assets.project.settings import load_settings
from aspects_assets.run.apply import apply_plan
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.run.planning import plan_import, prepare
from aspects_assets.superset.live import read_snapshot, write_record
from unit.fake_superset import FakeSuperset

from conftest import BASE_PROJECT

DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"


def filled(project: Path) -> FakeSuperset:
    fake = FakeSuperset()
    settings = load_settings(cwd=project, env={})
    planned = plan_import(fake, prepare(settings, (), (), verify=True, warn=lambda p: None),
                          verify=False)
    apply_plan(fake, planned, settings, {}, prune_leftovers=False, progress=lambda w, n: None)
    fake.calls.clear()
    return fake


def test_the_full_form_exports_what_it_compares_and_reads_each_embedding(
        base_project: Path) -> None:
    fake = filled(base_project)
    snapshot = read_snapshot(fake, "test-base", compare=[DASHBOARD])
    assert snapshot.bodies is not None and set(snapshot.bodies) == {DASHBOARD}
    # One of four assets: exported by id; its embedding asked for; the server's info once
    # (asked while the rows are listed).
    assert [c for c in fake.calls if c[0] in ("export", "get")] == [
        ("export", "dashboard"), ("get", "embedded")]
    assert fake.calls.count(("info", "")) == 1
    assert snapshot.access["roles"] == {DASHBOARD: ("Instructor",)}
    assert snapshot.access["embedding"][DASHBOARD]["uuid"] == DASHBOARD

    fake.calls.clear()
    every = [a.uuid for a in checked_or_fail(load_settings(cwd=BASE_PROJECT, env={})).assets]
    read_snapshot(fake, "test-base", compare=every)
    assert ("export", "all") in fake.calls  # most of Superset: one export of everything


def test_the_incremental_form_trusts_the_record_for_embedding(base_project: Path) -> None:
    fake = filled(base_project)
    snapshot = read_snapshot(fake, "test-base")
    assert snapshot.bodies is None
    assert not [c for c in fake.calls if c[0] in ("export", "get")]
    assert snapshot.access["embedding"] == {DASHBOARD: {
        "uuid": DASHBOARD, "allowed_domains": ["http://lms.example.com"]}}
    # A record that does not know the embedding (and inputs it has not seen): the
    # plan renders and asks for that embedding, once.
    assert snapshot.record is not None and snapshot.record_id is not None
    write_record(fake, ProjectRecord(project="test-base", managed=snapshot.record.managed,
                                     dashboard_roles=snapshot.record.dashboard_roles),
                 snapshot.record_id)
    fake.calls.clear()
    settings = load_settings(cwd=base_project, env={})
    planned = plan_import(fake, prepare(settings, (), (), verify=False, warn=lambda p: None),
                          verify=False)
    assert fake.calls.count(("get", "embedded")) == 1
    assert not planned.plan.has_differences
