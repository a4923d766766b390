"""`import` and `diff` against the real local Superset (scripts/superset-local).

The module starts from an empty Superset (`superset-local reset`) and works on a
copy of the project's own asset set in three locales. Each test first brings
Superset to the state of the code, then changes one thing and checks what the
tool sees and sends.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import repo_project, run_cli

pytestmark = pytest.mark.integration

LOCALES = ["es_419", "fr_CA", "ar"]


def uuid5_copy(base: str, locale: str) -> str:
    """The Aspects rule, computed here independently of the code under test."""
    import uuid

    return str(uuid.uuid5(uuid.uuid5(uuid.UUID(base), "superset"),
                          locale.lower().replace("-", "_")))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None) -> Path:
    return repo_project(tmp_path_factory.mktemp("live") / "project", "live-test", LOCALES)


def synced(project: Path, env: dict[str, str]) -> None:
    code, output, _ = run_cli(project, env, "import", "--prune", "--yes")
    assert code == 0, output
    code, output, _ = run_cli(project, env, "diff")
    assert code == 0, output


def chart_file(project: Path, title: str) -> Path:
    for path in (project / "assets" / "charts").glob("*.yaml"):
        if f"slice_name: {title}" in path.read_text():
            return path
    raise AssertionError(f"no chart {title!r}")


def test_import_then_diff_is_clean_and_a_second_import_sends_nothing(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert sum(report["created"].values()) > 0
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output
    assert "no difference" in output
    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["import_requests"] == 0
    assert not any(report["sent"].values())
    assert report["roles_set"] == 0 and report["embedding_set"] == 0


def test_changed_chart_title_is_found_and_only_it_is_sent(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    path = chart_file(project, "Enrollments Over Time")
    base_uuid = yaml.safe_load(path.read_text())["uuid"]
    expected = {base_uuid, *(uuid5_copy(base_uuid, loc) for loc in LOCALES)}
    before = {r["uuid"]: r["changed_on_utc"]
              for r in client.list_all("chart", ["uuid", "changed_on_utc"])}
    path.write_text(path.read_text().replace("slice_name: Enrollments Over Time",
                                             "slice_name: Enrollments Per Day"))
    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    assert {a["uuid"] for a in plan["assets"]} == expected
    assert all(a["action"] == "update" for a in plan["assets"])
    original = next(a for a in plan["assets"] if a["uuid"] == base_uuid)
    assert {"path": "slice_name", "old": "Enrollments Over Time",
            "new": "Enrollments Per Day"} in original["changes"]

    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    after = {r["uuid"]: r["changed_on_utc"]
             for r in client.list_all("chart", ["uuid", "changed_on_utc"])}
    moved = {u for u in after if after[u] != before.get(u)}
    if client.info().sparse_import:
        assert set(report["sent"]["chart"]) == expected
        assert not report["sent"]["dataset"] and not report["sent"]["dashboard"]
        assert moved == expected
    else:  # Superset 5.0 takes whole bundles only: everything is sent again
        assert expected <= set(report["sent"]["chart"])
        assert set(report["sent"]["chart"]) == set(after)
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output


def test_one_changed_msgstr_resends_only_that_locale_copy(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    catalog = project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    text = catalog.read_text()
    entry = 'msgid "Active Learners per Day"\nmsgstr "'
    assert entry in text
    start = text.index(entry) + len(entry)
    old = text[start:text.index('"', start)]
    catalog.write_text(text[:start] + "Estudiantes activos cada día" + text[start + len(old):])
    base_uuid = yaml.safe_load(chart_file(project, "Active Learners per Day").read_text())["uuid"]
    expected = uuid5_copy(base_uuid, "es_419")

    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    assert {a["locale"] for a in plan["assets"]} == {"es_419"}
    chart = next(a for a in plan["assets"] if a["kind"] == "chart")
    assert chart["uuid"] == expected
    assert chart["changes"] == [
        {"path": "slice_name", "old": old, "new": "Estudiantes activos cada día"}]
    # The dashboard's layout names its charts too (meta.sliceName): that copy follows.
    dashboards = [a for a in plan["assets"] if a["kind"] == "dashboard"]
    assert len(dashboards) == 1
    assert all(c["path"].endswith("meta.sliceName") for c in dashboards[0]["changes"])
    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    if client.info().sparse_import:
        assert report["sent"]["chart"] == [expected]
        assert report["sent"]["dashboard"] == [dashboards[0]["uuid"]]
        assert not report["sent"]["dataset"]
    else:  # Superset 5.0 takes whole bundles only
        assert expected in report["sent"]["chart"]
    titles = {r["uuid"]: r["slice_name"] for r in client.list_all("chart", ["uuid", "slice_name"])}
    assert titles[expected] == "Estudiantes activos cada día"


def test_dashboard_edited_through_the_api_is_found_and_restored(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    dashboards = client.list_all("dashboard", ["id", "uuid", "slug", "dashboard_title"])
    target = next(d for d in dashboards if d["slug"] == "aspects-pipeline-health")
    client.request("PUT", f"/api/v1/dashboard/{target['id']}",
                   json={"dashboard_title": "Edited in the UI"})
    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    (changed,) = plan["assets"]
    assert changed["uuid"] == target["uuid"]
    assert any(c["path"] == "dashboard_title" and c["old"] == "Edited in the UI"
               for c in changed["changes"])
    code, output, _ = run_cli(project, superset_env, "import")
    assert code == 0, output
    assert client.dashboard(target["id"])["dashboard_title"] == target["dashboard_title"]
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output


# The colours of Superset's default categorical scheme, as its frontend registry has them.
SUPERSET_COLORS = ["#1FA8C9", "#454E7C", "#5AC189", "#FF7F44", "#666666", "#E04355",
                   "#FCC700", "#A868B7", "#3CCCCB", "#A38F79", "#8FD3E4", "#A1A6BD",
                   "#ACE1C4", "#FEC0A1", "#B2B2B2", "#EFA1AA", "#FDE380", "#D3B3DA",
                   "#9EE5E5", "#D1C6BC"]


def viewed_in_the_browser(client: SupersetClient, dashboard_id: int) -> None:
    """What Superset 6.1's dashboard page PUTs by itself when someone opens a dashboard
    (`applyDashboardLabelsColorOnLoad`, then `storeDashboardColorConfig`): the colours
    of its scheme, the labels its charts share and the colour each label got."""
    metadata = json.loads(client.dashboard(dashboard_id)["json_metadata"] or "{}")
    scheme = metadata.get("color_scheme")
    labels = ["Course A", "Course B", "Other"]
    body = {"color_namespace": metadata.get("color_namespace"), "color_scheme": scheme,
            "color_scheme_domain": SUPERSET_COLORS if scheme else [],
            "shared_label_colors": labels[:2],
            "map_label_colors": dict(zip(labels, SUPERSET_COLORS, strict=False)),
            "label_colors": metadata.get("label_colors") or {}}
    client.request("PUT", f"/api/v1/dashboard/{dashboard_id}/colors",
                   params={"mark_updated": "false"},
                   json={k: v for k, v in body.items() if v is not None})


def test_dashboards_looked_at_in_the_browser_make_no_difference(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    dashboards = client.list_all("dashboard", ["id", "uuid", "changed_on_utc"])
    for dashboard in dashboards:
        viewed_in_the_browser(client, dashboard["id"])
    viewed = [json.loads(client.dashboard(d["id"])["json_metadata"]) for d in dashboards]
    assert all(m["map_label_colors"] for m in viewed)
    assert any(m["color_scheme_domain"] for m in viewed)
    # changed_on does not move: only a field-by-field comparison could see this
    assert {d["uuid"]: d["changed_on_utc"] for d in dashboards} == {
        d["uuid"]: d["changed_on_utc"]
        for d in client.list_all("dashboard", ["uuid", "changed_on_utc"])}
    code, output, _ = run_cli(project, superset_env, "diff", "--full")
    assert code == 0, output
    code, output, report = run_cli(project, superset_env, "import", "--verify", "--format", "json")
    assert code == 0, output
    assert report["import_requests"] == 0, output


def test_roles_and_embedding_read_back_through_the_api(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    manifest = json.loads((project / "embedded-dashboards.json").read_text())
    entries = {(e["slug"], e["locale"]): e for e in manifest["dashboards"]}
    course = entries[("course-enrollment-engagement", None)]
    for locale in LOCALES:
        copy = entries[(f"course-enrollment-engagement-{locale}", locale)]
        assert copy["dashboard_uuid"] == uuid5_copy(course["dashboard_uuid"], locale)
        embedded = client.embedded_by_uuid(copy["embedded_uuid"])
        assert embedded["allowed_domains"] == ["http://local.openedx.io:8000"]
        if manifest["embedded_uuids_match_dashboard_uuids"]:
            assert copy["embedded_uuid"] == copy["dashboard_uuid"]
        dashboard = client.dashboard(copy["dashboard_uuid"])
        assert sorted(r["name"] for r in dashboard["roles"]) == [f"Instructor - {locale}"]
    original = client.dashboard(course["dashboard_uuid"])
    assert [r["name"] for r in original["roles"]] == ["Admin"]
    assert manifest["ASPECTS_INSTRUCTOR_DASHBOARDS"] == [{
        "name": "Course Enrollment and Engagement", "slug": "course-enrollment-engagement",
        "uuid": course["dashboard_uuid"], "allow_translations": True}]


def test_roles_changed_in_superset_are_found_and_restored(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    dashboards = client.list_all("dashboard", ["id", "uuid", "slug"])
    target = next(d for d in dashboards if d["slug"] == "aspects-pipeline-health-fr_CA")
    client.set_dashboard_roles(target["id"], [])
    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1, output
    assert [(a["what"], a["uuid"]) for a in plan["access"]] == [("roles", target["uuid"])]
    synced(project, superset_env)
    assert [r["name"] for r in client.dashboard(target["id"])["roles"]] == ["Operator - fr_CA"]


def test_prune_deletes_a_removed_chart_and_its_copies_but_not_others(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    synced(project, superset_env)
    extra = project / "assets" / "charts" / "Prune_Me.yaml"
    source = chart_file(project, "Courses")
    body = yaml.safe_load(source.read_text())
    body.update(slice_name="Prune me", uuid="5b0c52a8-33c2-4e1c-9f62-d7c1b7a1e001")
    extra.write_text(yaml.safe_dump(body))
    synced(project, superset_env)
    doomed = {body["uuid"], *(uuid5_copy(body["uuid"], loc) for loc in LOCALES)}
    live = {r["uuid"] for r in client.list_all("chart", ["uuid"])}
    assert doomed <= live
    # Someone else's chart, made through the API on one of our datasets.
    datasets = client.list_all("dataset", ["id", "table_name"])
    other = client.request("POST", "/api/v1/chart/", json={
        "slice_name": "Someone else's chart", "viz_type": "table",
        "datasource_id": datasets[0]["id"], "datasource_type": "table"}).json()["id"]

    extra.unlink()
    code, output, plan = run_cli(project, superset_env, "diff", "--format", "json")
    assert code == 1
    assert {a["uuid"] for a in plan["assets"] if a["action"] == "delete"} == doomed
    code, output, _ = run_cli(project, superset_env, "import", "--prune")
    assert code == 1, "a prune waits for --yes when not on a terminal"
    assert "--yes" in output
    assert doomed <= {r["uuid"] for r in client.list_all("chart", ["uuid"])}
    code, output, report = run_cli(project, superset_env, "import", "--prune", "--yes",
                               "--format", "json")
    assert code == 0, output
    assert report["deleted"]["chart"] == len(doomed)
    live = {r["uuid"]: r["id"] for r in client.list_all("chart", ["uuid", "id"])}
    assert not doomed & set(live)
    assert other in live.values()
    backup = project / report["backup"]
    with zipfile.ZipFile(backup) as archive:
        saved = {yaml.safe_load(archive.read(n)).get("uuid") for n in archive.namelist()
                 if "/charts/" in n}
    assert doomed <= saved
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output


def test_wrong_password_and_unreachable_server_are_one_clear_sentence(
    project: Path, superset_env: dict[str, str]
) -> None:
    code, output, _ = run_cli(project, {**superset_env, "SUPERSET_PASSWORD": "wrong"}, "diff")
    assert code == 2
    assert "wrong username or password" in output
    assert "Traceback" not in output and "wrong\n" not in output
    code, output, _ = run_cli(project, {**superset_env, "SUPERSET_URL": "http://127.0.0.1:9"},
                          "import")
    assert code == 2
    assert "cannot reach Superset at http://127.0.0.1:9" in output
    assert "Traceback" not in output

