"""`adopt`'s analysis, on made-up live rows: what the code produces, collapsed
datasets, leftovers of locales no longer configured, and what it leaves alone."""

from __future__ import annotations

import dataclasses
import uuid as uuidlib
from typing import Any

from aspects_assets.core.adopt import (
    LiveDataset,
    LiveDetails,
    adopted_record,
    analyze,
    babel_locales,
    copy_uuids,
)
from aspects_assets.core.i18n.localize import copy_uuid
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow

DB = "11111111-1111-4111-8111-111111111111"
FACT = "22222222-2222-4222-8222-222222222222"  # physical, collapsed under its da copy
DIM = "33333333-3333-4333-8333-333333333333"  # physical, collapsed under its es_419 copy
RAW = "44444444-4444-4444-8444-444444444444"  # physical, collapsed under a foreign uuid
VIRTUAL = "55555555-5555-4555-8555-555555555555"
CHART = "66666666-6666-4666-8666-666666666666"
BOARD = "77777777-7777-4777-8777-777777777777"
FOREIGN = "88888888-8888-4888-8888-888888888888"
THEIR_CHART = "99999999-9999-4999-8999-999999999999"
THEIR_BOARD = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
LOCALES = ["es_419", "fr_CA"]


def asset(kind: str, uuid: str, locale: str | None = None, **body: Any) -> Asset:
    title = {"database": "database_name", "dataset": "table_name", "chart": "slice_name",
             "dashboard": "dashboard_title"}[kind]
    body.setdefault(title, f"{kind}-{uuid[:4]}")
    base = uuid
    if locale:
        uuid = copy_uuid(uuid, locale)
    return Asset(kind, {"uuid": uuid, **body}, f"{kind}.yaml", locale=locale,
                 base_uuid_=base if locale else None)


def code() -> AssetSet:
    originals = [
        asset("database", DB),
        *(asset("dataset", u, table_name=t, schema="reporting", sql="", database_uuid=DB)
          for u, t in ((FACT, "fact"), (DIM, "dim"), (RAW, "raw"))),
        asset("dataset", VIRTUAL, table_name="virtual", schema="reporting",
              sql="SELECT 1", database_uuid=DB),
        asset("chart", CHART, dataset_uuid=VIRTUAL),
        asset("dashboard", BOARD),
    ]
    copies = [asset(a.kind, a.uuid, locale, **{k: v for k, v in a.body.items() if k != "uuid"})
              for locale in LOCALES for a in originals if a.kind != "database"]
    return AssetSet.of([*originals, *copies])


def row(kind: str, uuid: str, pk: int, title: str = "") -> LiveRow:
    return LiveRow(kind, uuid, pk, "2024-08-22T10:00:00", title or f"{kind}-{uuid[:4]}")


def aspects_superset() -> tuple[dict[str, LiveRow], LiveDetails]:
    """What Aspects' import leaves with es_419, fr_CA and da: physical copies in one
    row each, da copies of everything, and an operator's own chart and dashboard."""
    rows: list[LiveRow] = [row("database", DB, 1)]
    datasets: list[LiveDataset] = []
    collapsed = {FACT: copy_uuid(FACT, "da"), DIM: copy_uuid(DIM, "es_419"), RAW: FOREIGN}
    for pk, (base, table) in enumerate(((FACT, "fact"), (DIM, "dim"), (RAW, "raw")), start=1):
        holder = collapsed[base]
        rows.append(row("dataset", holder, pk, table))
        datasets.append(LiveDataset(holder, DB, "reporting", table, True))
    for pk, locale in enumerate([None, "es_419", "fr_CA", "da"], start=10):
        uuid = copy_uuid(VIRTUAL, locale) if locale else VIRTUAL
        name = f"virtual_{locale}" if locale else "virtual"
        rows.append(row("dataset", uuid, pk, name))
        datasets.append(LiveDataset(uuid, DB, "reporting", name, False))
        rows.append(row("chart", copy_uuid(CHART, locale) if locale else CHART, pk))
        rows.append(row("dashboard", copy_uuid(BOARD, locale) if locale else BOARD, pk))
    rows += [row("chart", THEIR_CHART, 99, "theirs"), row("dashboard", THEIR_BOARD, 99)]
    details = LiveDetails({d.uuid: d for d in datasets},
                          {THEIR_CHART: copy_uuid(VIRTUAL, "da"),
                           CHART: VIRTUAL})
    return {r.uuid: r for r in rows}, details


def test_copy_uuids_follow_the_aspects_rule() -> None:
    uuids = copy_uuids(FACT, ["es_419", "pt-BR", "da"])
    assert uuids[copy_uuid(FACT, "es_419")] == "es_419"
    assert uuids[copy_uuid(FACT, "pt_BR")] == "pt-BR"
    expected = uuidlib.uuid5(uuidlib.uuid5(uuidlib.UUID(FACT), "superset"), "da")
    assert uuids[str(expected)] == "da"


def test_babel_locales_cover_aspects_codes() -> None:
    known = set(babel_locales())
    assert {"da", "es_419", "fr_CA", "zh_CN", "zh_HK", "pt_PT", "tr_TR", "sw"} <= known


def test_the_four_groups() -> None:
    rows, details = aspects_superset()
    report = analyze("p", rows, details, code(), LOCALES, known_locales=babel_locales())

    produced = {f.uuid for f in report.produced}
    assert DB in produced and VIRTUAL in produced and BOARD in produced
    assert copy_uuid(CHART, "fr_CA") in produced
    # the dim row holds its es_419 copy's uuid: that uuid is the code's too
    assert copy_uuid(DIM, "es_419") in produced
    assert len(report.produced) == 1 + 1 + 3 * 3  # database, dim row, originals and copies

    by_table = {c.table: c for c in report.collapsed}
    assert set(by_table) == {"reporting.fact", "reporting.dim", "reporting.raw"}
    assert (by_table["reporting.fact"].holder_locale, by_table["reporting.fact"].configured) \
        == ("da", False)
    assert (by_table["reporting.dim"].holder_locale, by_table["reporting.dim"].configured) \
        == ("es_419", True)
    assert by_table["reporting.raw"].holder_locale is None
    assert by_table["reporting.raw"].base_uuid == RAW

    leftovers = {f.uuid: f for f in report.leftovers}
    assert set(leftovers) == {copy_uuid(u, "da") for u in (FACT, VIRTUAL, CHART, BOARD)}
    assert {f.locale for f in report.leftovers} == {"da"}
    assert leftovers[copy_uuid(CHART, "da")].base_uuid == CHART
    assert report.leftover_locales == ["da"]

    assert {f.uuid for f in report.unknown} == {THEIR_CHART, THEIR_BOARD}
    assert [(r.chart.uuid, r.dataset.uuid) for r in report.at_risk] == \
        [(THEIR_CHART, copy_uuid(VIRTUAL, "da"))]
    # in the code, not in Superset: the three physical originals (their rows hold
    # other uuids), the copies of fact and raw, and dim's fr_CA copy (its es_419 copy's
    # uuid is the collapsed row's)
    assert report.missing["dataset"] == 3 + 2 + 2 + 1
    assert report.needs_action


def test_what_is_recorded() -> None:
    rows, details = aspects_superset()
    report = analyze("p", rows, details, code(), LOCALES, known_locales=babel_locales())
    entries = report.to_record()
    assert FOREIGN not in entries  # a collapsed row of no known locale: left alone
    assert THEIR_CHART not in entries and THEIR_BOARD not in entries
    assert copy_uuid(FACT, "da") in entries  # collapsed and a leftover
    assert set(entries) == ({f.uuid for f in report.produced}
                            | {f.uuid for f in report.leftovers})
    assert report.recorded == len(entries)
    copy = entries[copy_uuid(CHART, "da")]
    assert copy == ManagedAsset(kind="chart", fingerprint="", changed_on="2024-08-22T10:00:00",
                                locale="da", base_uuid=CHART)
    assert entries[CHART].base_uuid is None and entries[CHART].fingerprint == ""
    record = adopted_record(report, None)
    assert record.project == "p" and record.inputs_hash == "" and dict(record.managed) == entries


def test_without_known_locales_a_leftover_is_unknown() -> None:
    rows, details = aspects_superset()
    report = analyze("p", rows, details, code(), LOCALES)
    assert not report.leftovers
    assert copy_uuid(CHART, "da") in {f.uuid for f in report.unknown}
    fact = next(c for c in report.collapsed if c.table == "reporting.fact")
    assert fact.holder_locale is None


def test_force_keeps_the_existing_entries() -> None:
    rows, details = aspects_superset()
    existing = ProjectRecord("p", managed={CHART: ManagedAsset("chart", "fp1", "t1")},
                             dashboard_roles={BOARD: ("Operator",)}, inputs_hash="h")
    report = analyze("p", rows, details, code(), LOCALES, known_locales=babel_locales(),
                     record=existing)
    assert report.already_managed == 1
    assert report.recorded == len(report.to_record()) - 1
    record = adopted_record(report, existing)
    assert record.managed[CHART].fingerprint == "fp1"
    assert record.dashboard_roles == {BOARD: ("Operator",)}
    assert record.inputs_hash == ""


def test_nothing_of_ours_needs_no_action() -> None:
    rows = {THEIR_BOARD: row("dashboard", THEIR_BOARD, 1)}
    report = analyze("p", rows, LiveDetails(), code(), LOCALES, known_locales=babel_locales())
    assert not report.produced and not report.collapsed and not report.leftovers
    assert not report.needs_action
    assert report.as_dict()["counts"]["unknown"]["dashboard"] == 1


def test_a_collapsed_row_names_the_configured_locale_as_written() -> None:
    # Aspects' uuid rule lowercases the locale; the report says fr_CA, as configured.
    rows, details = aspects_superset()
    old, holder = copy_uuid(DIM, "es_419"), copy_uuid(DIM, "fr_CA")
    rows[holder] = dataclasses.replace(rows.pop(old), uuid=holder)
    datasets = dict(details.datasets)
    datasets[holder] = dataclasses.replace(datasets.pop(old), uuid=holder)
    report = analyze("p", rows, LiveDetails(datasets, details.chart_dataset), code(), LOCALES,
                     known_locales=babel_locales())
    dim = next(c for c in report.collapsed if c.table == "reporting.dim")
    assert (dim.holder_locale, dim.configured) == ("fr_CA", True)
    assert dim.as_dict()["uuid_of_locale"] == "fr_CA"


RETIRED_CHART = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
RETIRED_DATASET = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"


def test_retired_uuids_and_their_copies_are_taken_over() -> None:
    """Aspects' unused_uuids: the retired originals and their copies in any locale
    (configured or not) are recorded, so that `import --prune` deletes them; a
    retired uuid the code still produces stays the code's."""
    rows = {r.uuid: r for r in [
        row("chart", RETIRED_CHART, 501, "Course info"),
        row("chart", copy_uuid(RETIRED_CHART, "es_419"), 502, "Información"),
        row("chart", copy_uuid(RETIRED_CHART, "pt_BR"), 503, "Informação"),
        row("dataset", RETIRED_DATASET, 504, "fact_instance_courses"),
        row("chart", CHART, 505),
        row("chart", THEIR_CHART, 506, "mine"),
    ]}
    details = LiveDetails(chart_dataset={THEIR_CHART: RETIRED_DATASET})
    report = analyze("p", rows, details, code(), LOCALES, known_locales=babel_locales(),
                     retired=[RETIRED_CHART, RETIRED_DATASET, CHART])
    retired = {(f.uuid, f.locale, f.base_uuid) for f in report.retired}
    assert retired == {
        (RETIRED_CHART, None, None),
        (copy_uuid(RETIRED_CHART, "es_419"), "es_419", RETIRED_CHART),
        (copy_uuid(RETIRED_CHART, "pt_BR"), "pt_BR", RETIRED_CHART),
        (RETIRED_DATASET, None, None)}
    assert CHART in {f.uuid for f in report.produced}
    assert [f.uuid for f in report.unknown] == [THEIR_CHART]
    assert [(r.chart.uuid, r.dataset.uuid) for r in report.at_risk] == [
        (THEIR_CHART, RETIRED_DATASET)]
    record = adopted_record(report, None)
    assert {u for u, _, _ in retired} <= set(record.managed)
    assert record.managed[copy_uuid(RETIRED_CHART, "pt_BR")].locale == "pt_BR"
    assert report.needs_action
    assert report.as_dict()["counts"]["retired"] == {"database": 0, "dataset": 1, "chart": 3,
                                                    "dashboard": 0}
