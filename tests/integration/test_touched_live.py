"""Touched is not changed, against the real local Superset: when Superset re-imports
its own export of everything (every `changed_on` moves, no content changes), the
next `import` sends nothing and `diff` finds nothing; one asset really edited among
the touched ones is the only one sent.

One module, one first import (the project's own asset set in two locales); the
raw re-import goes through Superset's `/api/v1/assets/import/`, as another tool
or an upgrade would.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import list_rows, read_record

from conftest import repo_project, run_cli

pytestmark = pytest.mark.integration

PROJECT = "touched-test"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None,
            superset_env: dict[str, str]) -> Path:
    target = repo_project(tmp_path_factory.mktemp("touched") / "project", PROJECT,
                          ["es_419", "ar"])
    code, output, _ = run_cli(target, superset_env, "import")
    assert code == 0, output
    return target



def reimport_raw(client: SupersetClient) -> None:
    """Superset re-imports its own export of everything, unchanged."""
    files = client.export_all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"export/{name}", content)
    client.import_bundle(buffer.getvalue())


def moved_since(client: SupersetClient, before: dict[str, str]) -> set[str]:
    return {u for u, r in list_rows(client).items() if r.changed_on != before.get(u)}


def test_touched_but_identical_sends_nothing_and_diff_is_empty(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    record, _ = read_record(client, PROJECT)
    assert record is not None
    managed = set(record.managed)
    before = {u: r.changed_on for u, r in list_rows(client).items()}
    reimport_raw(client)
    assert moved_since(client, before) >= managed, "the raw re-import moved every changed_on"

    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["import_requests"] == 0
    assert not any(report["sent"].values())
    assert report["touched_unchanged"] == len(managed)
    # The record took the new changed_on: the next run has nothing to compare.
    after = {u: r.changed_on for u, r in list_rows(client).items()}
    record, _ = read_record(client, PROJECT)
    assert record is not None
    assert {u: m.changed_on for u, m in record.managed.items()} == {u: after[u] for u in managed}
    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["import_requests"] == 0 and "touched_unchanged" not in report
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output
    assert "no difference" in output


def test_one_asset_edited_among_many_touched_is_the_only_one_sent(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    record, _ = read_record(client, PROJECT)
    assert record is not None
    managed = set(record.managed)
    reimport_raw(client)
    charts = client.list_all("chart", ["id", "uuid", "slice_name"])
    target = next(c for c in charts if c["uuid"] in managed and c["slice_name"] == "Courses")
    client.request("PUT", f"/api/v1/chart/{target['id']}",
                   json={"slice_name": "Edited in Superset"})

    code, output, report = run_cli(project, superset_env, "import", "--format", "json")
    assert code == 0, output
    assert report["sent"]["chart"] == [target["uuid"]]
    assert not report["sent"]["database"] and not report["sent"]["dataset"]
    assert not report["sent"]["dashboard"]
    assert report["touched_unchanged"] == len(managed) - 1
    titles = {c["uuid"]: c["slice_name"] for c in client.list_all("chart", ["uuid",
                                                                           "slice_name"])}
    assert titles[target["uuid"]] == "Courses"
    code, output, _ = run_cli(project, superset_env, "diff")
    assert code == 0, output
