"""`adopt` on a Superset that Open edX Aspects' own import filled, then
`import --prune` repairs and cleans it, and `diff` finds nothing.

The fill is what Aspects does: one raw POST of aspects-2024-08 with per-locale
copies (es_419, fr_CA, ar, de_DE and da), where each copy of a physical dataset
keeps the original's table name and empty SQL. Superset keeps one row per
physical table, under the uuid of the copy it imported last: da's for two of the
four tables, es_419's for the other two. The project then configures only
es_419, fr_CA, ar and de_DE: da's copies are leftovers. An operator also made a
chart by hand on one of the collapsed rows.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aspects_assets.core.bundle import TOP_FOLDER, build_bundle
from aspects_assets.core.i18n.localize import copy_uuid, is_physical
from aspects_assets.model.assets import AssetSet
from aspects_assets.project.settings import load_settings
from aspects_assets.run.apply import database_passwords
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.superset.client import SupersetClient

from conftest import corpus_with_catalogs, run_cli

pytestmark = pytest.mark.integration

CONFIGURED = ["es_419", "fr_CA", "ar", "de_DE"]
EXTRA = "da"  # Aspects had it; the project no longer configures it
PASSWORDS = {"databases": {"OpenedX Clickhouse": {"password_env": "CORPUS_DB_PASSWORD"},
                           "Superset Metadata": {"password_env": "CORPUS_DB_PASSWORD"}}}
SECRET = {"CORPUS_DB_PASSWORD": "not-a-real-password"}


def aspects_copies(assets: AssetSet) -> AssetSet:
    """Aspects' copies of a physical dataset: the original's table name and SQL."""
    originals = {a.uuid: a for a in assets if a.locale is None}
    out = []
    for item in assets:
        base = originals.get(item.base_uuid)
        if item.locale and item.kind == "dataset" and base and is_physical(base.body):
            item = item.with_body({**item.body, "table_name": base.body["table_name"],
                                   "sql": base.body.get("sql")})
        out.append(item)
    return AssetSet.of(out)


def aspects_zip(assets: AssetSet, last: dict[str, str]) -> bytes:
    """The bundle with each physical dataset's copies in an order that makes the
    copy of `last[original uuid]` the one imported last (Superset imports in the
    order of the ZIP's entries)."""
    bundle = build_bundle(assets)
    rank: dict[str, int] = {}
    for item in assets:
        if item.kind == "dataset" and item.locale and item.base_uuid in last:
            rank[bundle.path_of[item.uuid]] = 2 if item.locale == last[item.base_uuid] else 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(bundle.files, key=lambda n: (rank.get(n, 0), n)):
            archive.writestr(f"{TOP_FOLDER}/{name}", bundle.files[name])
    return buffer.getvalue()


def fill_like_aspects(tmp_path: Path, client: SupersetClient) -> tuple[AssetSet, dict[str, str]]:
    """One raw POST, as Aspects' import does. Returns the assets sent and, per
    physical original, the locale whose copy uuid its collapsed row ends with."""
    tmp_path.mkdir()
    project, _ = corpus_with_catalogs(tmp_path, [*CONFIGURED, EXTRA], **PASSWORDS)
    settings = load_settings(cwd=project, env=SECRET)
    assets = aspects_copies(checked_or_fail(settings).assets)
    physical = sorted((a for a in assets if a.kind == "dataset" and a.locale is None
                       and is_physical(a.body)), key=lambda a: a.title)
    assert len(physical) == 4
    last = {a.uuid: EXTRA if n < 2 else "es_419" for n, a in enumerate(physical)}
    bundle = build_bundle(assets)
    client.import_bundle(aspects_zip(assets, last),
                         passwords=bundle.passwords(assets, database_passwords(
                             assets, settings, SECRET)), sparse=False)
    return assets, last


def live(client: SupersetClient) -> dict[str, dict[str, Any]]:
    """uuid → list row (with its kind), every asset."""
    out = {}
    for kind, columns in (("database", ["id", "uuid"]), ("dataset", ["id", "uuid", "table_name"]),
                          ("chart", ["id", "uuid", "datasource_id"]),
                          ("dashboard", ["id", "uuid"])):
        for row in client.list_all(kind, columns):
            out[str(row["uuid"])] = {**row, "kind": kind}
    return out



def test_adopt_an_aspects_install_then_prune_repairs_it(
    tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient,
) -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    filled, last = fill_like_aspects(tmp_path / "aspects", client)
    timings["fill (render 5 locales + one raw POST)"] = time.perf_counter() - started
    before = live(client)
    physical = {a.uuid: a for a in filled if a.uuid in last}
    holders = {copy_uuid(u, locale): u for u, locale in last.items()}
    assert set(holders) <= set(before), "each physical table is one row, under its last copy"
    assert not set(physical) & set(before)
    da_uuids = {a.uuid for a in filled if a.locale == EXTRA}
    da_live = da_uuids & set(before)
    # A chart an operator made by hand on a collapsed row.
    fact = next(h for h, u in holders.items() if last[u] == EXTRA)
    made = client.request("POST", "/api/v1/chart/", json={
        "slice_name": "Made by hand", "viz_type": "table",
        "datasource_id": before[fact]["id"], "datasource_type": "table",
        "params": "{}"}).json()
    hand_made = int(made["id"])
    hand_made_uuid = next(u for u, r in live(client).items()
                          if r["kind"] == "chart" and r["id"] == hand_made)

    (tmp_path / "project").mkdir()
    project, _ = corpus_with_catalogs(tmp_path / "project", CONFIGURED, **PASSWORDS)
    env = {**superset_env, **SECRET}

    started = time.perf_counter()
    code, output, dry = run_cli(project, env, "adopt", "--dry-run", "--format", "json")
    timings["adopt --dry-run"] = time.perf_counter() - started
    assert code == 1, output
    assert client.find_css_template("aspects-assets:corpus-aspects-2024-08") is None

    collapsed = {c["uuid"]: c for c in dry["collapsed"]}
    assert set(collapsed) == set(holders)
    for holder, base in holders.items():
        assert collapsed[holder]["original_uuid"] == base
        assert collapsed[holder]["uuid_of_locale"] == last[base]
        assert collapsed[holder]["locale_configured"] == (last[base] != EXTRA)
    assert {x["uuid"] for x in dry["leftovers"]} == da_live
    assert dry["leftover_locales"] == [EXTRA]
    counts = dry["counts"]
    assert counts["leftovers"] == {"database": 0, "dataset": 32 + 2, "chart": 63,
                                   "dashboard": 4}
    # the originals, the copies of the configured locales, two collapsed rows that
    # hold an es_419 copy's uuid; not the physical originals nor their other copies
    assert counts["produced"] == {"database": 2, "dataset": 32 + 4 * 32 + 2,
                                  "chart": 63 * 5, "dashboard": 4 * 5}
    assert counts["unknown"] == {"database": 0, "dataset": 0, "chart": 1, "dashboard": 0}
    assert [x["uuid"] for x in dry["unknown"]] == [hand_made_uuid]
    assert dry["at_risk"] == []
    produced = sum(counts["produced"].values())
    assert dry["recorded"] == produced + sum(counts["leftovers"].values())

    started = time.perf_counter()
    code, output, report = run_cli(project, env, "adopt", "--format", "json")
    timings["adopt"] = time.perf_counter() - started
    assert code == 1, output
    assert report["recorded"] == dry["recorded"]
    code, output, _ = run_cli(project, env, "adopt")
    assert code == 2 and "already has a record" in output, output

    started = time.perf_counter()
    code, output, imported = run_cli(project, env, "import", "--prune", "--yes", "--format", "json")
    timings["import --prune"] = time.perf_counter() - started
    assert code == 0, output
    # da's leftovers are deleted, but not the two collapsed rows that held da's uuid:
    # the physical originals took those rows back on import (Superset matches a
    # dataset by its table too), so those uuids were gone before the prune.
    assert imported["deleted"] == {"database": 0, "dataset": 32, "chart": 63, "dashboard": 4}

    started = time.perf_counter()
    code, output, _ = run_cli(project, env, "diff")
    timings["diff"] = time.perf_counter() - started
    assert code == 0, output

    after = live(client)
    assert not da_live & set(after)
    assert not {h for h, base in holders.items() if last[base] == EXTRA} & set(after)
    for base, original in physical.items():
        rows = [r for r in after.values() if r["kind"] == "dataset"
                and r["table_name"] == original.body["table_name"]]
        assert [r["uuid"] for r in rows] == [base], "one row per table, the original's"
        for locale in CONFIGURED:
            copy = after[copy_uuid(base, locale)]
            assert copy["table_name"] == f"{original.body['table_name']}_{locale}"
    # The hand-made chart stays, on the same row, which is now the original's.
    mine = next(r for r in after.values() if r["kind"] == "chart" and r["id"] == hand_made)
    assert mine["datasource_id"] == before[fact]["id"]
    assert after[holders[fact]]["id"] == before[fact]["id"]
    # Every chart of the code uses its own locale's dataset.
    for item in filled:
        if item.kind == "chart" and item.locale in (None, *CONFIGURED):
            dataset = str(item.body["dataset_uuid"])
            assert after[item.uuid]["datasource_id"] == after[dataset]["id"], item.title

    code, output, again = run_cli(project, env, "import", "--format", "json")
    assert code == 0 and again["import_requests"] == 0, output
    print("\n" + "\n".join(f"{k}: {v:.1f} s" for k, v in timings.items()))
