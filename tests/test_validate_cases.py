"""Each file under tests/data/invalid/ is one bad input: adding a case is adding a file.

A case changes a copy of the valid base project (`layers`: asset layers above
`assets/`, each a path or `{path, rendered}`, written as the settings'
`assets_dir` list; then `replace`, `copy`, `write`,
`write_bytes` (a text whose characters are the bytes), `recode` (a file in
another encoding), `remove`, then `symlink` (link → target), `env`, `args` before
the command, `options` after it), may name the `commands` it is about (a
failed write concerns `build` only; default: validate and build here, import and
diff in the live test) and says what the error must
name (`expect`: `message`, and `file`, `key`, `line`, `absent` where they
apply). tests/test_bad_input_live.py runs the same cases through
`import` and `diff` and checks that no request reaches Superset.
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
    if case.get("layers"):
        config_file = project / "aspects-assets.yaml"
        config = yaml.safe_load(config_file.read_text())
        config["assets_dir"] = [{"path": "assets"}, *(
            {"path": layer} if isinstance(layer, str) else layer for layer in case["layers"])]
        config_file.write_text(yaml.safe_dump(config))
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
    for path, content in (case.get("write_bytes") or {}).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_bytes(content.encode("latin-1"))
    for path, encoding in (case.get("recode") or {}).items():
        (project / path).write_bytes((project / path).read_text().encode(encoding))
    for path in case.get("remove") or []:
        shutil.rmtree(project / path)
    for path, target in (case.get("symlink") or {}).items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).symlink_to(target)


def load_case(case_file: Path) -> dict[str, Any]:
    case: dict[str, Any] = yaml.safe_load(case_file.read_text())
    return case


def cases_for(commands: dict[str, list[str]], default: list[str]) -> list[Any]:
    """(case file, command) pairs: the commands a case names, else the default ones."""
    out = []
    for case_file in CASES:
        wanted = load_case(case_file).get("commands") or default
        out += [pytest.param(case_file, commands[name], id=f"{name}-{case_file.stem}")
                for name in commands if name in wanted]
    return out


def case_args(case: dict[str, Any], command: list[str]) -> list[str]:
    return [*case.get("args", []), *command, *case.get("options", [])]


def assert_reported(case: dict[str, Any], exit_code: int, output: str) -> None:
    """Exit 2, and the output names what the case expects, without a traceback."""
    expect = case["expect"]
    assert exit_code == 2, output
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


@pytest.mark.parametrize(("case_file", "command"),
                         cases_for({"validate": ["validate"],
                                    "build": ["build", "--out", "out.zip"],
                                    "extract-translations": ["extract-translations"],
                                    "init": ["init", "--from-tutor"]},
                                   default=["validate", "build"]))
def test_bad_input_is_reported_with_file_and_key(
    case_file: Path, command: list[str], base_project: Path
) -> None:
    case = load_case(case_file)
    apply_case(base_project, case)
    result = run(case_args(case, command), base_project, env=case.get("env"))
    assert_reported(case, result.exit_code, result.output)
    assert not (base_project / "out.zip").exists(), "nothing is built from bad input"


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_valid_base_project_passes(base_project: Path) -> None:
    result = run(["validate"], base_project)
    assert result.exit_code == 0, result.output
    assert "1 databases, 1 datasets, 1 charts, 1 dashboards: 0 error(s), 0 warning(s)" in result.output
