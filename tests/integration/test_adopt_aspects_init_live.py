"""`adopt` on what Open edX Aspects 6.1.0 really leaves: its own init job
(`fab import-roles` and `create_assets.py`, rendered by the real `tutor config save`)
fills the local Superset, then the project adopts it, `import --prune --yes` brings
it to the code, and the end state is Aspects': the same dashboards, charts and
datasets (the physical ones repaired: Aspects keeps each under one copy's uuid),
the same embeddings, row-level security on every dataset of its schemas, ours
included. See tests/aspects_init_job.py for how the job runs without Docker.

The project is what `init --from-tutor --translations` makes of the same Tutor root
(Tutor's rendered assets as the lowest layer, the databases with masked passwords,
the PII dashboards under `_include_if`, Aspects' row-level security filters and
roles), with the passwords Tutor generated in the environment.

And `diff` exits 0: tags included (Aspects tags every localized dashboard and its
charts with the locale, originals `original`), roles and row-level security.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from aspects_init_job import run_init_job

from aspects_assets.core.i18n.localize import copy_uuid
from aspects_assets.superset.client import SupersetClient

from conftest import CORPUS, REPO, run_cli, tutor

pytestmark = pytest.mark.integration

# Few locales keep the fill short (it grows with every locale: about 9 min for three on
# this shared machine). fr_CA has translations in the legacy file, es_419 none.
LOCALES = ["en", "fr_CA"]
LOCALE_YAML = CORPUS / "aspects-2024-08" / "locale.yaml"
USERINFO_PASSWORD = re.compile(r"^[a-z+]+://[^:/@]+:([^@]*)@")


def the_project(where: Path, tutor_root: Path) -> tuple[Path, dict[str, str]]:
    """`init --from-tutor` on the Tutor root, and the environment of the passwords it
    names (Tutor generated them: they are in the rendered database files)."""
    where.mkdir()
    code, output, _ = run_cli(where, {}, "init", "--from-tutor", "--tutor-root", str(tutor_root),
                          "--translations", str(LOCALE_YAML))
    assert code == 0, output
    settings = yaml.safe_load((where / "aspects-assets.yaml").read_text())
    # Aspects' roles.json names views this Superset does not have (its config turns
    # fewer APIs on than Aspects' image: OpenApi, MenuApi...); fab import-roles skips them.
    settings["missing_permissions"] = "skip"
    (where / "aspects-assets.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    rendered = Path(settings["assets_dir"][0]["path"])
    env = {}
    for source in sorted((rendered / "databases").glob("*.yaml")):
        data = yaml.safe_load(source.read_text())
        match = USERINFO_PASSWORD.match(data["sqlalchemy_uri"])
        assert match, source
        env[settings["databases"][data["database_name"]]["password_env"]] = match.group(1)
    return where, env


def physical_originals(tutor_root: Path) -> dict[str, str]:
    """uuid → table name of the rendered physical datasets (no SQL)."""
    datasets = (tutor_root / "env" / "plugins" / "aspects" / "build" / "aspects-superset"
                / "openedx-assets" / "assets" / "datasets")
    out = {}
    for source in datasets.glob("*.yaml"):
        data = yaml.safe_load(source.read_text())
        if not data.get("sql"):
            out[str(data["uuid"])] = str(data["table_name"])
    return out


def live(client: SupersetClient) -> dict[str, dict[str, Any]]:
    """uuid → list row (with its kind), every asset."""
    out = {}
    for kind, columns in (("database", ["id", "uuid"]),
                          ("dataset", ["id", "uuid", "table_name", "schema", "sql"]),
                          ("chart", ["id", "uuid", "datasource_id"]),
                          ("dashboard", ["id", "uuid", "slug"])):
        for row in client.list_all(kind, columns):
            out[str(row["uuid"])] = {**row, "kind": kind}
    return out


def of_kind(rows: dict[str, dict[str, Any]], kind: str) -> set[str]:
    return {u for u, r in rows.items() if r["kind"] == kind}


def embeddings(client: SupersetClient, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """dashboard uuid → (embedded uuid, allowed domains), where there is one."""
    out = {}
    for uuid in of_kind(rows, "dashboard"):
        embedded = client.embedded(rows[uuid]["id"])
        if embedded:
            out[uuid] = (str(embedded["uuid"]), sorted(embedded.get("allowed_domains") or []))
    return out



def test_adopt_what_aspects_init_job_left(
    tutor_bin: Path, tmp_path: Path, superset_reset: None, superset_env: dict[str, str],
    client: SupersetClient,
) -> None:
    timings: dict[str, float] = {}
    root = tmp_path / "tutor-root"
    tutor(tutor_bin, root, "plugins", "enable", "aspects")
    tutor(tutor_bin, root, "config", "save", "--set",
          f"SUPERSET_DASHBOARD_LOCALES={json.dumps(LOCALES)}")
    pii = [d["uuid"] for d in yaml.safe_load(
        tutor(tutor_bin, root, "config", "printvalue", "ASPECTS_PII_INSTRUCTOR_DASHBOARDS"))]
    assert pii  # the Individual Learner dashboard

    started = time.perf_counter()
    run_init_job(root, LOCALE_YAML, port=urlsplit(superset_env["SUPERSET_URL"]).port or 8088,
                 cache=REPO / ".cache")
    timings["Aspects' init job (import-roles, create_assets.py)"] = time.perf_counter() - started
    before = live(client)
    embedded_before = embeddings(client, before)
    physical = {u: r for u, r in before.items() if r["kind"] == "dataset" and not r["sql"]}
    originals = physical_originals(root)
    # Aspects' fill: each physical table in one row, under the uuid of whichever of
    # the original and its copies Superset imported last; the PII dashboard and its
    # copies deleted; embeddings on its dashboards.
    assert sorted(r["table_name"] for r in physical.values()) == sorted(originals.values())
    collapsed = set(physical) - set(originals)
    assert not {u for base in pii for u in (base, *(copy_uuid(base, x) for x in LOCALES))} \
        & set(before)
    assert embedded_before

    project, passwords = the_project(tmp_path / "project", root)
    env = {**superset_env, **passwords}

    started = time.perf_counter()
    code, output, adopted = run_cli(project, env, "adopt", "--format", "json")
    timings["adopt"] = time.perf_counter() - started
    assert code == 1, output
    assert {c["uuid"] for c in adopted["collapsed"]} == collapsed
    assert all(c["locale_configured"] and c["uuid_of_locale"] in LOCALES
               for c in adopted["collapsed"]), adopted["collapsed"]
    assert adopted["leftovers"] == [] and adopted["retired"] == []
    # Aspects keeps the PII charts (it only hides them in the layouts); the code
    # leaves them out while PII is off, so adopt leaves them alone, and so does prune.
    pii_charts = {str(yaml.safe_load(f.read_text())["uuid"])
                  for f in (project / "tutor" / "assets" / "charts").glob("*.yaml")}
    assert {x["uuid"] for x in adopted["unknown"]} == \
        {u for base in pii_charts for u in (base, *(copy_uuid(base, x) for x in LOCALES))}

    started = time.perf_counter()
    code, output, imported = run_cli(project, env, "import", "--prune", "--yes", "--format", "json")
    timings["import --prune --yes"] = time.perf_counter() - started
    assert code == 0, output
    assert imported["deleted"] == {"database": 0, "dataset": 0, "chart": 0, "dashboard": 0}

    after = live(client)
    for kind in ("database", "chart", "dashboard"):
        assert of_kind(after, kind) == of_kind(before, kind), kind
    # The datasets: Aspects' virtual ones, and each physical table's row now under
    # its original's uuid (the same row: same id), with virtual copies of its own.
    copies = {copy_uuid(base, x) for base in originals for x in LOCALES}
    assert of_kind(after, "dataset") == (of_kind(before, "dataset") - collapsed) \
        | set(originals) | copies
    by_table = {r["table_name"]: r for r in physical.values()}
    for base, table in originals.items():
        held = by_table[table]
        assert (after[base]["id"], after[base]["table_name"]) == (held["id"], table)
    # The same embedded uuids (the LMS asks for them); the allowed domains are now
    # the settings' (Aspects sets none, which lets any site embed).
    embedded_after = embeddings(client, after)
    assert {u: e[0] for u, e in embedded_after.items()} == \
        {u: e[0] for u, e in embedded_before.items()}
    settings = yaml.safe_load((project / "aspects-assets.yaml").read_text())
    allowed = {tuple(sorted(d.get("allowed_domains") or []))
               for d in settings["embedded_dashboards"].values()}
    assert {tuple(e[1]) for e in embedded_after.values()} <= allowed

    # Row-level security: every dataset of the three schemas, ours included.
    rls = {f["name"]: {t["id"] for t in f["tables"]} for f in client.rls_filters()}
    for schema, exclude in (("openedx", set()), ("event_sink", {"user_pii"}),
                            ("reporting", set())):
        expected = {r["id"] for r in after.values() if r["kind"] == "dataset"
                    and r["schema"] == schema and r["table_name"] not in exclude}
        assert rls[f"can_view_courses_{schema}"] == expected, schema
    assert {r["id"] for u, r in after.items() if u in copies} <= set().union(*rls.values())

    started = time.perf_counter()
    code, output, diff = run_cli(project, env, "diff", "--format", "json")
    timings["diff"] = time.perf_counter() - started
    changed = [(a["title"], [c["path"] for c in a["changes"]])
               for a in diff["assets"] if a["action"] != "unchanged"]
    assert changed == [], changed[:20]
    assert [a for a in diff["access"] if a.get("action", "update") != "unchanged"] == [], \
        diff["access"][:20]
    assert code == 0, output[-3000:]
    for key, items in diff.items():  # the object kinds (rls, roles): nothing to do
        if key not in ("assets", "fallbacks", "access") and isinstance(items, list):
            assert all(i.get("action", "unchanged") == "unchanged" for i in items), (key, items)
    print("\n" + "\n".join(f"{k}: {v:.1f} s" for k, v in timings.items()))
    print(f"diff: {diff['counts']}")
