"""Snapshots of a real Superset, recorded as JSON in tests/data/snapshots/, so that
planning is tested on what Superset really answered, without a server.

Recording (against the local Superset, after an import of the project):
    SUPERSET_URL=http://127.0.0.1:8088 SUPERSET_PASSWORD=admin \\
        .venv/bin/python -m tests.unit.snapshots PROJECT_DIR NAME
writes NAME.json with the incremental form (record, rows, the API kinds as the
record has them) and NAME-full.json with the full form (exports, the API kinds as
read)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo, Snapshot

SNAPSHOTS = Path(__file__).parent.parent / "data" / "snapshots"


def to_json(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "rows": [asdict(r) for r in sorted(snapshot.rows.values(), key=lambda r: r.uuid)],
        "record": snapshot.record.to_css() if snapshot.record else None,
        "record_id": snapshot.record_id,
        "info": asdict(snapshot.info),
        "access": {k: dict(v) for k, v in snapshot.access.items()},
        "bodies": ({u: list(b) for u, b in snapshot.bodies.items()}
                   if snapshot.bodies is not None else None),
    }


def from_json(data: dict[str, Any], project: str) -> Snapshot:
    rows = {}
    for row in data["rows"]:
        rows[row["uuid"]] = LiveRow(**{**row, "roles": tuple(row["roles"]),
                                       "tags": tuple(row.get("tags", ())),
                                       "table_of": tuple(row["table_of"])})
    return Snapshot(
        rows=rows,
        record=ProjectRecord.from_css(project, data["record"]) if data["record"] else None,
        record_id=data["record_id"], info=ServerInfo(**data["info"]),
        access={k: {u: tuple(v) if isinstance(v, list) else v for u, v in values.items()}
                for k, values in data["access"].items()},
        bodies=({u: (b[0], b[1]) for u, b in data["bodies"].items()}
                if data["bodies"] is not None else None))


def load(name: str, project: str) -> Snapshot:
    return from_json(json.loads((SNAPSHOTS / f"{name}.json").read_text()), project)


def _record(project_dir: Path, name: str) -> None:
    from aspects_assets.project.settings import load_settings
    from aspects_assets.run.pipeline import checked_or_fail
    from aspects_assets.superset.client import SupersetClient
    from aspects_assets.superset.live import read_snapshot

    settings = load_settings(cwd=project_dir, env=dict(os.environ))
    client = SupersetClient.from_settings(settings)
    uuids = [a.uuid for a in checked_or_fail(settings).assets]
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for suffix, snapshot in (("", read_snapshot(client, settings.project)),
                             ("-full", read_snapshot(client, settings.project, uuids))):
        text = json.dumps(to_json(snapshot), indent=1, sort_keys=True, ensure_ascii=False)
        (SNAPSHOTS / f"{name}{suffix}.json").write_text(text + "\n")


if __name__ == "__main__":
    _record(Path(sys.argv[1]), sys.argv[2])
