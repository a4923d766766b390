from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from aspects_assets.core.bundle import build_bundle
from aspects_assets.core.kinds.embedding import desired_domains
from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import checked_or_fail

from conftest import run


def read_zip(path: Path) -> dict[str, dict]:
    with zipfile.ZipFile(path) as archive:
        return {name: yaml.safe_load(archive.read(name)) for name in archive.namelist()}


def test_bundle_layout_and_content(base_project: Path) -> None:
    result = run(["build", "--out", "dist/bundle.zip"], base_project)
    assert result.exit_code == 0, result.output
    files = read_zip(base_project / "dist" / "bundle.zip")
    tops = {name.split("/")[0] for name in files}
    assert tops == {"aspects_assets_bundle"}, "exactly one top folder"
    names = sorted(name.split("/", 1)[1] for name in files)
    assert names[0] == "charts/Enrollments_over_time_0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003.yaml"
    assert "metadata.yaml" in names
    assert any(n.startswith("datasets/ClickHouse/") for n in names)
    assert any(n.startswith("databases/") for n in names)
    assert any(n.startswith("dashboards/") for n in names)
    metadata = files["aspects_assets_bundle/metadata.yaml"]
    assert metadata["version"] == "1.0.0" and metadata["type"] == "assets"
    for name, body in files.items():
        if name.endswith("metadata.yaml"):
            continue
        assert body["version"] == "1.0.0"
        assert not [k for k in body if k.startswith("_")], f"private keys left in {name}"


def test_raw_blocks_reach_superset_untouched(base_project: Path) -> None:
    run(["build", "--out", "out"], base_project)
    (dataset,) = (base_project / "out").rglob("datasets/*/*.yaml")
    sql = yaml.safe_load(dataset.read_text())["sql"]
    assert "{{ filter_values('course_key') | where_in }}" in sql
    assert "FROM reporting.fact_enrollments" in sql


def test_query_context_becomes_a_json_string_and_chart_ids_are_supplied(
    base_project: Path,
) -> None:
    chart = base_project / "assets" / "charts" / "enrollments.yaml"
    chart.write_text(chart.read_text().replace(
        "query_context: null", "query_context:\n  datasource: {id: 829, type: table}"))
    run(["build", "--out", "out.zip"], base_project)
    files = read_zip(base_project / "out.zip")
    (chart_body,) = [b for n, b in files.items() if "/charts/" in n]
    assert isinstance(chart_body["query_context"], str)
    assert json.loads(chart_body["query_context"]) == {"datasource": {"id": 829, "type": "table"}}
    (dashboard,) = [b for n, b in files.items() if "/dashboards/" in n]
    assert isinstance(dashboard["position"]["CHART-1"]["meta"]["chartId"], int)


def test_rebuild_is_byte_identical(base_project: Path) -> None:
    run(["build", "--out", "a.zip"], base_project)
    run(["build", "--out", "b.zip"], base_project)
    first = (base_project / "a.zip").read_bytes()
    assert first == (base_project / "b.zip").read_bytes()
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert names == sorted(names)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_env_password_is_masked_in_the_bundle(base_project: Path) -> None:
    config = base_project / "aspects-assets.yaml"
    config.write_text(config.read_text() + "variables_from_env: {DB_URI: TEST_DB_URI}\n")
    env = {"TEST_DB_URI": "clickhousedb://report:Sup3rSecret@clickhouse:8123/reporting"}
    result = run(["build", "--out", "out.zip"], base_project, env=env)
    assert result.exit_code == 0, result.output
    raw = (base_project / "out.zip").read_bytes()
    files = read_zip(base_project / "out.zip")
    (database,) = [b for n, b in files.items() if "/databases/" in n]
    assert database["sqlalchemy_uri"] == "clickhousedb://report:XXXXXXXXXX@clickhouse:8123/reporting"
    assert b"Sup3rSecret" not in raw
    assert "Sup3rSecret" not in result.output


def test_env_password_in_the_query_is_masked_in_the_userinfo_and_sent_apart(
        base_project: Path) -> None:
    config = base_project / "aspects-assets.yaml"
    config.write_text(config.read_text() + "variables_from_env: {DB_URI: TEST_DB_URI}\n")
    env = {"TEST_DB_URI": "clickhousedb://report@clickhouse:8123/reporting?password=Qu3ry%2Bpw"
                          "&secure=false"}
    result = run(["build", "--out", "out.zip"], base_project, env=env)
    assert result.exit_code == 0, result.output
    raw = (base_project / "out.zip").read_bytes()
    (database,) = [b for n, b in read_zip(base_project / "out.zip").items()
                   if "/databases/" in n]
    assert database["sqlalchemy_uri"] == (
        "clickhousedb://report:XXXXXXXXXX@clickhouse:8123/reporting?secure=false")
    assert b"Qu3ry" not in raw and "Qu3ry" not in result.output
    # what the import sends in its `passwords` field: the password as the driver reads it
    settings = load_settings(cwd=base_project, env=env)
    assets = checked_or_fail(settings).assets
    bundle = build_bundle(assets)
    assert list(bundle.passwords(assets).values()) == ["Qu3ry+pw"]


def test_embedding_open_to_any_site_when_said_by_name(base_project: Path) -> None:
    dashboard = base_project / "assets" / "dashboards" / "course.yaml"
    dashboard.write_text(dashboard.read_text().replace(
        "  allowed_domains:\n  - http://lms.example.com\n", "  allow_any_domain: true\n"))
    settings = load_settings(cwd=base_project, env={})
    assets = checked_or_fail(settings).assets
    (course,) = assets.of_kind("dashboard")
    assert desired_domains(course, {course.uuid: course}, settings) == ()


def test_an_embedding_without_domains_is_never_taken_for_any_site(base_project: Path) -> None:
    settings = load_settings(cwd=base_project, env={})
    (course,) = checked_or_fail(settings).assets.of_kind("dashboard")
    for embedded in ({}, {"allowed_domains": []}, {"allowed_domain": ["https://x"]}):
        broken = replace(course, private={**course.private, "_embedded": embedded})
        with pytest.raises(InputError, match="would let every site embed"):
            desired_domains(broken, {broken.uuid: broken}, settings)
