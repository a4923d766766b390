"""Where `build` writes: beside the target, renamed into place. A failed write (a
full disk, a folder that cannot be written) or Ctrl-C leaves the earlier bundle as
it was and no temporary file; a folder bundle holds exactly the new files. And
whatever `validate` accepts, `build` writes."""

from __future__ import annotations

import errno
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import aspects_assets.cli.main as cli_main

from conftest import run

TOP = "aspects_assets_bundle"


def _entries(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _failing_writes(monkeypatch: pytest.MonkeyPatch, error: BaseException, after: int) -> None:
    """Path.write_bytes fails on the `after`-th call, having written half its data."""
    original = Path.write_bytes
    calls = {"n": 0}

    def write_bytes(self: Path, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] >= after:
            original(self, bytes(data)[: len(data) // 2])
            raise error
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_folder_bundle_keeps_no_stale_file(base_project: Path) -> None:
    assert run(["build", "--out", "dist"], base_project).exit_code == 0
    stale = base_project / "dist" / TOP / "charts" / "Removed_chart.yaml"
    stale.write_text("left from an earlier build\n")
    (base_project / "dist" / "notes.txt").write_text("not ours\n")
    result = run(["build", "--out", "dist"], base_project)
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert (base_project / "dist" / "notes.txt").exists(), "only the bundle's folder is replaced"
    assert {p.name for p in (base_project / "dist").iterdir()} == {TOP, "notes.txt"}


@pytest.mark.parametrize(("out", "after"), [("dist/bundle.zip", 1), ("dist", 3)])
def test_a_full_disk_leaves_the_earlier_bundle_and_no_temporary(
        out: str, after: int, base_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(["build", "--out", out], base_project).exit_code == 0
    before = {p: p.read_bytes() for p in (base_project / "dist").rglob("*") if p.is_file()}
    _failing_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"), after)
    result = run(["build", "--out", out], base_project)
    assert result.exit_code == 2, result.output
    assert f"{out} [--out]: cannot write here: No space left on device" in result.output
    assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in (base_project / "dist").rglob("*") if p.is_file()}
    assert after == before, "the earlier bundle is untouched, nothing half-written is left"


def test_a_full_disk_on_a_first_build_leaves_nothing(base_project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"), after=1)
    result = run(["build", "--out", "dist/new/bundle.zip"], base_project)
    assert result.exit_code == 2, result.output
    assert not (base_project / "dist").exists(), "not even the folders it made"


def test_ctrl_c_exits_130_with_one_line_and_leaves_nothing(
        base_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(["build", "--out", "dist"], base_project).exit_code == 0
    before = _entries(base_project / "dist")
    _failing_writes(monkeypatch, KeyboardInterrupt(), after=3)
    result = run(["build", "--out", "dist"], base_project)
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == ["Error: interrupted (Ctrl-C)"]
    assert _entries(base_project / "dist") == before


def test_a_folder_that_cannot_be_written(base_project: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    result = run(["build", "--out", "readonly/bundle.zip"], base_project)
    assert result.exit_code == 2, result.output
    assert "readonly/bundle.zip [--out]: cannot write here: Permission denied" in result.output


def test_an_unexpected_error_is_a_sentence_that_says_it_is_a_bug(
        base_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("postgresql://u:hunter2@db/x")

    monkeypatch.setattr(cli_main, "build_bundle", broken)
    result = run(["build", "--out", "out.zip"], base_project)
    assert result.exit_code == 2
    assert "unexpected ValueError at aspects_assets/cli/main.py" in result.output
    assert "a bug in aspects-assets" in result.output
    assert "hunter2" not in result.output and "Traceback" not in result.output


def test_running_out_of_memory_is_a_sentence(base_project: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError

    monkeypatch.setattr(cli_main, "build_bundle", exhausted)
    result = run(["build", "--out", "out.zip"], base_project)
    assert result.exit_code == 2
    assert result.output == "Error: ran out of memory (is an input far larger than intended?)\n"


# Values that are unusual but valid: each must validate, build, and reach the
# bundle as YAML read it.
ODD_BUT_VALID = {
    "quoted_date": "'2024-01-01'",
    "exponent_float": "1e-05",
    "big_integer": "123456789012345678901234567890",
    "negative_zero": "-0.0",
    "unicode": '"é 日本語 🙂 \\t tab"',
    "empty_text": "''",
    "null": "~",
    "nested": "[[1, [2, [3, {a: [4]}]]], {}]",
    "anchor_and_merge": "{base: &b {x: 1, y: 2}, merged: {<<: *b, y: 3}}",
    "octal_like_text": "'0o17'",
    "yes_as_text": "'yes'",
    "long_text": "'" + "x" * 100_000 + "'",
}


@pytest.mark.parametrize("name", sorted(ODD_BUT_VALID))
def test_whatever_validate_accepts_build_writes(name: str, base_project: Path) -> None:
    chart = base_project / "assets" / "charts" / "enrollments.yaml"
    written = ODD_BUT_VALID[name]
    chart.write_text(chart.read_text().replace(
        "  x_axis: emission_time", f"  x_axis: emission_time\n  odd_value: {written}"))
    expected = yaml.safe_load(f"v: {written}")["v"]
    assert run(["validate"], base_project).exit_code == 0
    result = run(["build", "--out", "out.zip"], base_project)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(base_project / "out.zip") as archive:
        chart_file = next(n for n in archive.namelist() if "/charts/" in n)
        sent = yaml.safe_load(archive.read(chart_file))
    assert sent["params"]["odd_value"] == expected
