"""Each file under tests/data/invalid/ is one bad input: adding a case is adding a file.

A case changes a copy of the valid base project (`replace`, `copy`, `write`,
`remove`, `env`, `args`) and says what the error must name (`expect`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import DATA, run

CASES = sorted((DATA / "invalid").glob("*.yaml"))


def apply_case(project: Path, case: dict[str, Any]) -> None:
    for source, target in (case.get("copy") or {}).items():
        shutil.copy(project / source, project / target)
    for path, pairs in (case.get("replace") or {}).items():
        text = (project / path).read_text()
        for old, new in pairs:
            assert old in text, f"case replaces {old!r}, which is not in {path}"
            text = text.replace(old, new)
        (project / path).write_text(text)
    for path, content in (case.get("write") or {}).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(content)
    for path in case.get("remove") or []:
        shutil.rmtree(project / path)


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
@pytest.mark.parametrize("command", [["validate"], ["build", "--out", "out.zip"]],
                         ids=["validate", "build"])
def test_bad_input_is_reported_with_file_and_key(
    case_file: Path, command: list[str], base_project: Path
) -> None:
    case = yaml.safe_load(case_file.read_text())
    apply_case(base_project, case)
    result = run([*case.get("args", []), *command], base_project, env=case.get("env"))
    expect = case["expect"]
    assert result.exit_code == 2, result.output
    output = result.output
    assert expect["message"] in output
    if "file" in expect:
        assert expect["file"] in output
    if "key" in expect:
        assert f"[{expect['key']}]" in output
    if "line" in expect:
        assert f"{expect['file']}:{expect['line']}" in output
    if "absent" in expect:
        assert expect["absent"] not in output
    assert "Traceback" not in output
    assert not (base_project / "out.zip").exists(), "nothing is built from bad input"


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_valid_base_project_passes(base_project: Path) -> None:
    result = run(["validate"], base_project)
    assert result.exit_code == 0, result.output
    assert "1 databases, 1 datasets, 1 charts, 1 dashboards: 0 error(s), 0 warning(s)" in result.output
