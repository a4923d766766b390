"""The `adopt` run: read what an Aspects-filled Superset holds, sort it against the
code (`core.adopt`), and record what this project takes over, under the lock."""

from __future__ import annotations

from collections.abc import Callable

from aspects_assets.core.adopt import AdoptReport, adopted_record, analyze, babel_locales
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import list_rows, read_details, read_record, write_record
from aspects_assets.superset.lock import project_lock


def run_adopt(client: SupersetClient, settings: Settings, assets: AssetSet, *, force: bool,
              dry_run: bool, lock_timeout: float,
              on_wait: Callable[[str], None]) -> AdoptReport:
    """The report of what was found; unless `dry_run`, what it takes over is recorded.
    A record that exists (or appears meanwhile) is an error unless `force`."""
    record, _ = read_record(client, settings.project)
    if record is not None and not force:
        raise InputError(
            f"project {settings.project!r} already has a record in this Superset "
            f"({len(record.managed)} managed assets): adopt is for a Superset the tool has "
            "not imported into. Run `import` instead, or adopt --force to add what it finds.")
    rows = list_rows(client)
    report = analyze(settings.project, rows, read_details(client, rows), assets,
                     settings.locales, known_locales=babel_locales(),
                     retired=settings.retired_uuids, record=record)
    if not dry_run and report.recorded:
        with project_lock(client, settings.project, timeout_s=lock_timeout, on_wait=on_wait):
            record, record_id = read_record(client, settings.project)
            if record is not None and not force:
                raise InputError(f"project {settings.project!r} got a record meanwhile "
                                 "(an import ran): nothing was recorded.")
            write_record(client, adopted_record(report, record), record_id)
    return report
