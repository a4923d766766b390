"""normalize against a real Superset: an asset set imported unchanged normalizes
equal to Superset's export of it, asset by asset, and one field changed through
Superset's API is the one difference.

Each test works on its own copy of an asset set: every asset uuid is replaced by
one derived from the test's tag, database names and dashboard slugs get the tag,
so tests neither see nor break each other's assets (nor those of other modules)
on a shared server, and a second run overwrites the first.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from deepdiff import DeepDiff

from aspects_assets.core.bundle import build_bundle, superset_body
from aspects_assets.core.normalize import normalize, normalize_all
from aspects_assets.model.assets import FOLDER_OF_KIND, KINDS, AssetSet
from aspects_assets.model.errors import SupersetError
from aspects_assets.model.secrets import MASK
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.superset.client import SupersetClient

from conftest import REPO, corpus_project

pytestmark = pytest.mark.integration

NAMESPACE = uuid.UUID("6f0c1c1e-4a8e-4d55-9b59-2d3f1c0a7e11")
Forms = dict[str, tuple[str, dict[str, Any]]]  # uuid → (kind, normalized body)


def asset_set(name: str, tmp_path: Path, *, locales: bool = True) -> AssetSet:
    """Our own asset set (with the locales of its settings) or a real corpus."""
    if name == "own":
        settings = load_settings(REPO / "aspects-assets.yaml", cwd=REPO, env={})
    else:
        project = corpus_project(tmp_path, name)
        settings = load_settings(project / "aspects-assets.yaml", cwd=project, env={})
    if not locales:
        settings = replace(settings, locales=())
    return checked_or_fail(settings).assets


def own_copy(assets: AssetSet, tag: str) -> AssetSet:
    """The same assets under uuids, database names and slugs of their own."""
    new_uuid = {a.uuid: str(uuid.uuid5(NAMESPACE, f"{tag}/{a.uuid}")) for a in assets}
    known = re.compile("|".join(re.escape(u) for u in new_uuid))
    copies = []
    for asset in assets:
        text = known.sub(lambda m: new_uuid[m.group(0)], json.dumps(asset.body))
        body = json.loads(text)
        if asset.kind == "database":
            body["database_name"] = f"{body['database_name']} [{tag}]"
        if asset.kind == "dashboard" and body.get("slug"):
            body["slug"] = f"{body['slug']}-{tag}"
        copies.append(asset.with_body(body))
    return AssetSet.of(copies)


def import_all(client: SupersetClient, assets: AssetSet) -> None:
    bundle = build_bundle(assets)
    # A masked password in a URI (the corpora have them) needs one in `passwords`.
    passwords = {bundle.path_of[a.uuid]: "not-a-secret" for a in assets.of_kind("database")
                 if MASK in str(a.body.get("sqlalchemy_uri"))}
    client.import_bundle(bundle.zip_bytes(), passwords=passwords, sparse=True)


def ids_of(client: SupersetClient, assets: AssetSet) -> dict[str, dict[str, int]]:
    """kind → {uuid: id in Superset} for the assets of the set."""
    ids: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        wanted = {a.uuid for a in assets.of_kind(kind)}
        rows = client.list_all(kind, ["id", "uuid"])
        ids[kind] = {str(r["uuid"]): int(r["id"]) for r in rows if str(r["uuid"]) in wanted}
        assert len(ids[kind]) == len(wanted), f"{kind}: not all imported"
    return ids


def exported(client: SupersetClient, kind: str, ids: list[int]) -> tuple[Forms, Forms]:
    """The normalized assets of `kind` of an export by id, and every other asset the
    export brings along (a chart's dataset and database, a database's datasets...)."""
    forms = normalize_all(client.export(kind, ids))
    primary = {u: f for u, f in forms.items() if f[0] == kind}
    return primary, {u: f for u, f in forms.items() if f[0] != kind}


def local_forms(assets: AssetSet) -> Forms:
    databases = {a.uuid: a.body for a in assets.of_kind("database")}
    return {a.uuid: (a.kind, normalize(a.kind, superset_body(a),
                                       database=databases.get(str(a.body.get("database_uuid")))))
            for a in assets}


def difference_report(assets: AssetSet, local: Forms, live: Forms) -> str:
    lines = []
    for asset in assets:
        if asset.uuid not in live:
            lines.append(f"{asset.kind} {asset.title!r} ({asset.source}): not in the export")
            continue
        diff = DeepDiff(local[asset.uuid][1], live[asset.uuid][1], verbose_level=2)
        if diff:
            lines.append(f"{asset.kind} {asset.title!r} ({asset.source}, {asset.uuid}) "
                         f"local → live:\n  {diff.pretty()[:1500]}".replace("\n", "\n  "))
    return "\n".join(lines)


@pytest.mark.parametrize("name", ["own", "aspects-2024-08", "aspects-2026-07"])
def test_every_asset_imported_unchanged_normalizes_equal_to_its_export(
        name: str, tmp_path: Path, superset_client: SupersetClient) -> None:
    assets = own_copy(asset_set(name, tmp_path), f"nz-equal-{name}")
    import_all(superset_client, assets)
    ids = ids_of(superset_client, assets)

    local = local_forms(assets)
    live: Forms = {}
    related: list[tuple[str, Forms]] = []
    for kind in KINDS:
        primary, others = exported(superset_client, kind, list(ids[kind].values()))
        live.update(primary)
        related.append((kind, others))

    report = difference_report(assets, local, live)
    assert not report, f"{name}: imported unchanged, yet different after normalize:\n{report}"
    counts = {FOLDER_OF_KIND[k]: len(ids[k]) for k in KINDS}
    assert sum(counts.values()) == len(assets)
    print(f"{name}: {len(assets)} assets equal ({counts})")

    # The copies an export brings along are written by other code paths (a database's
    # datasets keep `extra` as JSON text, for one) and must normalize the same.
    for kind, others in related:
        for other_uuid, form in others.items():
            if other_uuid in local:
                assert form == live[other_uuid], (
                    f"{form[0]} {other_uuid} as exported with a {kind}:\n"
                    f"{DeepDiff(live[other_uuid][1], form[1], verbose_level=2).pretty()}")


# -- one change through the API is the one difference ------------------------------------------

@pytest.fixture(scope="module")
def changes_set(tmp_path_factory: pytest.TempPathFactory,
                superset_client: SupersetClient) -> Iterator[tuple[AssetSet, dict[str, dict[str, int]]]]:
    """Our asset set without locales, imported once; each test changes other assets."""
    assets = own_copy(asset_set("own", tmp_path_factory.mktemp("own"), locales=False),
                      "nz-changes")
    import_all(superset_client, assets)
    yield assets, ids_of(superset_client, assets)


def live_form(client: SupersetClient, kind: str, pk: int, asset_uuid: str) -> dict[str, Any]:
    forms, _ = exported(client, kind, [pk])
    return forms[asset_uuid][1]


def only_changes(local: dict[str, Any], live: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """path → (local, live) of changed values; fails on any other kind of difference."""
    diff = DeepDiff(local, live, verbose_level=2).to_dict()
    changed = diff.pop("values_changed", {})
    assert not diff, f"more than changed values: {diff}"
    return {path: (v["old_value"], v["new_value"]) for path, v in changed.items()}


def test_a_chart_title_changed_in_superset_is_the_one_difference(
        changes_set: tuple[AssetSet, dict[str, dict[str, int]]],
        superset_client: SupersetClient) -> None:
    assets, ids = changes_set
    chart = assets.of_kind("chart")[0]
    pk = ids["chart"][chart.uuid]
    superset_client.request("PUT", f"/api/v1/chart/{pk}", json={"slice_name": "Changed"})
    local = local_forms(assets)[chart.uuid][1]
    live = live_form(superset_client, "chart", pk, chart.uuid)
    assert only_changes(local, live) == {"root['slice_name']": (chart.body["slice_name"],
                                                                "Changed")}


def test_a_dashboard_title_changed_in_superset_is_the_one_difference(
        changes_set: tuple[AssetSet, dict[str, dict[str, int]]],
        superset_client: SupersetClient) -> None:
    assets, ids = changes_set
    dashboard = assets.of_kind("dashboard")[0]
    pk = ids["dashboard"][dashboard.uuid]
    superset_client.request("PUT", f"/api/v1/dashboard/{pk}",
                            json={"dashboard_title": "Changed"})
    local = local_forms(assets)[dashboard.uuid][1]
    live = live_form(superset_client, "dashboard", pk, dashboard.uuid)
    assert only_changes(local, live) == {
        "root['dashboard_title']": (dashboard.body["dashboard_title"], "Changed")}


def test_a_native_filter_renamed_in_a_ui_save_is_the_one_difference(
        changes_set: tuple[AssetSet, dict[str, dict[str, int]]],
        superset_client: SupersetClient) -> None:
    """As the dashboard page saves: the whole metadata with `positions`, which makes
    Superset rewrite the layout and fill its metadata defaults."""
    assets, ids = changes_set
    dashboard = next(d for d in assets.of_kind("dashboard")[1:]
                     if (d.body.get("metadata") or {}).get("native_filter_configuration"))
    pk = ids["dashboard"][dashboard.uuid]
    current = superset_client.dashboard(pk)
    metadata = json.loads(current["json_metadata"])
    old_name = metadata["native_filter_configuration"][0]["name"]
    metadata["native_filter_configuration"][0]["name"] = "Changed"
    metadata["positions"] = json.loads(current["position_json"])
    superset_client.request("PUT", f"/api/v1/dashboard/{pk}", json={
        "json_metadata": json.dumps(metadata), "dashboard_title": current["dashboard_title"],
        "css": current["css"] or "", "slug": current["slug"]})
    local = local_forms(assets)[dashboard.uuid][1]
    live = live_form(superset_client, "dashboard", pk, dashboard.uuid)
    assert only_changes(local, live) == {
        "root['metadata']['native_filter_configuration'][0]['name']": (old_name, "Changed")}


def test_a_column_label_and_sql_changed_in_superset_are_the_differences(
        changes_set: tuple[AssetSet, dict[str, dict[str, int]]],
        superset_client: SupersetClient) -> None:
    assets, ids = changes_set
    dataset = next(d for d in assets.of_kind("dataset") if d.body.get("sql"))
    pk = ids["dataset"][dataset.uuid]
    current = superset_client.get_json(f"/api/v1/dataset/{pk}")["result"]
    writable = {"id", "column_name", "type", "advanced_data_type", "verbose_name",
                "description", "expression", "extra", "filterable", "groupby", "is_active",
                "is_dttm", "python_date_format", "datetime_format", "uuid"}
    columns = [{k: v for k, v in c.items() if k in writable} for c in current["columns"]]
    target = columns[0]["column_name"]
    columns[0]["verbose_name"] = "Changed"
    superset_client.request("PUT", f"/api/v1/dataset/{pk}", json={
        "columns": columns, "sql": f"{current['sql']}\n-- changed"})

    local = local_forms(assets)[dataset.uuid][1]
    live = live_form(superset_client, "dataset", pk, dataset.uuid)
    index = [c["column_name"] for c in local["columns"]].index(target)
    old_label = local["columns"][index].get("verbose_name")
    if old_label is None:  # a missing label is a default: the change adds a key
        diff = DeepDiff(local, live, verbose_level=2).to_dict()
        assert diff.pop("dictionary_item_added") == {
            f"root['columns'][{index}]['verbose_name']": "Changed"}
        local["columns"][index]["verbose_name"] = "Changed"
    assert only_changes(local, live) == {
        **({} if old_label is None else
           {f"root['columns'][{index}]['verbose_name']": (old_label, "Changed")}),
        "root['sql']": (local["sql"], f"{local['sql']}\n-- changed")}


@pytest.mark.parametrize("name", ["aspects-2024-08", "aspects-2026-10"])
def test_the_extensions_export_says_what_supersets_export_says(
        name: str, tmp_path: Path, superset_client: SupersetClient) -> None:
    # The extension's export (data, no YAML, no related assets) must normalize to
    # exactly what Superset's own export does, asset by asset, or a comparison made
    # with it would see differences that are not there, or miss some.
    assets = own_copy(asset_set(name, tmp_path), f"nz-ext-{name}")
    import_all(superset_client, assets)
    ids = ids_of(superset_client, assets)
    assert superset_client.info().extension
    for kind in KINDS:
        wanted = list(ids[kind].values())
        files = superset_client.export_data(kind, wanted)
        assert all(isinstance(content, dict) for content in files.values()), \
            f"{kind}: the extension's export sent YAML text instead of data"
        data_forms = normalize_all(files)
        primary, _ = exported(superset_client, kind, wanted)
        assert {u: f for u, f in data_forms.items() if f[0] == kind} == primary, kind
        if kind == "dataset":  # their databases come along: a dataset's form needs them
            databases = {str(a.body.get("database_uuid")) for a in assets.of_kind("dataset")}
            assert databases <= {u for u, f in data_forms.items() if f[0] == "database"}
    # And everything at once, as Superset's export of everything says it.
    assert normalize_all(superset_client.export_all_data()) == normalize_all(
        superset_client.export_all())


def test_the_extensions_export_is_for_admins_and_refuses_bad_arguments(
        superset_client: SupersetClient) -> None:
    name = f"nz-ext-user-{uuid.uuid4().hex[:8]}"
    roles = superset_client.roles()
    superset_client.request("POST", "/api/v1/security/users/", json={
        "first_name": name, "last_name": "Test", "username": name,
        "email": f"{name}@test.local", "active": True, "password": "Not-admin-1",
        "roles": [roles["Alpha"]]})
    # An Alpha user may use Superset's own export, never this one (it is everything).
    alpha = SupersetClient(superset_client.url, name, "Not-admin-1")
    with pytest.raises(SupersetError) as refused:
        alpha.request("GET", "/api/v1/aspects_assets/export/")
    assert refused.value.status == 403
    for params, message in [({"ids": "1"}, "'ids' needs a 'kind'"),
                            ({"kind": "query", "ids": "1"}, "'kind' must be one of"),
                            ({"kind": "chart", "ids": "1,x"}, "'ids' must be ids"),
                            ({"kind": "chart", "ids": "999999999"}, "not found")]:
        with pytest.raises(SupersetError) as refused:
            superset_client.request("GET", "/api/v1/aspects_assets/export/", params=params)
        assert refused.value.status == (404 if "999" in params["ids"] else 400), params
        assert message in str(refused.value).lower() or message in str(refused.value), params
