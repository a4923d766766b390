"""Offline build of the real aspects-2026-07 corpus (issue: offline pipeline speed).

Prints the seconds of work beyond interpreter start (settings → render →
validate → bundle → ZIP bytes), best and median of several runs, and checks
that PyYAML's C loader and dumper are the ones in use.

    .venv/bin/python benchmarks/bench_build_2026.py
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from aspects_assets.core.bundle import build_bundle
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import checked_or_fail

from conftest import corpus_project

RUNS = 7


def main() -> None:
    assert yaml.__with_libyaml__, "PyYAML without libyaml: the C loader and dumper are missing"
    work = Path(tempfile.mkdtemp())
    try:
        project = corpus_project(work, "aspects-2026-07")
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            settings = load_settings(cwd=project, env={})
            checked = checked_or_fail(settings)
            data = build_bundle(checked.assets).zip_bytes()
            times.append(time.perf_counter() - start)
        print(f"aspects-2026-07: {checked.assets.summary()} ({len(checked.assets)} assets), "
              f"ZIP {len(data) / 1e6:.2f} MB")
        print(f"build, in-process: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
              f"over {RUNS} runs (C loader and dumper: {yaml.__with_libyaml__})")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
