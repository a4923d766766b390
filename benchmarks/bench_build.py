"""Build of aspects-2024-08 x every locale of its locale.yaml (issue: localization speed).

The catalogs come from the corpus's own `locale.yaml` through `translations
import-legacy`, in a temporary folder. Prints the seconds of the build (settings
→ render → catalogs → localized copies → validate → bundle → ZIP bytes), best
and median of several runs, and the peak RSS of the process.

    .venv/bin/python benchmarks/bench_build.py [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from aspects_assets.core.bundle import build_bundle
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import checked_or_fail

from conftest import corpus_with_catalogs

RUNS = 5


def build_once(project: Path) -> tuple[int, int]:
    settings = load_settings(cwd=project, env={})
    checked = checked_or_fail(settings)
    data = build_bundle(checked.assets).zip_bytes()
    return len(checked.assets), len(data)


def main() -> None:
    work = Path(tempfile.mkdtemp())
    try:
        project, locales = corpus_with_catalogs(work)
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(build_once, project)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            count, size = build_once(project)
            times.append(time.perf_counter() - start)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"aspects-2024-08 x {len(locales)} locales: {count} assets, ZIP {size / 1e6:.2f} MB")
        print(
            f"build, in-process: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
            f"over {RUNS} runs; peak RSS {peak_mb:.0f} MB"
        )
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
