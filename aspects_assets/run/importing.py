"""The `import` run: under the project's lock, read → plan → apply, then what the
run leaves on disk (the prune backup, the embedding manifest). The CLI only
prompts and prints; `run_import` returns what it prints from."""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aspects_assets.core.manifest import build_manifest
from aspects_assets.model.plan import Action, AssetChange, ObjectChange
from aspects_assets.model.report import Report
from aspects_assets.project.files import replace_with
from aspects_assets.project.settings import Settings
from aspects_assets.run.apply import ApplyResult, Progress, apply_plan
from aspects_assets.run.planning import Planned, Prepared, plan_import
from aspects_assets.run.query_translations import send_query_translations
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import project_lock


@dataclass(frozen=True)
class ImportResult:
    planned: Planned
    # None when --prune was not confirmed: nothing was applied.
    report: Report | None
    manifest: dict[str, Any] | None
    manifest_path: Path
    # The stored table of query-time translations: created, updated, deleted, unchanged.
    query_translations: str = "unchanged"

    @property
    def aligned(self) -> bool:
        """Whether embedded uuids are the dashboards' uuids (our extension is there)."""
        return self.planned.snapshot.info.extension


def run_import(client: SupersetClient, prepared: Prepared, *, verify: bool, prune: bool,
               env: Mapping[str, str], lock_timeout: float, on_wait: Callable[[str], None],
               confirm_prune: Callable[[list[AssetChange], list[ObjectChange]], bool],
               progress: Callable[[int], AbstractContextManager[Progress]],
               manifest_path: Path, backup_dir: Path,
               started: float | None = None) -> ImportResult:
    """Plan and apply under the lock; `confirm_prune` is asked when --prune would
    delete something, `progress` gets the number of steps to come."""
    started = time.perf_counter() if started is None else started
    settings = prepared.settings
    with project_lock(client, settings.project, timeout_s=lock_timeout, on_wait=on_wait):
        planned = plan_import(client, prepared, verify=verify)
        plan = planned.plan
        doomed = plan.to_delete
        # Objects too (roles, filters); one that must stay (a role users hold) is
        # not asked about: it is kept and listed.
        doomed_objects = [c for c in plan.object_changes
                          if c.action == Action.DELETE and not c.blocked]
        if prune and (doomed or doomed_objects) and not confirm_prune(doomed, doomed_objects):
            return ImportResult(planned, None, None, manifest_path)
        total = (len(plan.to_send) + len(plan.access) + len(plan.object_changes)
                 + (len(doomed) if prune else 0))
        with progress(total) as step:
            applied = apply_plan(client, planned, settings, env, prune_leftovers=prune,
                                 progress=step)
        query_translations = send_query_translations(client, settings)
    report = applied.report
    if applied.backup is not None:
        report.backup = settings.display(save_backup(settings, applied.backup, backup_dir))
    manifest = write_manifest(prepared, planned, applied, manifest_path)
    report.seconds["total"] = round(time.perf_counter() - started, 2)
    return ImportResult(planned, report, manifest, manifest_path, query_translations)


def save_backup(settings: Settings, backup: bytes, folder: Path) -> Path:
    """Write the prune's backup, readable by its owner only: it holds everything
    Superset exported. Created with that mode (never chmod-ed after), never over
    an existing file or through a link; a folder it makes is the owner's only."""
    target = settings.root / folder
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"prune-{settings.project}-{time.strftime('%Y%m%dT%H%M%S')}"
    path, n = target / f"{stem}.zip", 0
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            break
        except FileExistsError:  # a prune in the same second
            n += 1
            path = target / f"{stem}-{n}.zip"
    with os.fdopen(fd, "wb") as file:
        file.write(backup)
    return path


def write_manifest(prepared: Prepared, planned: Planned, applied: ApplyResult,
                   path: Path) -> dict[str, Any]:
    """Write the embedding manifest; a run that rendered nothing keeps the one the
    last import wrote (nothing it depends on changed)."""
    file = prepared.settings.root / path
    if not planned.plan.rendered and file.exists():
        manifest: dict[str, Any] = json.loads(file.read_text())
        return manifest
    manifest = build_manifest(prepared.assets(), applied.access.get("embedding", {}),
                              prepared.settings, aligned=planned.snapshot.info.extension)
    content = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
    replace_with(file, functools.partial(Path.write_bytes, data=content), folder=False,
                 key="--manifest")
    return manifest
