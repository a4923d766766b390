"""`adopt`: take over a Superset that Open edX Aspects' own import filled."""

from __future__ import annotations

import sys
import time
from functools import partial
from typing import Any

import click

from aspects_assets.cli.options import FORMAT_OPTION, AppContext, pass_app
from aspects_assets.cli.output import echo_json, echo_problem, style
from aspects_assets.core.adopt import AdoptReport
from aspects_assets.model.assets import FOLDER_OF_KIND, KINDS
from aspects_assets.model.errors import EXIT_ACTION_NEEDED
from aspects_assets.run.adopting import run_adopt
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.superset.client import SupersetClient


def _counts(counts: dict[str, int]) -> str:
    parts = [f"{n} {FOLDER_OF_KIND[k] if n != 1 else k}" for k in KINDS
             if (n := counts.get(k, 0))]
    return ", ".join(parts) or "none"


def _text(report: AdoptReport, data: dict[str, Any], *, dry_run: bool) -> list[tuple[str, str]]:
    counts = data["counts"]
    lines = [("", f"project {report.project!r}, locales: {', '.join(report.locales) or 'none'}"),
             ("", f"produced by the code, to be managed: {_counts(counts['produced'])}")]
    lines.append(("yellow" if report.collapsed else "",
                  f"collapsed datasets (the per-locale copies of a physical dataset in one "
                  f"row): {len(report.collapsed)}"))
    for item in report.collapsed:
        if item.holder_locale is None:
            whose = "a uuid of no known locale: left alone, the import takes the row over"
        else:
            state = "configured" if item.configured else "not configured"
            whose = f"the uuid of its {item.holder_locale} copy ({state})"
        lines.append(("", f"  ~ {item.table} [{item.row.uuid}]: {whose}"))
    locales = ", ".join(report.leftover_locales) or "none"
    lines.append(("yellow" if report.leftovers else "",
                  f"leftovers, copies for locales not configured ({locales}): "
                  f"{_counts(counts['leftovers'])}"))
    lines.append(("yellow" if report.retired else "",
                  f"retired by Aspects (retired_uuids) and their copies: "
                  f"{_counts(counts['retired'])}"))
    lines.append(("", f"not in the code, left alone: {_counts(counts['unknown'])}"))
    for other in report.unknown[:20]:
        lines.append(("", f"  . {other.kind} {other.title} [{other.uuid}]"))
    if len(report.unknown) > 20:
        lines.append(("", f"  . and {len(report.unknown) - 20} more (--format json lists all)"))
    for risk in report.at_risk:
        lines.append(("red", f"  ! chart {risk.chart.title} [{risk.chart.uuid}] is not in the "
                             f"code and uses dataset {risk.dataset.title} "
                             f"[{risk.dataset.uuid}], a leftover that `import --prune` "
                             "deletes"))
    lines.append(("", f"in the code, not in Superset (the import creates them): "
                      f"{_counts(counts['missing'])}"))
    verb = "would record" if dry_run else "recorded"
    kept = f" (the record had {report.already_managed})" if report.already_managed else ""
    lines.append(("green" if report.recorded else "",
                  f"{verb} {report.recorded} asset(s) as managed by this project{kept}"))
    if report.needs_action:
        lines.append(("", "next: `aspects-assets import --prune` sends the code's version of "
                          "each (repairs the collapsed datasets) and deletes the leftovers "
                          "and retired assets"))
    return lines


@click.command()
@click.option("--dry-run", is_flag=True, help="Report only; record nothing.")
@click.option("--force", is_flag=True,
              help="Add to this project's record even though it exists (its entries are kept).")
@click.option("--lock-timeout", type=float, default=600, show_default=True, metavar="SECONDS",
              help="How long to wait for an import of this project to finish.")
@FORMAT_OPTION
@pass_app
def adopt(app: AppContext, dry_run: bool, force: bool, lock_timeout: float,
          output_format: str) -> None:
    """Take over a Superset that Open edX Aspects' own import filled.

    Reads what Superset holds and reports, against the code in every configured
    locale: the assets whose uuids the code produces (originals and copies);
    collapsed datasets (Aspects' per-locale copies of a physical dataset kept
    the table name, so Superset merged them into one row under one copy's
    uuid); leftovers (copies for locales no longer configured, recognised by
    their uuid for any locale Babel knows); retired assets (the settings'
    retired_uuids, Aspects' unused_uuids, and their copies in any locale);
    assets the code does not know (left alone), and those of them that use a
    leftover or a retired dataset.

    Then it records the first four groups as managed by this project, without
    fingerprints: the next `import` sends the code's version of each (our copies
    of a physical dataset are virtual datasets `<table>_<locale>`; the original
    takes its collapsed row back) and `import --prune` deletes the leftovers and
    the retired assets.
    Refuses when this project already has a record, unless --force.

    \b
    Exit codes:
      0  nothing to take over or repair (nothing recorded, no collapsed dataset,
         no leftover)
      1  something was recorded (with --dry-run: would be), or collapsed datasets,
         leftovers or retired assets were found: run `import --prune` next
      2  error (also: a record for this project exists and no --force)

    \b
    Example:
      aspects-assets adopt --dry-run    # report; exits 1 if anything is to take over
      aspects-assets adopt          # exits 1 when it recorded something
      aspects-assets import --prune --yes
    """
    started = time.perf_counter()
    settings = app.settings
    checked = checked_or_fail(settings)
    for problem in checked.warnings:
        echo_problem(problem, err=True)
    client = SupersetClient.from_settings(settings)
    report = run_adopt(client, settings, checked.assets, force=force, dry_run=dry_run,
                       lock_timeout=lock_timeout, on_wait=partial(click.echo, err=True))
    data = report.as_dict()
    data["dry_run"] = dry_run
    data["seconds"] = round(time.perf_counter() - started, 2)
    if output_format == "json":
        echo_json(data)
    else:
        for colour, line in _text(report, data, dry_run=dry_run):
            click.echo(style(line, colour) if colour else line)
    if report.needs_action:
        sys.exit(EXIT_ACTION_NEEDED)
