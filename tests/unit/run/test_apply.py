"""Read → plan → apply against a Superset in memory (tests/unit/fake_superset.py):
what is sent, set, deleted and recorded, and what is read to do it."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from aspects_assets.core.chunking import CHUNK_BUDGET_MS
from aspects_assets.core.kinds import BUNDLE_KINDS
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import SupersetError
from aspects_assets.model.plan import Action, AssetChange, Plan
from aspects_assets.project.settings import Settings, load_settings
from aspects_assets.run.apply import ApplyResult, apply_plan
from aspects_assets.run.planning import Planned, plan_import, prepare
from aspects_assets.superset.live import read_record, read_snapshot
from unit.fake_superset import FakeSuperset

CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"
BASE_UUIDS = {"0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001", "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002",
              CHART, DASHBOARD}


def settings_of(project: Path) -> Settings:
    return load_settings(cwd=project, env={})


def planned(fake: FakeSuperset, project: Path, *, verify: bool = False) -> Planned:
    prepared = prepare(settings_of(project), (), (), verify=verify, warn=lambda p: None)
    return plan_import(fake, prepared, verify=verify)


def apply(fake: FakeSuperset, project: Path, plan: Planned, *, prune: bool = False
          ) -> ApplyResult:
    return apply_plan(fake, plan, settings_of(project), {}, prune_leftovers=prune,
                      progress=lambda what, n: None)


def imported(fake: FakeSuperset, project: Path) -> ApplyResult:
    return apply(fake, project, planned(fake, project))


def test_a_first_import_sends_everything_sets_roles_and_embedding_and_records_it(
        base_project: Path) -> None:
    fake = FakeSuperset()
    plan = planned(fake, base_project)
    assert {(c.uuid, c.action) for c in plan.plan.assets} == {
        (u, Action.CREATE) for u in BASE_UUIDS}
    fake.calls.clear()
    result = apply(fake, base_project, plan)

    assert len(fake.imports) == 1 and fake.imports[0].sparse
    sent = {str(body["uuid"]) for path, body in fake.imports[0].files.items()
            if path != "metadata.yaml"}
    assert sent == BASE_UUIDS
    dashboard = fake.assets[DASHBOARD]
    assert [n for n, i in fake.role_ids.items() if i in fake.dashboard_roles[dashboard["id"]]
            ] == ["Instructor"]
    # The extension is there (the fake says so): the embedded uuid is the dashboard's.
    assert fake.embeddings[dashboard["id"]]["uuid"] == DASHBOARD
    assert fake.embeddings[dashboard["id"]]["allowed_domains"] == ["http://lms.example.com"]
    assert result.report.as_dict()["roles_set"] == 1
    assert result.report.as_dict()["roles_created"] == ["Instructor"]
    assert result.report.as_dict()["embedding_set"] == 1
    assert result.access["embedding"][DASHBOARD]["uuid"] == DASHBOARD

    record, _ = read_record(fake, "test-base")
    assert record is not None and set(record.managed) == BASE_UUIDS
    # changed_on as the run left it: setting the roles moved the dashboard's.
    assert record.managed[DASHBOARD].changed_on == dashboard["changed_on"]
    assert all(record.managed[u].fingerprint for u in BASE_UUIDS)
    assert record.dashboard_roles == {DASHBOARD: ("Instructor",)}
    # Read to apply: the ids of what was just created (one list), then changed_on as
    # the run left it (one list); nothing exported.
    assert fake.lists("dashboard") == 2 and fake.lists("chart") == 2
    assert not [c for c in fake.calls if c[0] == "export"]


def test_an_import_with_nothing_changed_renders_nothing_and_sends_nothing(
        base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.calls.clear()
    plan = planned(fake, base_project)
    assert not plan.plan.rendered and not plan.plan.has_differences
    assert len(plan.local) == 0  # nothing rendered
    assert {(c.uuid, c.action) for c in plan.plan.assets} == {
        (u, Action.UNCHANGED) for u in BASE_UUIDS}
    # The read: the record, one list per kind, the server's info; no export, no
    # embedding asked for (the record has it), no roles or row-level security
    # filters (the project has none).
    assert sorted(fake.calls) == sorted([("list", "css_template"), ("list", "database"),
                                         ("list", "dataset"), ("list", "chart"),
                                         ("list", "dashboard"), ("info", "")])
    fake.calls.clear()
    result = apply(fake, base_project, plan)
    assert fake.calls == [], "nothing read or written: the record is already right"
    assert result.report.requests == 0
    assert result.access["embedding"][DASHBOARD]["uuid"] == DASHBOARD


def test_an_asset_edited_in_superset_is_sent_again_and_the_next_run_is_quiet(
        base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.edit(CHART, slice_name="Edited by hand")
    plan = planned(fake, base_project)
    assert [(c.uuid, c.reason) for c in plan.plan.to_send] == [
        (CHART, "edited in Superset since the last import")]
    result = apply(fake, base_project, plan)
    assert result.report.sent["chart"] == [CHART] and result.report.requests == 1
    assert fake.assets[CHART]["body"]["slice_name"] == "Enrollments over time"
    assert not planned(fake, base_project).plan.has_differences


def test_after_sending_only_the_kinds_written_are_listed_again(base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.edit(CHART, slice_name="Edited by hand")
    plan = planned(fake, base_project)
    fake.calls.clear()
    apply(fake, base_project, plan)
    # changed_on of the chart sent, for the record: the other kinds did not move
    assert [what for verb, what in fake.calls if verb == "list"] == ["chart"]
    assert not planned(fake, base_project).plan.has_differences


def test_the_rows_carry_owners_only_where_the_project_sets_them(base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    asked = {columns for endpoint, columns in fake.listed_columns if endpoint == "dataset"}
    assert asked and not any("owners.id" in columns for columns in asked)


def test_prune_deletes_what_the_code_no_longer_has_after_a_backup(base_project: Path) -> None:
    extra = base_project / "assets" / "charts" / "extra.yaml"
    source = (base_project / "assets" / "charts" / "enrollments.yaml").read_text()
    extra.write_text(source.replace(CHART, "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009")
                     .replace("slice_name: Enrollments over time", "slice_name: Extra"))
    fake = FakeSuperset()
    imported(fake, base_project)
    assert "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009" in fake.assets
    extra.unlink()

    plan = planned(fake, base_project)
    assert [(c.kind, c.title, c.action) for c in plan.plan.to_delete] == [
        ("chart", "Extra", Action.DELETE)]
    kept = apply(fake, base_project, plan)  # without --prune: kept, and still managed
    assert kept.report.deleted["chart"] == 0 and kept.backup is None
    assert "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009" in fake.assets

    result = apply(fake, base_project, planned(fake, base_project), prune=True)
    assert result.report.deleted["chart"] == 1
    assert "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009" not in fake.assets
    assert result.backup is not None
    with zipfile.ZipFile(io.BytesIO(result.backup)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("backup/charts/")]
        assert len(charts) == 1
        assert yaml.safe_load(archive.read(charts[0]))["uuid"] == (
            "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009")
    record, _ = read_record(fake, "test-base")
    assert record is not None and set(record.managed) == BASE_UUIDS
    assert not planned(fake, base_project).plan.has_differences


def test_a_verified_import_finds_roles_changed_in_superset(base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.dashboard_roles[fake.assets[DASHBOARD]["id"]] = []
    plan = planned(fake, base_project, verify=True)
    assert [(a.what, a.old, a.new) for a in plan.plan.access] == [
        ("roles", (), ("Instructor",))]
    assert not plan.plan.to_send  # the exports equal the code
    apply(fake, base_project, plan)
    assert fake.dashboard_roles[fake.assets[DASHBOARD]["id"]] == [fake.role_ids["Instructor"]]


def _charts(dataset_uuid: str, count: int) -> list[Asset]:
    return [Asset("chart", {"slice_name": f"Chart {n}", "viz_type": "table", "params": {},
                            "dataset_uuid": dataset_uuid,
                            "uuid": f"00000000-0000-4000-8000-{n:012d}", "version": "1.0.0"},
                  f"chart {n}") for n in range(count)]


def _plan_of(fake: FakeSuperset, assets: list[Asset], context: AssetSet) -> Planned:
    local = AssetSet.of([*context, *assets])
    changes = tuple(AssetChange(a.kind, a.uuid, a.title, None, Action.CREATE) for a in assets)
    return Planned(read_snapshot(fake, "test-base"), local, Plan(changes))


def test_every_chunk_is_built_before_the_first_request(base_project: Path) -> None:
    """An asset that cannot be serialized, in the last chunk: nothing is sent."""
    fake = FakeSuperset()
    imported(fake, base_project)
    code = planned(fake, base_project, verify=True).local
    dataset = code.of_kind("dataset")[0].uuid
    per_chunk = CHUNK_BUDGET_MS // BUNDLE_KINDS["chart"].cost_ms
    charts = _charts(dataset, 2 * per_chunk + 1)  # three chunks, the last one of one chart
    before = len(fake.imports)

    result = apply(fake, base_project, _plan_of(fake, charts, code))
    assert len(fake.imports) - before == 3, "the charts take three requests"

    bad = charts[-1].with_body({**charts[-1].body, "params": {"since": datetime.date(2024, 1, 1)}})
    fake = FakeSuperset()
    imported(fake, base_project)
    before = len(fake.imports)
    with pytest.raises(TypeError):
        apply(fake, base_project, _plan_of(fake, [*charts[:-1], bad], code))
    assert len(fake.imports) == before, "nothing is sent unless everything can be"
    assert result.report.requests == 3


@dataclass
class _Rejecting(FakeSuperset):
    """Superset refuses the import request that would be number `reject` + 1."""

    reject: int | None = None

    def import_bundle(self, bundle: bytes, *, passwords: Mapping[str, str] | None = None,
                      sparse: bool = False) -> None:
        if len(self.imports) == self.reject:
            self.calls.append(("import", "rejected"))
            raise SupersetError("Superset answered 500 to POST /api/v1/assets/import/: "
                                "Import failed for an unknown reason", status=500)
        super().import_bundle(bundle, passwords=passwords, sparse=sparse)


def test_a_rejected_chunk_names_what_is_in_and_sends_nothing_after(base_project: Path) -> None:
    fake = _Rejecting()
    imported(fake, base_project)
    code = planned(fake, base_project, verify=True).local
    per_chunk = CHUNK_BUDGET_MS // BUNDLE_KINDS["chart"].cost_ms
    charts = _charts(code.of_kind("dataset")[0].uuid, 2 * per_chunk + 1)
    plan = _plan_of(fake, charts, code)
    fake.reject = len(fake.imports) + 1  # the second chunk
    fake.calls.clear()
    with pytest.raises(SupersetError) as failure:
        apply(fake, base_project, plan)
    text = str(failure.value)
    assert text.startswith("Superset answered 500 to POST /api/v1/assets/import/: Import "
                           "failed for an unknown reason\nThe import stopped at chunk 2 of 3 "
                           f"({per_chunk} assets: chart 'Chart {per_chunk}' ["), text
    assert (f"Superset rejected it. Applied before it: {per_chunk} charts. Not sent: 1 chart. "
            "Nothing after that chunk was sent") in text
    assert fake.calls == [("import", ""), ("put", "css_template"), ("import", "rejected")], \
        "the record after the accepted chunk, nothing after the failed one"
    record, _ = read_record(fake, "test-base")
    assert record is not None
    first = {c.uuid for c in charts[:per_chunk]}
    assert first <= set(record.managed)
    assert not {c.uuid for c in charts[per_chunk:]} & set(record.managed)
    # Sent, changed_on not yet known: the next run compares their export.
    assert {record.managed[u].changed_on for u in first} == {""}
    assert all(record.managed[u].fingerprint and record.managed[u].canonical for u in first)


def test_a_run_after_a_failed_chunk_sends_only_what_was_not_sent(base_project: Path) -> None:
    """A first import whose second request fails: the next run settles what the first
    chunk sent (its export is as sent) and sends the rest, then nothing more."""
    project = base_project
    charts_dir = project / "assets" / "charts"
    template = yaml.safe_load(next(charts_dir.glob("*.yaml")).read_text())
    per_chunk = CHUNK_BUDGET_MS // BUNDLE_KINDS["chart"].cost_ms
    for n in range(per_chunk + 5):
        body = {**template, "slice_name": f"Chart {n}", "uuid": f"00000000-0000-4000-8000-{n:012d}"}
        (charts_dir / f"chart_{n}.yaml").write_text(yaml.safe_dump(body))
    fake = _Rejecting(reject=1)
    with pytest.raises(SupersetError):
        imported(fake, project)
    first = {str(b["uuid"]) for path, b in fake.imports[0].files.items()
             if path != "metadata.yaml"}
    fake.reject = None
    again = planned(fake, project)
    assert set(again.plan.settled) == first
    to_send = {c.uuid for c in again.plan.to_send}
    assert to_send and not to_send & first
    before = len(fake.imports)
    result = apply(fake, project, again)
    sent = {str(b["uuid"]) for i in fake.imports[before:] for path, b in i.files.items()
            if path != "metadata.yaml"}
    assert sent == to_send
    assert result.report.touched == len(first)
    assert not planned(fake, project).plan.has_differences


def test_touched_but_identical_is_settled_without_rendering_and_an_edit_is_sent(
        base_project: Path) -> None:
    fake = FakeSuperset()
    imported(fake, base_project)
    for asset in fake.assets.values():  # an identical re-import: every changed_on moves
        asset["changed_on"] = fake._tick()
    fake.edit(CHART, slice_name="Edited in Superset")
    again = planned(fake, base_project)
    assert set(again.plan.settled) == BASE_UUIDS - {CHART}
    assert [(c.uuid, c.reason) for c in again.plan.to_send] == [
        (CHART, "edited in Superset since the last import")]
    apply(fake, base_project, again)
    for asset in fake.assets.values():
        asset["changed_on"] = fake._tick()
    fake.calls.clear()
    settled = planned(fake, base_project)
    assert not settled.plan.rendered and not settled.plan.to_send
    assert set(settled.plan.settled) == BASE_UUIDS
    apply(fake, base_project, settled)
    assert ("import", "") not in fake.calls
    record, _ = read_record(fake, "test-base")
    assert record is not None
    assert {u: m.changed_on for u, m in record.managed.items()} == {
        u: fake.assets[u]["changed_on"] for u in BASE_UUIDS}
    assert planned(fake, base_project).plan.settled == ()
