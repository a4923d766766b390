"""The real Aspects corpora, localized: aspects-2024-08 with its own locale.yaml
(24 locales, through import-legacy) and aspects-2026-07 for a few locales."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from aspects_assets.core.i18n.localize import is_physical
from aspects_assets.project.render import load_assets
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import check

from conftest import corpus_dir, corpus_project, run


def legacy_locales(locale_yaml: Path) -> list[str]:
    text = "".join(
        line for line in locale_yaml.read_text().splitlines(True) if "patch(" not in line
    )
    return sorted(code for document in yaml.safe_load_all(text) if document for code in document)


@pytest.fixture(scope="module")
def aspects_2024(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """aspects-2024-08 with catalogs imported from its locale.yaml, for all its locales."""
    corpus = corpus_dir("aspects-2024-08")
    locales = legacy_locales(corpus / "locale.yaml")
    project = corpus_project(
        tmp_path_factory.mktemp("aspects-2024-08"),
        "aspects-2024-08",
        locales=locales,
        do_not_translate=["ClickHouse"],
        extra_strings=[str(corpus / "datasets_strings.yaml")],
    )
    result = run(["translations", "import-legacy", str(corpus / "locale.yaml")], project)
    assert result.exit_code == 0, result.output
    return project


def test_2024_08_has_24_locales(aspects_2024: Path) -> None:
    settings = load_settings(cwd=aspects_2024, env={})
    assert len(settings.locales) == 24
    assert "es_419" in settings.locales


def test_2024_08_coverage_per_locale(aspects_2024: Path) -> None:
    result = run(["translations", "status"], aspects_2024)
    assert result.exit_code == 0, result.output
    print("\n" + result.output)  # the coverage per locale, for the record (pytest -s)
    rows = json.loads(run(["translations", "status", "--format", "json"], aspects_2024).output)
    for row in rows["locales"]:
        assert row["translated"] > 50, row
        assert row["total"] == rows["locales"][0]["total"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_2024_08_catalogs_pass_msgfmt(aspects_2024: Path) -> None:
    for po in sorted((aspects_2024 / "translations").glob("*/LC_MESSAGES/assets.po")):
        checked = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr


def test_2024_08_check_finds_the_known_defects(aspects_2024: Path) -> None:
    result = run(["translations", "check"], aspects_2024)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    for locale, wrong in [
        ("es_419", "Haga clic en casa"),
        ("es_ES", "Haga clic en casa"),
        ("it_IT", "Fare clic su Casa"),
        ("ar", "انقر البيت"),
    ]:
        found = [
            line
            for line in lines
            if line.startswith(f"{locale}: translations/{locale}/LC_MESSAGES/assets.po:")
            and "glossary term 'ClickHouse'" in line
            and wrong in line
        ]
        assert found, (locale, result.output)
    # a translation that keeps the term and only adds attributes (right-to-left) is fine
    assert not any(line.startswith("ar:") and "markup" in line for line in lines)


def test_2024_08_bundle_for_all_24_locales_validates(aspects_2024: Path) -> None:
    checked = check(load_settings(cwd=aspects_2024, env={}))
    assert checked.errors == []
    originals = [a for a in checked.assets if a.locale is None]
    copies = [a for a in checked.assets if a.locale is not None]
    copied = [a for a in originals if a.kind != "database"]
    assert len(copies) == 24 * len(copied)
    # translated through the imported catalog
    es_dashboards = [a for a in copies if a.kind == "dashboard" and a.locale == "es_419"]
    assert "Operator Dashboard" not in {a.body["dashboard_title"] for a in es_dashboards}
    # `build` validates first and writes the bundle of all locales
    result = run(["build", "--out", "bundle.zip"], aspects_2024)
    assert result.exit_code == 0, result.output
    assert f"{len(checked.assets.of_kind('chart'))} charts" in result.output


@pytest.fixture(scope="module")
def aspects_2026(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return corpus_project(
        tmp_path_factory.mktemp("aspects-2026-07"),
        "aspects-2026-07",
        locales=["es_419", "fr_CA", "ar"],
    )


def test_2026_07_localized_validates_and_physical_datasets_get_their_own_identity(
    aspects_2026: Path,
) -> None:
    result = run(["validate"], aspects_2026)
    assert result.exit_code == 0, result.output
    checked = check(load_settings(cwd=aspects_2026, env={}))
    assert checked.errors == []
    datasets = checked.assets.of_kind("dataset")
    physical = [a for a in datasets if a.locale is None and is_physical(a.body)]
    assert len(physical) == 5
    identities = {
        (a.body["database_uuid"], a.body.get("schema"), a.body["table_name"]) for a in datasets
    }
    assert len(identities) == len(datasets)
    for original in physical:
        copies = [a for a in datasets if a.base_uuid == original.uuid and a.locale]
        assert len(copies) == 3
        for copy in copies:
            assert copy.body["sql"].startswith("SELECT * FROM ")
            assert copy.body["table_name"] == f"{original.body['table_name']}_{copy.locale}"


def test_2026_07_metric_labels_used_elsewhere_are_all_translatable(aspects_2026: Path) -> None:
    """The 9 labels that other parts of their chart refer to are renamed with them."""
    from aspects_assets.core.i18n.localize import label_context

    assets = load_assets(load_settings(cwd=aspects_2026, env={})).assets
    plans = label_context(assets)
    referenced = []
    for chart in assets.of_kind("chart"):
        params = chart.body["params"]
        text = json.dumps(params, ensure_ascii=False)
        for label in plans[chart.uuid].safe:
            if text.count(json.dumps(label, ensure_ascii=False)) > 1:
                referenced.append(label)
    assert len(referenced) == 9
    assert all(not plan.skipped for plan in plans.values())


def test_2026_07_localized_build_is_byte_identical(aspects_2026: Path) -> None:
    first = run(["build", "--out", "a.zip"], aspects_2026)
    second = run(["build", "--out", "b.zip"], aspects_2026)
    assert first.exit_code == second.exit_code == 0, first.output
    assert (aspects_2026 / "a.zip").read_bytes() == (aspects_2026 / "b.zip").read_bytes()
