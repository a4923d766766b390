"""Apply a Plan to Superset: assets in chunks, the API kinds (roles, embedding),
prune, record. Reads only what executing needs: the ids of what it just created
(one list after sending, when something is to be set or deleted on them) and, for
the record, Superset's changed_on after the run (one list, when anything was
written).

Order matters for a run that fails half-way: assets go first, in dependency
order and in chunks that each commit on their own, every chunk built before the
first is sent; roles and embedding only refer to dashboards that are in. The
record is written after every chunk Superset accepted (those assets as sent, their
`changed_on` not yet known, the inputs hash still the old one) and once more at
the end, so a run that stopped early is simply repeated: the next plan finds the
accepted chunks' assets as sent (`core.incremental.settle`) and sends what is
still missing.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.chunking import Chunk, import_requests
from aspects_assets.core.incremental import EDITED_IN_SUPERSET, fingerprints
from aspects_assets.core.kinds import API_KINDS, BUNDLE_KINDS, OBJECT_KINDS, ObjectKind
from aspects_assets.core.kinds.base import Applied
from aspects_assets.core.kinds.objects import object_state_digest
from aspects_assets.core.plan import plan_objects, wanted_access
from aspects_assets.core.recording import record_after, record_sent
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import KINDS, Asset, AssetSet, Kind
from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.model.plan import AccessChange, Action, AssetChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.report import Report
from aspects_assets.model.secrets import MASK
from aspects_assets.model.snapshot import LiveRow, Snapshot
from aspects_assets.project.settings import Settings
from aspects_assets.run.planning import Planned
from aspects_assets.superset.live import list_rows, write_record

Progress = Callable[[str, int], None]  # (what, how many done) → None


@dataclass(frozen=True)
class ApplyResult:
    report: Report
    backup: bytes | None  # an export of what was pruned, taken before deleting
    # API kind → asset uuid → its state after the run (the manifest reads embedding).
    access: Mapping[str, Mapping[str, Any]]


def database_passwords(assets: AssetSet, settings: Settings,
                       env: Mapping[str, str]) -> dict[str, str]:
    """database uuid → password, from `databases.NAME.password_env`."""
    out = {}
    for db in assets.of_kind("database"):
        var = settings.database_password_env.get(str(db.body.get("database_name")))
        if var and env.get(var):
            out[db.uuid] = env[var]
    return out


def send_assets(api: SupersetApi, requests: list[Chunk], sparse: bool, report: Report,
                progress: Progress, accepted: Callable[[Chunk], None] | None = None) -> None:
    """Send the import requests, in order; a failure names what is in and what is not.
    `accepted` is told of each chunk Superset took."""
    applied: list[Asset] = []
    for number, chunk in enumerate(requests, start=1):
        try:
            api.import_bundle(chunk.bundle, passwords=chunk.passwords, sparse=sparse)
        except SupersetError as exc:
            raise SupersetError(_chunk_failure(exc, number, requests, applied),
                                status=exc.status, payload=exc.payload) from exc
        report.requests += 1
        applied.extend(chunk.assets)
        for asset in chunk.assets:  # what was really sent: everything, without sparse imports
            report.sent[asset.kind].append(asset.uuid)
        progress("assets", len(chunk.assets))
        if accepted is not None:
            accepted(chunk)


class Checkpoints:
    """The project record, written after each chunk Superset accepted: a run that
    fails later is followed by one that sends only what was not yet sent. Keeps the
    record's id (the first write of a new project creates it)."""

    def __init__(self, api: SupersetApi, planned: Planned, settings: Settings) -> None:
        self.api = api
        self.planned = planned
        self.record = planned.snapshot.record or ProjectRecord(project=settings.project)
        self.record_id = planned.snapshot.record_id
        self.sent_forms = planned.sent_forms or fingerprints(planned.local, settings)

    def __call__(self, chunk: Chunk) -> None:
        self.record = record_sent(self.record, chunk.assets, self.planned.code,
                                  self.sent_forms)
        self.record_id = write_record(self.api, self.record, self.record_id)


def _name_holder(asset: Asset, holders: Mapping[tuple[str, str], LiveRow]
                 ) -> tuple[str, Any, LiveRow] | None:
    key = BUNDLE_KINDS[asset.kind].unique_name
    name = asset.body.get(key) if key else None
    other = holders.get((asset.kind, str(name))) if key and name else None
    return (str(key), name, other) if other is not None else None


def _table_holder(asset: Asset, rows: Mapping[str, LiveRow],
                  tables: Mapping[tuple[int, str], list[LiveRow]]
                  ) -> tuple[str, Any, LiveRow] | None:
    """A live dataset Superset's import would take for this one: it matches on the
    database plus (catalog, schema, table_name), skipping what the import leaves
    empty."""
    database = rows.get(str(asset.body.get("database_uuid")))
    if asset.kind != "dataset" or database is None:
        return None
    body = asset.body
    for row in tables.get((database.id, str(body.get("table_name"))), []):
        _, catalog, schema = row.table_of
        if (row.uuid != asset.uuid and body.get("schema") in (None, schema)
                and body.get("catalog") in (None, catalog)):
            table = ".".join(str(p) for p in (schema, row.title) if p)
            return "table", f"{table} (database {database.title})", row
    return None


def check_names_free(to_send: Iterable[Asset], rows: Mapping[str, LiveRow],
                     ours: Collection[str] = ()) -> None:
    """Refuse, before anything is sent, an asset whose unique name (database name,
    dashboard slug, a dataset's table) another asset in Superset holds: Superset's
    import matches on that name too, so it would overwrite the other asset with
    ours (a new one) or fail the whole chunk (a changed one). `ours`: the uuids
    this project manages."""
    holders: dict[tuple[str, str], LiveRow] = {(r.kind, r.title): r for r in rows.values()
               if BUNDLE_KINDS[r.kind].unique_name and r.title}
    # A dataset this project manages is left to the import: adopting Aspects'
    # collapsed datasets relies on an original taking over such a row.
    tables: dict[tuple[int, str], list[LiveRow]] = defaultdict(list)
    for row in rows.values():
        if row.kind == "dataset" and row.uuid not in ours and row.table_of[0] is not None:
            tables[(int(row.table_of[0]), row.title)].append(row)
    for asset in to_send:
        found = _name_holder(asset, holders) or _table_holder(asset, rows, tables)
        if found is None or found[2].uuid == asset.uuid:
            continue
        key, name, other = found
        copy = f" (its {asset.locale} copy)" if asset.locale else ""
        raise InputError(
            f"{key} {name!r}{copy} already belongs to another {asset.kind} in Superset "
            f"(id {other.id}, uuid {other.uuid}): importing would overwrite that "
            f"{asset.kind}. Change the {key}, or delete or rename the other one; nothing "
            "was sent.", file=asset.source, key=key)


def check_passwords(to_send: Iterable[Asset], rows: Mapping[str, LiveRow],
                    passwords: Mapping[str, str]) -> None:
    """Refuse, before anything is sent, a new database whose URI's password is
    masked and that no password comes with: Superset fails the whole import on it
    and says only "Import failed for an unknown reason". (A database Superset
    has already keeps its stored password.)"""
    for asset in to_send:
        if asset.kind != "database" or asset.uuid in rows:
            continue
        uri = str(asset.body.get("sqlalchemy_uri") or "")
        if f":{MASK}@" in uri and not (passwords.get(asset.uuid) or asset.password):
            name = asset.body.get("database_name")
            raise InputError(
                f"database {name!r} is new to this Superset and its URI's password is masked "
                f"({MASK}): give its password through `databases: {{{name}: "
                "{password_env: VAR}}` in the settings, or pass the whole URI through "
                "`variables_from_env`; nothing was sent.", file=asset.source,
                key="sqlalchemy_uri")


def themed(changes: Iterable[AssetChange], local: Mapping[str, Asset], uses_themes: bool
           ) -> list[tuple[Asset, str | None]]:
    """The dashboards about to be sent whose theme the import must set afterwards
    (`/api/v1/assets/import/` drops `theme_uuid`), with the theme's uuid (None: no
    theme): every one that names a theme; one already in Superset whose theme the
    code may have dropped (a project with themes, `uses_themes`) or someone may have
    changed there (edited since the last import, or its `theme_uuid` differs). A
    project without themes, as Aspects' (every `theme_uuid: null`), sends no more
    requests for an ordinary change."""
    out = []
    for change in changes:
        asset = local[change.uuid]
        wanted = asset.body.get("theme_uuid")
        if asset.kind != "dashboard":
            continue
        may_differ = change.action == Action.UPDATE and (
            uses_themes or change.reason == EDITED_IN_SUPERSET
            or any(c.path.startswith("theme_uuid") for c in change.changes))
        if wanted is not None or may_differ:
            out.append((asset, None if wanted is None else str(wanted)))
    return out


def check_themes(api: SupersetApi, dashboards: Iterable[tuple[Asset, str | None]],
                 specs: Mapping[str, tuple[Any, ...]]) -> None:
    """Refuse, before anything is sent, a dashboard whose `theme_uuid` is neither a
    theme of the code nor one of Superset's (one list of themes, only when a
    dashboard to send names one)."""
    named = [(a, t) for a, t in dashboards if t is not None]
    if not named:
        return
    known = {t.uuid for t in specs.get("themes", ())}
    live = api.themes()
    known |= {str(t["uuid"]) for t in live or []}
    for asset, theme in named:
        if theme not in known:
            where = "this Superset has no themes (5.0)" if live is None else \
                "neither a theme of the code (assets/themes/) nor one of this Superset's"
            raise InputError(f"theme {theme} is {where}; nothing was sent", file=asset.source,
                             key="theme_uuid")


def set_dashboard_themes(api: SupersetApi, dashboards: list[tuple[Asset, str | None]],
                         rows: Mapping[str, LiveRow], report: Report,
                         progress: Progress) -> None:
    """Give each dashboard just sent its theme (or none), now that both are in."""
    if not dashboards:
        return
    ids = {str(t["uuid"]): int(t["id"]) for t in api.themes() or []}
    for asset, theme in dashboards:
        api.set_dashboard_theme(rows[asset.uuid].id, None if theme is None else ids[theme])
        counts = report.objects.setdefault("themes", {})
        counts["set on dashboards"] = counts.get("set on dashboards", 0) + 1
        progress("themes", 1)


def _counts(assets: Iterable[Asset]) -> str:
    """'1 database, 36 datasets, 4 dashboards' (in dependency order), or 'nothing'."""
    counts = {k: 0 for k in KINDS}
    for asset in assets:
        counts[asset.kind] += 1
    parts = [f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items() if n]
    return ", ".join(parts) or "nothing"


def _chunk_failure(exc: SupersetError, number: int, batches: list[Chunk],
                   applied: list[Asset]) -> str:
    """What failed, what is in Superset and what is not: for the operator who reruns."""
    batch = batches[number - 1].assets
    names = ", ".join(f"{a.kind} {a.title!r} [{a.uuid}]" for a in batch[:10])
    more = f" and {len(batch) - 10} more" if len(batch) > 10 else ""
    later = [a for b in batches[number:] for a in b.assets]
    # No answer (status None): the server may have committed part of the chunk.
    fate = ("Superset rejected it" if exc.status is not None else
            "without an answer, Superset may have applied part of it")
    return (f"{exc.message}\nThe import stopped at chunk {number} of {len(batches)} "
            f"({len(batch)} assets: {names}{more}); {fate}. Applied before it: "
            f"{_counts(applied)}. Not sent: {_counts(later)}. Nothing after that "
            "chunk was sent, and no roles or embedding were set. Fix the cause and run "
            "`import` again: it sends what is still missing.")


def apply_access(api: SupersetApi, planned: Planned, changes: Iterable[AccessChange],
                 rows: Mapping[str, LiveRow], report: Report,
                 progress: Progress) -> dict[str, dict[str, Applied]]:
    """Set the changes through their API kinds, in the registry's order; returns API
    kind → asset uuid → what was set."""
    local = planned.local.by_uuid()
    by_kind: dict[str, list[tuple[AccessChange, int]]] = defaultdict(list)
    for change in changes:
        if change.uuid not in rows:
            raise SupersetError(f"{local[change.uuid].kind} {change.title!r} ({change.uuid}) is "
                                "not in Superset after the import")
        by_kind[change.what].append((change, rows[change.uuid].id))
    out: dict[str, dict[str, Applied]] = {}
    for kind in API_KINDS.values():
        items = by_kind.get(kind.name)
        if not items:
            continue
        out[kind.name] = kind.apply_all(api, planned.snapshot.info, items)
        report.access_set[kind.name] += len(items)
        for applied in out[kind.name].values():
            report.access_created.get(kind.name, []).extend(applied.created)
        progress("access", len(items))
    return out


def replanned_after_import(api: SupersetApi, planned: Planned, settings: Settings,
                           sent: Iterable[Asset], rows: Mapping[str, LiveRow],
                           changes: Iterable[AccessChange]) -> list[AccessChange]:
    """The changes, with those of each API kind whose state Superset's import moves
    (owners: the importing user is added) planned again for what was just sent, on
    the rows as the import left them."""
    out = list(changes)
    kinds = [k for k in API_KINDS.values() if k.resets_on_import]
    wanted = wanted_access(planned.local, settings) if kinds else {}
    for kind in kinds:
        again = [a for a in sent if a.uuid in wanted[kind.name]]
        if not again:
            continue
        uuids = {a.uuid for a in again}
        live = kind.read(api, rows, uuids)
        out = [c for c in out if not (c.what == kind.name and c.uuid in uuids)]
        for asset in again:
            change = kind.compare(asset, wanted[kind.name][asset.uuid], live.get(asset.uuid),
                                  planned.snapshot.info)
            if change is not None:
                out.append(change)
    return out


def prune(api: SupersetApi, doomed: list[AssetChange], rows: Mapping[str, LiveRow],
          report: Report, progress: Progress) -> bytes:
    """Delete what the project manages and the code no longer has, dependants first.
    Returns the backup: an export of everything deleted, taken before deleting."""
    by_kind: dict[Kind, list[int]] = {
        k: [rows[c.uuid].id for c in doomed
            if c.kind == k and c.uuid in rows and rows[c.uuid].kind == k]
        for k in KINDS}
    backup = _backup(api, by_kind)
    for kind in reversed(KINDS):
        for pk in by_kind[kind]:
            api.delete_one(kind, pk)
            report.deleted[kind] += 1
            progress("prune", 1)
    return backup


def _backup(api: SupersetApi, ids_by_kind: Mapping[Kind, list[int]]) -> bytes:
    buffer = io.BytesIO()
    written: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, ids in ids_by_kind.items():
            for name, content in sorted(api.export(kind, ids).items()):
                # An export carries what the asset depends on: a dataset's database
                # comes again with the charts deleted alongside it.
                if name not in written:
                    written.add(name)
                    archive.writestr(f"backup/{name}", content)
    return buffer.getvalue()


@dataclass(frozen=True)
class AppliedObjects:
    """One object kind after a run: what the project manages of it now, the live
    objects as they are (read again when something changed), and whether a delete
    the code asks for was left undone (the next import plans it again)."""

    managed: tuple[str, ...]
    live: Any
    changed: bool
    pending: bool = False

    def entry(self, kind: ObjectKind, rows: Mapping[str, LiveRow]) -> dict[str, Any]:
        return {"managed": list(self.managed),
                "digest": object_state_digest(kind, self.live, rows, self.managed),
                **({"pending": True} if self.pending else {})}


def apply_objects(api: SupersetApi, planned: Planned, settings: Settings,
                  rows: Mapping[str, LiveRow], kinds: Collection[ObjectKind], *, fresh: bool,
                  prune_leftovers: bool, report: Report, progress: Progress
                  ) -> dict[str, AppliedObjects]:
    """Plan these object kinds again on the assets as the import left them (what it
    just created has ids only now, a row-level security filter must cover every
    dataset that exists, a role's permission may name a schema just imported) and
    on their live objects read again when the run wrote something before (`fresh`),
    then make the changes; deletes only with --prune, and never a blocked one."""
    snapshot, record = planned.snapshot, planned.snapshot.record
    managed = {k.name: record.managed_objects(k.name) if record else [] for k in kinds}
    kinds = [k for k in kinds if planned.specs.get(k.name) or managed[k.name]]
    live = {k.name: k.read(api, managed[k.name]) if fresh else snapshot.objects[k.name]
            for k in kinds}
    changes = plan_objects(snapshot, planned.specs, planned.code, settings, rows,
                           kinds=kinds, live=live, assets_sent=True)
    out: dict[str, AppliedObjects] = {}
    for kind in kinds:
        mine = [c for c in changes if c.kind == kind.name]
        if not mine:
            continue
        counts = report.objects.setdefault(kind.name, {})
        done: list[str] = []
        pending = False
        for change in mine:
            what = change.action.value
            if change.action == Action.DELETE and (change.blocked or not prune_leftovers):
                pending = True
                what = f"kept ({change.blocked or 'no --prune'})"
                if change.blocked and prune_leftovers:
                    report.blocked.append(change.line.strip())
            elif change.action != Action.UNCHANGED:
                kind.apply(api, change)
                done.append(change.name)
                progress(kind.name, 1)
            counts[what] = counts.get(what, 0) + 1
        out[kind.name] = AppliedObjects(kind.managed_after(mine, done, managed[kind.name]),
                                        kind.read(api, managed[kind.name]) if done
                                        else live[kind.name], bool(done), pending)
    return out


def relisted(api: SupersetApi, snapshot: Snapshot, kinds: Collection[Kind],
             expected: Mapping[Kind, int]) -> dict[str, LiveRow]:
    """The snapshot's rows with those of these kinds listed again."""
    fresh = list_rows(api, expected, owners=snapshot.rows_with_owners, kinds=kinds)
    return {**{u: r for u, r in snapshot.rows.items() if r.kind not in kinds}, **fresh}


def _counts_after(rows: Mapping[str, LiveRow], to_send: Iterable[Asset]) -> dict[Kind, int]:
    """kind → how many rows to expect after sending (so that lists ask for every page
    at once)."""
    counts = Counter(row.kind for row in rows.values())
    counts.update(a.kind for a in to_send if a.uuid not in rows)
    return dict(counts)


def new_report(planned: Planned) -> Report:
    report = Report.for_access((k.name, k.creates) for k in API_KINDS.values())
    report.touched = len(planned.plan.settled)
    for change in planned.plan.assets:
        if change.action == Action.CREATE:
            report.created[change.kind] += 1
        elif change.action == Action.UPDATE:
            report.updated[change.kind] += 1
        elif change.action == Action.UNCHANGED:
            report.unchanged[change.kind] += 1
    return report


def apply_plan(api: SupersetApi, planned: Planned, settings: Settings,
               env: Mapping[str, str], *, prune_leftovers: bool,
               progress: Progress) -> ApplyResult:
    """Run a plan: refuse what Superset would take wrongly, then send, set, prune and
    write the record."""
    report = new_report(planned)
    snapshot, plan = planned.snapshot, planned.plan
    by_uuid = planned.local.by_uuid()
    to_send = [by_uuid[c.uuid] for c in plan.to_send]
    start = time.perf_counter()
    check_names_free(to_send, snapshot.rows, snapshot.managed)
    passwords = database_passwords(planned.local, settings, env)
    check_passwords(to_send, snapshot.rows, passwords)
    known = snapshot.record
    dashboards = themed(plan.to_send, by_uuid, bool(planned.specs.get("themes")) or bool(
        known and "themes" in known.objects))
    check_themes(api, dashboards, planned.specs)
    doomed = plan.to_delete if prune_leftovers else []
    checkpoints = Checkpoints(api, planned, settings)
    # The kinds of what the run writes: only their rows can differ from the snapshot's
    # afterwards, so only they are listed again (a chunk carries what its assets
    # depend on too, sent again without sparse imports).
    written: set[Kind] = {c.kind for c in doomed}
    if to_send:
        requests = import_requests(to_send, planned.local, lock_in_ui=settings.lock_in_ui,
                                   passwords=passwords, info=snapshot.info)
        written |= {a.kind for chunk in requests for a in chunk.assets}
        # One chunk and nothing after it: the record at the end is the only one needed.
        more = len(requests) > 1 or bool(plan.access or doomed)
        send_assets(api, requests, snapshot.info.sparse_import, report, progress,
                    checkpoints if more else None)
    report.seconds["assets"] = round(time.perf_counter() - start, 2)
    # Ids as they are now, for what is set or deleted on them: what was just created
    # has ids only now, and an import can re-key a row (Superset matches a dataset by
    # its table too, so an original sent now takes over the row a doomed copy of it
    # held, as in Aspects' collapsed datasets); a doomed uuid that is gone is not
    # deleted, and no other asset is deleted in its place.
    objects_planned = any(planned.specs.values()) or bool(
        known and any(known.managed_objects(k) for k in OBJECT_KINDS))
    resetting = [k.name for k in API_KINDS.values() if k.resets_on_import]
    resets = bool(to_send and resetting and any(
        wanted_access(planned.local, settings)[name] for name in resetting))
    expected = _counts_after(snapshot.rows, to_send)
    listed_after_send = bool(to_send and (plan.access or doomed or objects_planned
                                          or dashboards or resets))
    rows = relisted(api, snapshot, written, expected) if listed_after_send else snapshot.rows
    access = (replanned_after_import(api, planned, settings, to_send, rows, plan.access)
              if to_send else list(plan.access))
    if not plan.rendered and not to_send and not doomed and not access:
        # Nothing rendered, nothing sent: the record is already right (it also says
        # that the objects are as the last import left them, and none is pending),
        # but for the changed_on of what moved in Superset and is as sent (already
        # in the snapshot's record).
        if plan.settled and snapshot.record is not None:
            write_record(api, snapshot.record, snapshot.record_id)
        return ApplyResult(report, None, snapshot.access)
    first = [k for k in OBJECT_KINDS.values() if k.before_access]
    objects = apply_objects(api, planned, settings, rows, first, fresh=bool(to_send),
                            prune_leftovers=prune_leftovers, report=report, progress=progress)
    set_dashboard_themes(api, dashboards, rows, report, progress)
    start = time.perf_counter()
    applied = apply_access(api, planned, access, rows, report, progress)
    report.seconds["roles_and_embedding"] = round(time.perf_counter() - start, 2)
    backup = None
    if doomed:
        start = time.perf_counter()
        backup = prune(api, doomed, rows, report, progress)
        report.seconds["prune"] = round(time.perf_counter() - start, 2)
    wrote = bool(to_send or doomed or access or any(o.changed for o in objects.values()))
    objects.update(apply_objects(
        api, planned, settings, rows, [k for k in OBJECT_KINDS.values() if not k.before_access],
        fresh=wrote, prune_leftovers=prune_leftovers, report=report, progress=progress))
    # changed_on as the run left it (setting roles or a theme moves a dashboard's):
    # the list after sending still shows it, unless something wrote since.
    wrote_since = bool(doomed or access or dashboards
                       or any(o.changed for o in objects.values()))
    if listed_after_send and not wrote_since:
        final_rows = rows
    elif to_send or wrote_since:
        written |= {c.kind for c in access}
        if dashboards:
            written.add("dashboard")
        final_rows = relisted(api, snapshot, written, expected)
    else:
        final_rows = snapshot.rows
    record = record_after(snapshot, planned.local, settings, planned.inputs_hash,
                          deleted=[c.uuid for c in doomed],
                          kept=[] if prune_leftovers else [c.uuid for c in plan.to_delete],
                          applied=applied, rows=final_rows,
                          objects={name: o.entry(OBJECT_KINDS[name], final_rows)
                                   for name, o in objects.items()},
                          code=planned.code, sent_forms=planned.sent_forms or None)
    write_record(api, record, checkpoints.record_id)
    return ApplyResult(report, backup,
                       {k.name: getattr(record, k.record_field) for k in API_KINDS.values()})
