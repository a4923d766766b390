"""`check` against the real Superset: a project whose charts read Superset's own
metadata database (so their queries really run), in two locales. Green after an
import; a chart made to fail (its metric names a column the dataset does not
have) is caught in every locale with PostgreSQL's error, exit 1; fixed, green
again."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient

from conftest import REPO, run

pytestmark = pytest.mark.integration

CHART = "assets/charts/Charts_per_Dashboard.yaml"


@pytest.fixture
def project(tmp_path: Path, superset_client: SupersetClient,
            superset_reset: None) -> Iterator[Path]:
    folder = tmp_path / "metadata"
    for part in ("assets/databases/Superset_Metadata.yaml", "assets/datasets/Superset_Metadata",
                 CHART, "templates", "translations"):
        source, target = REPO / part, folder / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    # A dashboard that holds the chart: what the chart counts (charts per dashboard).
    (folder / "assets" / "dashboards").mkdir()
    (folder / "assets" / "dashboards" / "check.yaml").write_text(yaml.safe_dump({
        "dashboard_title": "Check", "slug": "check-live", "version": "1.0.0",
        "uuid": "c4ec4ec4-0000-4000-8000-000000000001", "metadata": {},
        "position": {
            "DASHBOARD_VERSION_KEY": "v2",
            "ROOT_ID": {"id": "ROOT_ID", "type": "ROOT", "children": ["GRID_ID"]},
            "GRID_ID": {"id": "GRID_ID", "type": "GRID", "children": ["ROW-1"],
                        "parents": ["ROOT_ID"]},
            "ROW-1": {"id": "ROW-1", "type": "ROW", "children": ["CHART-1"],
                      "parents": ["ROOT_ID", "GRID_ID"],
                      "meta": {"background": "BACKGROUND_TRANSPARENT"}},
            "CHART-1": {"id": "CHART-1", "type": "CHART", "children": [],
                        "parents": ["ROOT_ID", "GRID_ID", "ROW-1"],
                        "meta": {"uuid": "dbfbd314-a7b1-4911-9fc2-f78a0232699a",
                                 "width": 4, "height": 50}}}}))
    settings = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    settings.update(project=f"check-{uuid.uuid4().hex[:8]}", locales=["es_419", "ar"],
                    lock_in_ui=False)
    (folder / "aspects-assets.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True))
    yield folder
    record = superset_client.find_css_template(f"aspects-assets:{settings['project']}")
    if record is not None:
        superset_client.delete_css_template(record["id"])


def check(project: Path, env: dict[str, str]) -> tuple[int, dict[str, object]]:
    result = run(["check", "--format", "json"], project, env=env)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def test_check_catches_a_chart_made_to_fail(project: Path,
                                            superset_env: dict[str, str]) -> None:
    before = run(["check"], project, env=superset_env)
    assert before.exit_code == 2
    assert "has no record of project" in before.output and "run `aspects-assets import`" \
        in before.output

    assert run(["import"], project, env=superset_env).exit_code == 0
    code, report = check(project, superset_env)
    assert code == 0, report
    assert report["checked"] == 3 and report["failed"] == 0  # the original and 2 copies
    charts = report["charts"]
    assert isinstance(charts, list)
    assert sorted(str(c["locale"]) for c in charts) == ["None", "ar", "es_419"]
    assert all(c["ok"] and c["rows"] for c in charts), charts  # real rows

    chart = project / CHART
    good = chart.read_text()
    assert good.count("sum(charts)") == 2
    chart.write_text(good.replace("sum(charts)", "sum(no_such_column)"))
    assert run(["import"], project, env=superset_env).exit_code == 0
    text = run(["check"], project, env=superset_env)
    assert text.exit_code == 1, text.output
    failures = [line for line in text.output.splitlines() if line.startswith("✗ chart")]
    assert len(failures) == 3, text.output
    assert all("no_such_column" in line and "does not exist" in line for line in failures)
    assert "(ar)" in text.output and "(es_419)" in text.output and "(original)" in text.output
    assert text.output.splitlines()[-1] == ("3 chart(s) checked: 0 ran, 3 failed "
                                           "(ar: 1, es_419: 1, original: 1)")

    chart.write_text(good)
    assert run(["import"], project, env=superset_env).exit_code == 0
    assert check(project, superset_env)[0] == 0
