"""Commands that talk to a live Superset: `diff` and `import`."""

from __future__ import annotations

import os
import sys
import time
from functools import partial
from pathlib import Path

import click

from aspects_assets.cli.fallback_report import fallback_lines
from aspects_assets.cli.options import (
    FORMAT_OPTION,
    LOCALE_OPTION,
    VERBOSE_OPTION,
    AppContext,
    pass_app,
)
from aspects_assets.cli.output import echo_json, echo_problem, progress_bar, style
from aspects_assets.cli.reporting import plan_json, plan_lines, plan_summary, report_summary
from aspects_assets.model.assets import KINDS
from aspects_assets.model.errors import EXIT_ACTION_NEEDED
from aspects_assets.model.plan import AssetChange, ObjectChange, Scope
from aspects_assets.model.secrets import redact
from aspects_assets.run.importing import run_import
from aspects_assets.run.pipeline import checked_or_fail
from aspects_assets.run.planning import plan_against_live, plan_import, prepare
from aspects_assets.superset.client import SupersetClient

KIND_OPTION = click.option("--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
                           help="Only this kind of asset (repeatable; default: all).")


@click.command()
@LOCALE_OPTION
@KIND_OPTION
@FORMAT_OPTION
@VERBOSE_OPTION
@click.option("--full", is_flag=True,
              help="Export every asset in scope and compare it, also those the project "
                   "record vouches for (see above).")
@pass_app
def diff(app: AppContext, locales: tuple[str, ...], kinds: tuple[str, ...],
         output_format: str, verbose: bool, full: bool) -> None:
    """Show, field by field, how the live Superset differs from the code.

    Compares every asset in scope (originals and localized copies), dashboard
    roles and embedding, and lists assets this project manages that the code no
    longer has. Per locale, it also counts the texts that will show in the
    source language (translation missing or fuzzy; --verbose lists them).
    Exit 0: no difference; 1: differences; 2: error.

    An asset that Superset has not changed since the last import (its
    `changed_on` as the project record has it) and that the code sends as then
    is known without exporting it, as `import` knows it; roles, embedding,
    tags and owners are read every time. An edit in Superset's UI moves
    `changed_on`; a write that does not (a Superset upgrade's migrations, a
    direct edit of its database, the colours endpoint called with
    mark_updated=false) only --full finds.

    \b
    Example (in CI):
      SUPERSET_PASSWORD=... aspects-assets diff --locale es_419 || echo "drift"
    """
    settings = app.settings
    checked = checked_or_fail(settings, locales or None, cache=True)
    client = SupersetClient.from_settings(settings)
    plan = plan_against_live(client, settings, checked.assets, Scope.of(locales, kinds),
                             objects=checked.objects,
                             warn=lambda p: echo_problem(p, err=True), full=full,
                             known=checked.fingerprints).plan
    if plan.vouched and output_format != "json":
        click.echo(f"{len(plan.vouched)} of {len(plan.assets)} assets compared through the "
                   "project record (unchanged in Superset since the last import, sent by the "
                   "code as then); --full exports them too", err=True)
    # A live value may hold a secret of ours (typed into Superset's UI): never shown.
    if output_format == "json":
        echo_json(redact({**plan_json(plan), "fallbacks": [f.as_dict() for f in checked.fallbacks]},
                         settings.secrets))
    else:
        for colour, line in plan_lines(plan):
            line = redact(line, settings.secrets)
            click.echo(style(line, colour) if colour else line)
        for line in fallback_lines(checked.fallbacks, settings.source_locale, verbose=verbose):
            click.echo(line)
        click.echo(plan_summary(plan))
    if plan.has_differences:
        sys.exit(EXIT_ACTION_NEEDED)


@click.command("import")
@LOCALE_OPTION
@KIND_OPTION
@click.option("--prune", is_flag=True,
              help="Also delete what this project manages and the code no longer has "
                   "(a backup ZIP is saved first).")
@click.option("--yes", is_flag=True, help="Do not ask before pruning (needed when not on a "
                                          "terminal).")
@click.option("--dry-run", is_flag=True, help="Print the plan and send nothing.")
@click.option("--verify", is_flag=True,
              help="Compare every asset with Superset field by field (as `diff` does) "
                   "instead of trusting the project record; finds edits Superset does not "
                   "date, such as roles and embedding changed behind the tool's back.")
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              default=Path("embedded-dashboards.json"), show_default=True,
              help="Where to write the embedding manifest (relative to the settings folder).")
@click.option("--lock-timeout", type=float, default=600, show_default=True, metavar="SECONDS",
              help="How long to wait for another import of this project to finish.")
@click.option("--backup-dir", type=click.Path(path_type=Path), default=Path("backups"),
              show_default=True, help="Where --prune saves what it deletes.")
@FORMAT_OPTION
@VERBOSE_OPTION
@pass_app
def import_(app: AppContext, locales: tuple[str, ...], kinds: tuple[str, ...], prune: bool,
            yes: bool, dry_run: bool, verify: bool, manifest_path: Path, lock_timeout: float,
            backup_dir: Path, output_format: str, verbose: bool) -> None:
    """Bring the live Superset to the state of the code.

    Validates (nothing is sent when invalid), compares with Superset, sends only
    new and changed assets in dependency order and in chunks, then sets
    dashboard roles and embedding, and writes the embedding manifest.

    Change detection uses the project's record in Superset (what was sent last
    time, and when Superset last changed each asset): an unchanged run renders
    nothing and exports nothing. `--verify` compares everything instead.
    A run that renders also counts, per locale, the texts that will show in
    the source language (translation missing or fuzzy; --verbose lists them).

    \b
    Examples:
      SUPERSET_PASSWORD=admin aspects-assets import
      aspects-assets import --dry-run --locale fr_CA
      aspects-assets import --prune --yes
    """
    started = time.perf_counter()
    settings = app.settings
    prepared = prepare(settings, locales, kinds, verify=verify,
                       warn=lambda p: echo_problem(p, err=True))
    client = SupersetClient.from_settings(settings)
    if dry_run:
        plan = plan_import(client, prepared, verify=verify).plan
        for colour, line in plan_lines(plan):
            line = redact(line, settings.secrets)
            click.echo(style(line, colour) if colour else line)
        for line in fallback_lines(prepared.fallbacks or (), settings.source_locale,
                                   verbose=verbose):
            click.echo(line)
        click.echo(f"dry run, nothing sent: {plan_summary(plan)}")
        return
    say = partial(click.echo, err=True)
    result = run_import(client, prepared, verify=verify, prune=prune, env=os.environ,
                        lock_timeout=lock_timeout, on_wait=say,
                        confirm_prune=partial(_confirm_prune, yes=yes),
                        progress=partial(progress_bar, "importing"),
                        manifest_path=manifest_path, backup_dir=backup_dir, started=started)
    report, manifest = result.report, result.manifest
    if report is None or manifest is None:
        sys.exit(EXIT_ACTION_NEEDED)  # --prune not confirmed: nothing was applied
    rendered = prepared.fallbacks
    if output_format == "json":
        echo_json({**report.as_dict(), "manifest": str(manifest_path), "embedding": manifest,
                   # None: nothing was rendered (the inputs did not change)
                   "fallbacks": None if rendered is None else [f.as_dict() for f in rendered],
                   "query_translations": result.query_translations})
        if report.blocked:
            sys.exit(EXIT_ACTION_NEEDED)
        return
    click.echo(report_summary(report))
    if result.query_translations != "unchanged":
        click.echo(f"query-time translations: {result.query_translations}")
    for line in fallback_lines(rendered or (), settings.source_locale, verbose=verbose):
        click.echo(line)
    click.echo(f"embedding manifest: {manifest_path}")
    for line in report.blocked:
        say(style(f"not pruned: {line}", "yellow", err=True))
    if not result.aligned and manifest["dashboards"]:
        say(style("note: this Superset chooses embedded uuids itself (the aspects-assets "
                  "Superset extension is not installed): the Open edX LMS plugin, which "
                  "embeds by dashboard uuid, will not find these dashboards; use the uuids "
                  "in the manifest.", "yellow", err=True))
    doomed = result.planned.plan.to_delete
    if doomed and not prune:
        say(style(f"note: {len(doomed)} asset(s) managed by this project are no longer in "
                  "the code; `import --prune` deletes them.", "yellow", err=True))
    if report.blocked:
        sys.exit(EXIT_ACTION_NEEDED)


def _confirm_prune(doomed: list[AssetChange], objects: list[ObjectChange], yes: bool) -> bool:
    """List what --prune would delete; go on with --yes or a yes at the terminal."""
    things = f"{len(doomed)} asset(s)" if doomed else ""
    if objects:
        things += f"{' and ' if things else ''}{len(objects)} other object(s)"
    click.echo(f"--prune will delete {things} that this project manages and the code no "
               "longer has:", err=True)
    for change in doomed:
        locale = f" ({change.locale})" if change.locale else ""
        click.echo(f"  - {change.kind} {change.title} [{change.uuid}]{locale}", err=True)
    for obj in objects:
        click.echo(obj.line.splitlines()[0], err=True)
    if yes:
        return True
    if not sys.stdin.isatty():
        click.echo("Not on a terminal: run again with --yes to delete them.", err=True)
        return False
    return click.confirm("Delete them?", err=True)
