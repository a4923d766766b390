"""Both real Aspects corpora, as they are, through render, validate and build."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import DEFECT_UUID, corpus_project, run


@pytest.mark.parametrize("name", ["aspects-2024-08", "aspects-2026-07"])
def test_corpus_renders_validates_and_builds(tmp_path: Path, name: str) -> None:
    project = corpus_project(tmp_path, name)
    result = run(["validate"], project)
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output
    result = run(["build", "--out", "bundle.zip"], project)
    assert result.exit_code == 0, result.output
    assert (project / "bundle.zip").stat().st_size > 10_000


def test_2026_07_has_exactly_its_one_known_defect(tmp_path: Path) -> None:
    project = corpus_project(tmp_path, "aspects-2026-07", fixed=False)
    result = run(["validate"], project)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    assert "Operator_Dashboard.yaml" in errors[0]
    assert DEFECT_UUID in errors[0]
    assert "native_filter_configuration" in errors[0]
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert any("COLUMN-cZHAXyMjrZ" in w and "CHART-YIks0931LR" in w for w in warnings)
    assert any("TAB-nXpinnLEX" in w for w in warnings)
    result = run(["build", "--out", "bundle.zip"], project)
    assert result.exit_code == 2
    assert not (project / "bundle.zip").exists()
