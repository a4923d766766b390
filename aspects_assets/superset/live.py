"""Reading the live state of a Superset: the edge of the program that looks (the
`refresh` of read → plan → apply).

`read_snapshot` reads everything a plan needs, once per run, into an immutable
`Snapshot`. Lists are cheap (uuid, id, changed_on of every asset in a few pages,
the pages fetched in parallel); exports are not, so they are read only for a
full comparison, and only the assets it compares, top-down: a dashboard's export
already carries its charts, datasets and databases.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from aspects_assets.core.adopt import LiveDataset, LiveDetails
from aspects_assets.core.kinds import API_KINDS, BUNDLE_KINDS, OBJECT_KINDS
from aspects_assets.core.kinds.owners import OWNERS_COLUMN, Owners
from aspects_assets.core.kinds.owners import listed as owners_listed
from aspects_assets.core.normalize import normalize_all
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import KINDS, Kind
from aspects_assets.model.errors import BadRecord, SupersetError
from aspects_assets.model.record import ProjectRecord, record_name
from aspects_assets.model.snapshot import Bodies, ExportFiles, LiveRow, Snapshot

T = TypeVar("T")


def read_snapshot(api: SupersetApi, project: str,
                  compare: Collection[str] | None = None, *,
                  owners: Sequence[str] | None = None,
                  exported: Callable[[Snapshot], Collection[str]] | None = None) -> Snapshot:
    """The project record, every list row, each API kind's state and the server's
    info (asked once here, for the whole run).

    `compare`: for a full comparison, the uuids of the code's assets in scope; their
    exports are read (or, with `exported`, those it picks from the snapshot as read
    so far), and the API kinds' state of those assets. Without it (an
    incremental import) an API kind's state is what the record says was set,
    where reading it would cost a request per asset. `owners`: the settings' owners
    (the rows carry each asset's owners only where the project sets them or did)."""
    record, record_id = read_record(api, project)
    with_owners = owners_listed(owners, record)
    expected: dict[Kind, int] = {}
    for managed in (record.managed.values() if record else ()):
        expected[managed.kind] = expected.get(managed.kind, 0) + 1
    # The lists, the objects and the server's info at once: they do not depend on
    # each other, and each is a round trip. Only the object kinds the record has: a
    # project without roles or filters never reads them (`read_more_objects` reads
    # what the code declares).
    recorded_kinds = [k for k in OBJECT_KINDS.values() if record and k.name in record.objects]
    with ThreadPoolExecutor(2 + len(recorded_kinds)) as pool:
        listed = pool.submit(list_rows, api, expected, owners=with_owners)
        info = pool.submit(api.info)
        read_objects = {kind.name: pool.submit(kind.read, api, record.managed_objects(kind.name))
                        for kind in recorded_kinds if record}
        rows = listed.result()
    objects = {name: future.result() for name, future in read_objects.items()}
    snapshot = Snapshot(rows=rows, record=record, record_id=record_id, info=info.result(),
                        objects=objects, rows_with_owners=with_owners)
    bodies: Bodies | None = None
    access: dict[str, Mapping[str, Any]] = {}
    if compare is not None:
        bodies = export_bodies(api, rows, compare if exported is None else exported(snapshot))
    for kind in API_KINDS.values():
        recorded = kind.recorded(record) if compare is None else None
        if recorded is not None:
            access[kind.name] = recorded
            continue
        uuids = rows if compare is None else compare
        access[kind.name] = kind.read(api, rows, [u for u in uuids
                                                  if u in rows and rows[u].kind in kind.targets])
    return replace(snapshot, access=access, bodies=bodies)


def read_more_objects(api: SupersetApi, snapshot: Snapshot,
                      specs: Mapping[str, Collection[Any]]) -> Snapshot:
    """The snapshot with the live objects of the kinds the code declares read too."""
    record = snapshot.record
    more = {kind.name: kind.read(api, record.managed_objects(kind.name) if record else [])
            for kind in OBJECT_KINDS.values()
            if specs.get(kind.name) and kind.name not in snapshot.objects}
    return snapshot.with_objects(more) if more else snapshot


def read_more_access(api: SupersetApi, snapshot: Snapshot,
                     wanted: Mapping[str, Collection[str]]) -> Snapshot:
    """The snapshot with the live state of more assets read, per API kind (what
    an incremental plan found it needs: `core.incremental.access_reads`)."""
    for name, uuids in wanted.items():
        if uuids:
            snapshot = snapshot.with_access(name, API_KINDS[name].read(api, snapshot.rows,
                                                                       uuids))
    return snapshot


def list_rows(api: SupersetApi, expected: Mapping[Kind, int] | None = None, *,
              owners: bool = False, kinds: Collection[Kind] = KINDS) -> dict[str, LiveRow]:
    """uuid → LiveRow for every asset of these kinds (all four unless told; in
    parallel; `expected`: kind → how many rows there should be, so that all pages
    are asked for at once; `owners`: with each asset's owners)."""
    def rows_of(kind: Kind) -> list[LiveRow]:
        spec = BUNDLE_KINDS[kind]
        columns = [*spec.list_columns,
                   *([OWNERS_COLUMN] if owners and kind in Owners.targets else [])]
        return [spec.row(item) for item in api.list_all(
            kind, columns, expected=(expected or {}).get(kind, 0))]

    chosen = [k for k in KINDS if k in kinds]
    with ThreadPoolExecutor(max(1, len(chosen))) as pool:
        results = list(pool.map(rows_of, chosen))
    return {row.uuid: row for rows in results for row in rows}


# Above this share of all assets, one export of everything beats exports by id:
# a dashboard's export repeats the charts and datasets it shares with others.
FULL_EXPORT_SHARE = 0.5


def export_top_down(api: SupersetApi, rows: Mapping[str, LiveRow], wanted: Collection[str],
                    parse: Callable[[ExportFiles], Mapping[str, T]], *,
                    whole_when_most: bool = False, related: bool = False) -> dict[str, T]:
    """uuid → parsed asset for the wanted assets that are live (and what their
    exports carry along). Dashboards are exported first, then whatever of the rest
    their exports did not carry. With `whole_when_most`, one export of everything
    when most assets are wanted. With `related`, Superset's own export, which
    carries what each asset uses; else what the export says, as fast as the server
    gives it (`SupersetClient.export_data`)."""
    present = [u for u in wanted if u in rows]
    if not present:
        return {}
    if whole_when_most and len(present) >= FULL_EXPORT_SHARE * len(rows):
        return dict(parse(api.export_all() if related else api.export_all_data()))
    out: dict[str, T] = {}
    for kind in reversed(KINDS):
        missing = [rows[u].id for u in present if rows[u].kind == kind and u not in out]
        if missing:
            out.update(parse(api.export(kind, missing) if related
                             else api.export_data(kind, missing)))
    return out


def export_bodies(api: SupersetApi, rows: Mapping[str, LiveRow],
                  wanted: Collection[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """uuid → (kind, normalized body) for the wanted assets that are live."""
    return export_top_down(api, rows, wanted, normalize_all, whole_when_most=True)


def read_details(api: SupersetApi, rows: Mapping[str, LiveRow]) -> LiveDetails:
    """Where each dataset's table is, and which dataset each chart uses (for adopt)."""
    databases = {r.id: r.uuid for r in rows.values() if r.kind == "database"}
    datasets = {}
    by_id = {}
    for item in api.list_all("dataset", ["id", "uuid", "database.id", "schema",
                                         "table_name", "sql"]):
        database = item.get("database") or {}
        sql = item.get("sql")
        dataset = LiveDataset(
            uuid=str(item["uuid"]),
            database_uuid=databases.get(int(database.get("id") or -1), ""),
            schema=str(item.get("schema") or ""), table_name=str(item.get("table_name") or ""),
            physical=not (isinstance(sql, str) and sql.strip()))
        datasets[dataset.uuid] = dataset
        by_id[int(item["id"])] = dataset.uuid
    charts = {}
    for item in api.list_all("chart", ["uuid", "datasource_id", "datasource_type"]):
        if item.get("datasource_type") in (None, "table") and item.get("datasource_id"):
            used = by_id.get(int(item["datasource_id"]))
            if used:
                charts[str(item["uuid"])] = used
    return LiveDetails(datasets=datasets, chart_dataset=charts)


class StoredRecord(NamedTuple):
    """The project record as Superset holds it, and its CSS template's id (None, None:
    the project has no record there)."""

    record: ProjectRecord | None
    id: int | None


def read_record(api: SupersetApi, project: str) -> StoredRecord:
    row = api.find_css_template(record_name(project))
    if row is None:
        return StoredRecord(None, None)
    name = record_name(project)
    try:
        record = ProjectRecord.from_css(project, str(row.get("css") or ""))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise BadRecord(
            f"the project record {name!r} (CSS template id {row['id']} in Superset) cannot "
            f"be read: {exc}. It is written by aspects-assets only; if it was edited by "
            "hand, restore it, or delete that CSS template and run `aspects-assets adopt` "
            "to record the project's assets anew.") from exc
    return StoredRecord(record, int(row["id"]))


def write_record(api: SupersetApi, record: ProjectRecord, pk: int | None) -> int:
    name = record_name(record.project)
    if pk is not None:
        try:
            api.update_css_template(pk, name, record.to_css())
            return pk
        except SupersetError as exc:
            if exc.status != 404:
                raise
            # Deleted by hand while this run imported: what was sent is in Superset,
            # so the record is written anew rather than the run failing after the fact.
    return api.create_css_template(name, record.to_css())
