"""The `pull` run: export the live assets asked for, plan the source edits
(`core.pull`), write the files."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from aspects_assets.core.conditional import include_conditions
from aspects_assets.core.export import read_export
from aspects_assets.core.pull.plan import PullPlan, plan_pull
from aspects_assets.core.pull.targets import (
    Targets,
    dashboard_targets,
    managed_targets,
    pullable,
)
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.model.secrets import landings
from aspects_assets.project.layers import Stacked
from aspects_assets.project.settings import Settings
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import export_top_down, list_rows, read_record


@dataclass(frozen=True)
class PullResult:
    targets: Targets
    plan: PullPlan


def run_pull(client: SupersetClient, settings: Settings, originals: AssetSet,
             paths: Mapping[str, Path], *, dashboards: Collection[str], all_managed: bool,
             dry_run: bool, stacked: Mapping[str, Stacked] | None = None) -> PullResult:
    """Pull the dashboards asked for (and what they use), or every managed asset;
    the files are written unless `dry_run` (into the layer that owns each asset:
    `stacked`, how the asset layers made it)."""
    record, _ = read_record(client, settings.project)
    rows = list_rows(client)
    if all_managed:
        targets = managed_targets(rows, record, settings.project)
    else:
        targets = dashboard_targets(dashboards, rows, record, settings.locales)
    # By id, never the whole Superset: an export carries what a target uses, and
    # with dependencies that is what is pulled.
    exported = export_top_down(client, rows, targets.uuids, read_export, related=True)
    live = pullable(exported, targets, record, dependencies=not all_managed)
    # Compared as sent: a dashboard's layout nodes of charts that an `_include_if`
    # leaves out are missing in Superset because the import drops them, not because
    # someone removed them (validate reports the conditions' own problems).
    sent, _ = include_conditions(originals, settings.variables)
    left_out = {a.uuid for a in originals} - {a.uuid for a in sent}
    result = plan_pull(settings, sent, live, paths, stacked, left_out)
    for change in result.files:  # a secret typed into Superset never reaches a file
        found = next(landings(change.text, settings.secrets), None) if change.text else None
        if found:
            raise InputError(f"the live {change.kind} {change.title!r} holds {found[1]}, which "
                             "may only be a database URI's password: remove it in Superset; "
                             "nothing was written", file=change.display)
    if not dry_run:
        for change in result.files:
            if change.text is not None:
                change.path.parent.mkdir(parents=True, exist_ok=True)
                change.path.write_text(change.text, encoding="utf-8")
    return PullResult(targets, result)
