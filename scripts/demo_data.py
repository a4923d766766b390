"""The demo's data: a small, generated, xAPI-like sample, as ClickHouse SQL.

    python scripts/demo_data.py OUT.sql

Writes the statements (separated by ";\\n") that create the tables the demo's
datasets read, in the shape of Open edX Aspects' (xapi.xapi_events_all, the
reporting.fact_* tables derived from it, as Aspects' materialized views do),
and fill them: 60 learners, 4 courses of 2 organizations, six weeks of
enrollments, video views and problem attempts. The same file every run (a fixed
seed, stdlib only); times are ages in seconds that the SQL turns into times
before the moment it is loaded, so the sample is always "the last six weeks".
The demo's embedded ClickHouse (superset_ext's chdb dialect) runs it once per
Superset process.
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

SEED = 16
LEARNERS = 60
DAYS = 42
DAY = 86_400
COURSES = (
    ("OpenedX", "course-v1:OpenedX+DemoX+2026"),
    ("OpenedX", "course-v1:OpenedX+Aspects101+2026"),
    ("Sapiens", "course-v1:Sapiens+Astro1+2026_T1"),
    ("Sapiens", "course-v1:Sapiens+Bio2+2026_T1"),
)
REGISTERED = "http://adlnet.gov/expapi/verbs/registered"
UNREGISTERED = "http://id.tincanapi.com/verb/unregistered"
PLAYED = "https://w3id.org/xapi/video/verbs/played"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


@dataclass(frozen=True)
class Event:
    event_id: str
    verb_id: str
    actor_id: str
    object_id: str
    org: str
    course_id: str
    age: int  # seconds before load time
    event: str  # the statement's result or context, as JSON


def events(seed: int = SEED) -> list[Event]:
    """Every xAPI statement of the sample, oldest first."""
    rng = random.Random(seed)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    out: list[Event] = []
    learners = [new_id() for _ in range(LEARNERS)]
    for actor in learners:
        for org, course in rng.sample(COURSES, rng.randint(1, 3)):
            def add(verb: str, obj: str, age: int, detail: dict[str, object],
                    actor: str = actor, org: str = org, course: str = course) -> None:
                out.append(Event(new_id(), verb, actor, obj, org, course, age,
                                 json.dumps(detail, sort_keys=True)))

            start = rng.randrange(DAYS)  # days before today the learner enrolled
            add(REGISTERED, course, start * DAY + rng.randrange(DAY),
                {"mode": rng.choice(("audit", "audit", "verified"))})
            left = rng.randrange(start) if start and rng.random() < 0.15 else None
            # Active from the day after enrolling until the day before leaving.
            for day in range(start - 1, left if left is not None else -1, -1):
                if rng.random() < 0.35:
                    for _ in range(rng.randint(1, 4)):
                        add(PLAYED, f"{course}/video/{rng.randint(1, 8)}",
                            day * DAY + rng.randrange(DAY), {"time": rng.randint(5, 600)})
                if rng.random() < 0.25:
                    for _ in range(rng.randint(1, 3)):
                        add(ANSWERED, f"{course}/problem/{rng.randint(1, 12)}",
                            day * DAY + rng.randrange(DAY), {"success": rng.random() < 0.6})
            if left is not None:
                add(UNREGISTERED, course, left * DAY + rng.randrange(DAY), {})
    # The newest statement arrived a minute ago: a small, healthy xAPI lag.
    out.append(Event(new_id(), PLAYED, learners[0], f"{COURSES[0][1]}/video/1",
                     COURSES[0][0], COURSES[0][1], 60, json.dumps({"time": 42})))
    return sorted(out, key=lambda e: (-e.age, e.event_id))


def tsv(value: str) -> str:
    # The sample has no tab, newline or backslash: TabSeparated needs no escaping.
    assert not set(value) & {"\t", "\n", "\\"}, value
    return value


SCHEMA = """\
CREATE DATABASE IF NOT EXISTS xapi;
CREATE TABLE xapi.xapi_events_all (
    event_id UUID, verb_id LowCardinality(String), actor_id String, object_id String,
    org LowCardinality(String), course_id String, emission_time DateTime64(6, 'UTC'), event String
) ENGINE = ReplacingMergeTree ORDER BY (org, course_id, verb_id, actor_id, emission_time, event_id);
CREATE DATABASE IF NOT EXISTS reporting;
CREATE TABLE reporting.fact_enrollments (
    emission_time DateTime64(6, 'UTC'), org LowCardinality(String), course_key String,
    actor_id String, enrollment_mode LowCardinality(String),
    enrollment_status LowCardinality(String)
) ENGINE = MergeTree ORDER BY (org, course_key, emission_time);
CREATE TABLE reporting.fact_video_plays (
    emission_time DateTime64(6, 'UTC'), org LowCardinality(String), course_key String,
    actor_id String, video_id String, video_position UInt32
) ENGINE = MergeTree ORDER BY (org, course_key, emission_time);
CREATE TABLE reporting.fact_problem_responses (
    emission_time DateTime64(6, 'UTC'), org LowCardinality(String), course_key String,
    actor_id String, problem_id String, success Bool
) ENGINE = MergeTree ORDER BY (org, course_key, emission_time);
"""

# What Aspects' materialized views derive from the statements.
FACTS = f"""\
INSERT INTO reporting.fact_enrollments
SELECT emission_time, org, course_id, actor_id,
       if(verb_id = '{REGISTERED}', JSONExtractString(event, 'mode'), ''),
       if(verb_id = '{REGISTERED}', 'registered', 'unregistered')
FROM xapi.xapi_events_all WHERE verb_id IN ('{REGISTERED}', '{UNREGISTERED}');
INSERT INTO reporting.fact_video_plays
SELECT emission_time, org, course_id, actor_id, object_id, JSONExtractUInt(event, 'time')
FROM xapi.xapi_events_all WHERE verb_id = '{PLAYED}';
INSERT INTO reporting.fact_problem_responses
SELECT emission_time, org, course_id, actor_id, object_id, JSONExtractBool(event, 'success')
FROM xapi.xapi_events_all WHERE verb_id = '{ANSWERED}';
"""


def sql(seed: int = SEED) -> str:
    rows = "".join("\t".join(tsv(str(field)) for field in (
        e.event_id, e.verb_id, e.actor_id, e.object_id, e.org, e.course_id, e.age, e.event)) + "\n"
        for e in events(seed))
    # Rows in a format (not in the query text, that ClickHouse parses slowly and
    # at most 256 KiB of), staged with their ages, then given their times.
    return SCHEMA + f"""\
CREATE TABLE xapi.sample_statements (
    event_id UUID, verb_id String, actor_id String, object_id String, org String,
    course_id String, age UInt32, event String
) ENGINE = Memory;
INSERT INTO xapi.sample_statements FORMAT TabSeparated
{rows};
INSERT INTO xapi.xapi_events_all
SELECT event_id, verb_id, actor_id, object_id, org, course_id,
       now64(6, 'UTC') - toIntervalSecond(age), event
FROM xapi.sample_statements;
DROP TABLE xapi.sample_statements;
""" + FACTS


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: demo_data.py OUT.sql", file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    text = sql()
    if not out.exists() or out.read_text(encoding="utf-8") != text:
        out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
