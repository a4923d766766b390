"""Run a Plan against Superset: assets in chunks, roles, embedding, prune, record.

Order matters for a run that fails half-way: assets go first, in dependency
order and in chunks that each commit on their own; roles and embedding only
refer to dashboards that are in; the record is written last, so a run that
stopped early is simply repeated (the next plan sends what is still missing).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aspects_assets import __version__
from aspects_assets.core.bundle import build_bundle, fingerprint, managed_fields
from aspects_assets.core.plan import AccessChange, AssetChange, Plan
from aspects_assets.model.assets import KINDS, Asset, AssetSet
from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.secrets import MASK
from aspects_assets.project.settings import Settings
from aspects_assets.run.sync import LivePlan
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import LiveRow, list_rows, write_record

# Estimated server time per asset (ms) in Superset 6.1 on PostgreSQL, measured:
# a chunk is filled up to CHUNK_BUDGET_MS so that each POST stays far below a
# 30 s gunicorn or proxy timeout, even on a server several times slower.
COST_MS = {"database": 40, "dataset": 36, "chart": 9, "dashboard": 30}
CHUNK_BUDGET_MS = 4000

Progress = Callable[[str, int], None]  # (what, how many done) → None


@dataclass
class Report:
    """What a run did, for the summary line and `--format json`."""

    sent: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    deleted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    requests: int = 0
    roles_set: int = 0
    roles_created: list[str] = field(default_factory=list)
    embedding_set: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    backup: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "deleted": self.deleted,
                "sent": self.sent, "import_requests": self.requests,
                "roles_set": self.roles_set, "roles_created": self.roles_created,
                "embedding_set": self.embedding_set, "seconds": self.seconds,
                "backup": self.backup}


def chunks(assets: Iterable[Asset]) -> list[list[Asset]]:
    """Dependency order (databases → dashboards), each chunk within the time budget."""
    out: list[list[Asset]] = []
    current: list[Asset] = []
    spent = 0
    order = {k: i for i, k in enumerate(KINDS)}
    for asset in sorted(assets, key=lambda a: order[a.kind]):
        cost = COST_MS[asset.kind]
        if current and spent + cost > CHUNK_BUDGET_MS:
            out.append(current)
            current, spent = [], 0
        current.append(asset)
        spent += cost
    if current:
        out.append(current)
    return out


def database_passwords(assets: AssetSet, settings: Settings,
                       env: Mapping[str, str]) -> dict[str, str]:
    """database uuid → password, from `databases.NAME.password_env`."""
    out = {}
    for db in assets.of_kind("database"):
        var = settings.database_password_env.get(str(db.body.get("database_name")))
        if var and env.get(var):
            out[db.uuid] = env[var]
    return out


def send_assets(client: SupersetClient, to_send: list[Asset], context: AssetSet,
                settings: Settings, passwords: Mapping[str, str], report: Report,
                progress: Progress) -> None:
    """Import the assets, chunked where the server takes sparse bundles."""
    extra = managed_fields(settings.lock_in_ui)
    sparse = client.info().sparse_import
    # Without sparse imports every reference must be inside the one request.
    batches = chunks(to_send) if sparse else [list(context)]
    applied: list[Asset] = []
    for number, batch in enumerate(batches, start=1):
        bundle = build_bundle(AssetSet.of(batch), context=context, extra_fields=extra,
                              superset_version=client.info().version)
        try:
            client.import_bundle(bundle.zip_bytes(),
                                 passwords=bundle.passwords(AssetSet.of(batch), passwords),
                                 sparse=sparse)
        except SupersetError as exc:
            raise SupersetError(_chunk_failure(exc, number, batches, applied),
                                status=exc.status, payload=exc.payload) from exc
        report.requests += 1
        applied.extend(batch)
        for asset in batch:  # what was really sent: everything, without sparse imports
            report.sent[asset.kind].append(asset.uuid)
        progress("assets", len(batch))


# Names Superset keeps unique, as the list endpoints show them (LiveRow.title).
UNIQUE_NAME = {"database": "database_name", "dashboard": "slug"}


def _name_holder(asset: Asset, holders: Mapping[tuple[str, str], LiveRow]
                 ) -> tuple[str, Any, LiveRow] | None:
    key = UNIQUE_NAME.get(asset.kind)
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
    holders = {(r.kind, r.title): r for r in rows.values() if r.kind in UNIQUE_NAME and r.title}
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


def _counts(assets: Iterable[Asset]) -> str:
    """'1 database, 36 datasets, 4 dashboards' (in dependency order), or 'nothing'."""
    counts = {k: 0 for k in KINDS}
    for asset in assets:
        counts[asset.kind] += 1
    parts = [f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items() if n]
    return ", ".join(parts) or "nothing"


def _chunk_failure(exc: SupersetError, number: int, batches: list[list[Asset]],
                   applied: list[Asset]) -> str:
    """What failed, what is in Superset and what is not: for the operator who reruns."""
    batch = batches[number - 1]
    names = ", ".join(f"{a.kind} {a.title!r} [{a.uuid}]" for a in batch[:10])
    more = f" and {len(batch) - 10} more" if len(batch) > 10 else ""
    later = [a for b in batches[number:] for a in b]
    # No answer (status None): the server may have committed part of the chunk.
    fate = ("Superset rejected it" if exc.status is not None else
            "without an answer, Superset may have applied part of it")
    return (f"{exc.message}\nThe import stopped at chunk {number} of {len(batches)} "
            f"({len(batch)} assets: {names}{more}); {fate}. Applied before it: "
            f"{_counts(applied)}. Not sent: {_counts(later)}. Nothing after that "
            "chunk was sent, and no roles or embedding were set. Fix the cause and run "
            "`import` again: it sends what is still missing.")


def apply_access(client: SupersetClient, changes: Iterable[AccessChange],
                 report: Report, progress: Progress) -> dict[str, dict[str, Any]]:
    """Set roles and embedding on dashboards; returns dashboard uuid → embedding."""
    changes = list(changes)
    if not changes:
        return {}
    rows = list_rows(client)
    roles = client.roles()
    embedded: dict[str, dict[str, Any]] = {}
    for change in changes:
        if change.uuid not in rows:
            raise SupersetError(f"dashboard {change.title!r} ({change.uuid}) is not in Superset "
                                "after the import")
        dashboard_id = rows[change.uuid].id
        if change.what == "roles":
            for name in change.new:
                if name not in roles:
                    roles[name] = client.create_role(name)
                    report.roles_created.append(name)
            client.set_dashboard_roles(dashboard_id, [roles[n] for n in change.new])
            report.roles_set += 1
        else:
            # An empty list is what the code asked for by name (core.access).
            embedded[change.uuid] = client.set_embedded(
                dashboard_id, list(change.new),
                embedded_uuid=change.new_uuid if client.info().extension else None,
                allow_any_domain=not change.new)
            report.embedding_set += 1
        progress("access", 1)
    return embedded


def prune(client: SupersetClient, doomed: list[AssetChange], rows: Mapping[str, Any],
          report: Report, progress: Progress) -> bytes:
    """Delete what the project manages and the code no longer has, dependants first.
    Returns the backup: an export of everything deleted, taken before deleting."""
    by_kind = {k: [rows[c.uuid].id for c in doomed
                   if c.kind == k and c.uuid in rows and rows[c.uuid].kind == k]
               for k in KINDS}
    backup = _backup(client, by_kind)
    for kind in reversed(KINDS):
        for pk in by_kind[kind]:
            client.delete_one(kind, pk)
            report.deleted[kind] += 1
            progress("prune", 1)
    return backup


def _backup(client: SupersetClient, ids_by_kind: Mapping[str, list[int]]) -> bytes:
    buffer = io.BytesIO()
    written: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind, ids in ids_by_kind.items():
            for name, content in sorted(client.export(kind, ids).items()):
                # An export carries what the asset depends on: a dataset's database
                # comes again with the charts deleted alongside it.
                if name not in written:
                    written.add(name)
                    archive.writestr(f"backup/{name}", content)
    return buffer.getvalue()


def updated_record(live: LivePlan, settings: Settings, deleted: Iterable[str],
                   embedded: Mapping[str, Mapping[str, Any]],
                   client: SupersetClient) -> ProjectRecord:
    """The record after a run: every rendered asset in scope is managed, with the
    fingerprint of what the code has and Superset's changed_on as it is now."""
    rows = list_rows(client)
    managed = dict(live.record.managed) if live.record else {}
    for uuid in deleted:
        managed.pop(uuid, None)
    extra = managed_fields(settings.lock_in_ui)
    for asset in live.assets:
        row = rows.get(asset.uuid)
        managed[asset.uuid] = ManagedAsset(
            kind=asset.kind, fingerprint=fingerprint(asset, extra),
            changed_on=row.changed_on if row else "", locale=asset.locale,
            base_uuid=asset.base_uuid if asset.locale else None)
    roles = dict(live.record.dashboard_roles) if live.record else {}
    roles.update(live.desired_roles)
    embedded_record = {u: dict(e) for u, e in live.embedded.items()}
    embedded_record.update({u: {"uuid": e.get("uuid"),
                                "allowed_domains": list(e.get("allowed_domains") or [])}
                            for u, e in embedded.items()})
    base = live.record or ProjectRecord(project=settings.project)
    return replace(base, managed=managed, dashboard_roles=roles, embedded=embedded_record,
                   inputs_hash=live.inputs_hash, tool_version=__version__)


def run_plan(client: SupersetClient, live: LivePlan, settings: Settings,
             env: Mapping[str, str], *, prune_leftovers: bool,
             progress: Progress) -> tuple[Report, bytes | None, dict[str, dict[str, Any]]]:
    """Apply a plan; returns the report, the backup when something was pruned, and
    each dashboard's embedding as it is now."""
    report = Report()
    plan: Plan = live.plan
    by_uuid = live.assets.by_uuid()
    for change in plan.assets:
        if change.action == "create":
            report.created[change.kind] += 1
        elif change.action == "update":
            report.updated[change.kind] += 1
        elif change.action == "unchanged":
            report.unchanged[change.kind] += 1
    to_send = [by_uuid[c.uuid] for c in plan.to_send]
    start = time.perf_counter()
    check_names_free(to_send, live.rows, live.record.managed if live.record else ())
    passwords = database_passwords(live.assets, settings, env)
    check_passwords(to_send, live.rows, passwords)
    if to_send:
        send_assets(client, to_send, live.assets, settings, passwords, report, progress)
    report.seconds["assets"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    embedded = apply_access(client, plan.access, report, progress)
    report.seconds["roles_and_embedding"] = round(time.perf_counter() - start, 2)
    backup = None
    deleted: list[str] = []
    if prune_leftovers and plan.to_delete:
        start = time.perf_counter()
        # Ids as they are now: an import can re-key a row (Superset matches a dataset
        # by its table too, so an original sent now takes over the row a doomed copy
        # of it held, as in Aspects' collapsed datasets); a doomed uuid that is gone
        # is not deleted, and no other asset is deleted in its place.
        rows = list_rows(client) if to_send else live.rows
        backup = prune(client, plan.to_delete, rows, report, progress)
        deleted = [c.uuid for c in plan.to_delete]
        report.seconds["prune"] = round(time.perf_counter() - start, 2)
    if not live.rendered and not to_send and not deleted and not plan.access:
        # Nothing rendered, nothing sent: the record is already right.
        return report, backup, {u: dict(e) for u, e in live.embedded.items()}
    record = updated_record(live, settings, deleted, embedded, client)
    write_record(client, record, live.record_id)
    return report, backup, {u: dict(e) for u, e in record.embedded.items()}
