"""Reading the live state of a Superset: the edge of the program that looks.

Lists are cheap (uuid, id, changed_on of every asset in a few pages); exports
are not, so only the assets a run needs to compare are exported, top-down:
a dashboard's export already carries its charts, datasets and databases.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from aspects_assets.core.normalize import normalize_all
from aspects_assets.model.assets import KINDS
from aspects_assets.model.errors import BadRecord, SupersetError
from aspects_assets.model.record import ProjectRecord, record_name
from aspects_assets.superset.client import SupersetClient

LIST_COLUMNS = {
    "database": ["id", "uuid", "changed_on", "database_name"],
    "dataset": ["id", "uuid", "changed_on_utc", "table_name", "database.id", "catalog",
                "schema"],
    "chart": ["id", "uuid", "changed_on_utc", "slice_name"],
    "dashboard": ["id", "uuid", "changed_on_utc", "slug", "dashboard_title", "roles.id",
                  "roles.name"],
}


@dataclass(frozen=True)
class LiveRow:
    """One asset as a list endpoint shows it."""

    kind: str
    uuid: str
    id: int
    changed_on: str
    title: str
    roles: tuple[str, ...] = ()
    # A dataset's table as Superset's import matches it: (database id, catalog, schema).
    table_of: tuple[int | None, str | None, str | None] = (None, None, None)


@dataclass(frozen=True)
class LiveState:
    rows: Mapping[str, LiveRow]  # uuid → row, every asset of the four kinds
    bodies: Mapping[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    embedded: Mapping[str, dict[str, Any]] = field(default_factory=dict)  # dashboard uuid →

    def ids(self, kind: str, uuids: Iterable[str]) -> list[int]:
        return [self.rows[u].id for u in uuids if u in self.rows and self.rows[u].kind == kind]


def list_rows(client: SupersetClient) -> dict[str, LiveRow]:
    """uuid → LiveRow for every database, dataset, chart and dashboard (in parallel)."""
    def rows_of(kind: str) -> list[LiveRow]:
        out = []
        for row in client.list_all(kind, LIST_COLUMNS[kind]):
            title_key = LIST_COLUMNS[kind][3]
            roles = tuple(sorted(str(r["name"]) for r in row.get("roles") or []))
            database = row.get("database") or {}
            out.append(LiveRow(kind=kind, uuid=str(row["uuid"]), id=int(row["id"]),
                               changed_on=str(row.get("changed_on_utc") or
                                              row.get("changed_on") or ""),
                               title=str(row.get(title_key) or ""), roles=roles,
                               table_of=(database.get("id"), row.get("catalog"),
                                         row.get("schema"))))
        return out

    with ThreadPoolExecutor(len(KINDS)) as pool:
        results = list(pool.map(rows_of, KINDS))
    return {row.uuid: row for rows in results for row in rows}


# Above this share of all assets, one export of everything beats exports by id:
# a dashboard's export repeats the charts and datasets it shares with others.
FULL_EXPORT_SHARE = 0.5


def export_bodies(client: SupersetClient, rows: Mapping[str, LiveRow],
                  wanted: Collection[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """uuid → (kind, normalized body) for the wanted assets that are live."""
    present = [u for u in wanted if u in rows]
    if not present:
        return {}
    if len(present) >= FULL_EXPORT_SHARE * len(rows):
        return normalize_all(client.export_all())
    bodies: dict[str, tuple[str, dict[str, Any]]] = {}
    for kind in reversed(KINDS):  # dashboards first: their exports carry the rest
        missing = [rows[u].id for u in present if rows[u].kind == kind and u not in bodies]
        if missing:
            bodies.update(normalize_all(client.export(kind, missing)))
    return bodies


def embedded_of(client: SupersetClient, rows: Mapping[str, LiveRow],
                dashboards: Iterable[str]) -> dict[str, dict[str, Any]]:
    """dashboard uuid → its embedding (uuid, allowed_domains), where it has one."""
    ids = [(u, rows[u].id) for u in dashboards if u in rows]

    def one(item: tuple[str, int]) -> tuple[str, dict[str, Any] | None]:
        return item[0], client.embedded(item[1])

    with ThreadPoolExecutor(client.workers) as pool:
        return {u: e for u, e in pool.map(one, ids) if e is not None}


def read_record(client: SupersetClient, project: str) -> tuple[ProjectRecord | None, int | None]:
    row = client.find_css_template(record_name(project))
    if row is None:
        return None, None
    name = record_name(project)
    try:
        record = ProjectRecord.from_css(project, str(row.get("css") or ""))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadRecord(
            f"the project record {name!r} (CSS template id {row['id']} in Superset) cannot "
            f"be read: {exc}. It is written by aspects-assets only; if it was edited by "
            "hand, restore it, or delete that CSS template and run `aspects-assets adopt` "
            "to record the project's assets anew.") from exc
    return record, int(row["id"])


def write_record(client: SupersetClient, record: ProjectRecord, pk: int | None) -> int:
    name = record_name(record.project)
    if pk is not None:
        try:
            client.update_css_template(pk, name, record.to_css())
            return pk
        except SupersetError as exc:
            if exc.status != 404:
                raise
            # Deleted by hand while this run imported: what was sent is in Superset,
            # so the record is written anew rather than the run failing after the fact.
    return client.create_css_template(name, record.to_css())
