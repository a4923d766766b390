"""The demo's generated sample (scripts/demo_data.py): deterministic, small,
xAPI-like, and shaped as the demo's datasets read it. That ClickHouse runs it
and the charts draw it is tests/integration/test_demo_charts_browser.py."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

from conftest import REPO

SCRIPT = REPO / "scripts" / "demo_data.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_data", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_data"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_the_script_writes_the_same_file_on_every_run(tmp_path: Path) -> None:
    out = tmp_path / "demo" / "sample.sql"
    for _ in range(2):
        subprocess.run([sys.executable, str(SCRIPT), str(out)], check=True)
    first = out.read_bytes()
    other = tmp_path / "again.sql"
    subprocess.run([sys.executable, str(SCRIPT), str(other)], check=True)
    assert other.read_bytes() == first
    assert first.count(b"\n") > 3000


def test_the_script_says_how_to_call_it() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 2 and "usage: demo_data.py OUT.sql" in result.stderr


def test_the_sample_is_learners_in_courses_over_six_weeks() -> None:
    data = load()
    events = data.events()
    verbs = Counter(e.verb_id for e in events)
    assert set(verbs) == {data.REGISTERED, data.UNREGISTERED, data.PLAYED, data.ANSWERED}
    assert verbs[data.PLAYED] > verbs[data.REGISTERED] > verbs[data.UNREGISTERED] > 0
    assert len({e.actor_id for e in events}) == data.LEARNERS
    assert {e.course_id for e in events} == {course for _, course in data.COURSES}
    assert len({e.event_id for e in events}) == len(events)
    assert max(e.age for e in events) < data.DAYS * data.DAY
    assert min(e.age for e in events) == 60  # the newest: a minute-old statement
    days = {e.age // data.DAY for e in events if e.verb_id == data.PLAYED}
    assert len(days) > 30  # activity on most days of the six weeks


def test_every_learner_enrolls_before_acting_and_acts_only_while_enrolled() -> None:
    data = load()
    enrolled: dict[tuple[str, str], tuple[int, int]] = {}
    events = data.events()
    for e in events:
        if e.verb_id == data.REGISTERED:
            enrolled[(e.actor_id, e.course_id)] = (e.age, -1)
    for e in events:
        if e.verb_id == data.UNREGISTERED:
            start, _ = enrolled[(e.actor_id, e.course_id)]
            enrolled[(e.actor_id, e.course_id)] = (start, e.age)
    for e in events[:-1]:  # the last is the minute-old one of learner 0
        if e.verb_id in (data.PLAYED, data.ANSWERED):
            start, left = enrolled[(e.actor_id, e.course_id)]
            assert start > e.age > left, e


def test_the_sql_creates_the_tables_the_demo_datasets_read() -> None:
    sql = load().sql()
    created = set(re.findall(r"CREATE TABLE (\w+\.\w+)", sql))
    assert {"xapi.xapi_events_all", "reporting.fact_enrollments", "reporting.fact_video_plays",
            "reporting.fact_problem_responses"} <= created
    templates = " ".join(p.read_text() for p in (REPO / "templates" / "queries").glob("*.sql"))
    for table in re.findall(r"\{\{ (?:REPORTING|XAPI)_DATABASE \}\}\.(\w+)", templates):
        assert any(name.endswith("." + table) for name in created), table
    # Statements are separated by ";\n", as the dialect splits them.
    assert all(part.strip() for part in sql.split(";\n")[:-1])
