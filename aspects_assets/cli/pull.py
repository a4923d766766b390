"""`pull`: the live Superset's assets back into source YAML."""

from __future__ import annotations

import sys

import click

from aspects_assets.cli.options import FORMAT_OPTION, AppContext, pass_app
from aspects_assets.cli.output import echo_json, echo_problem, style
from aspects_assets.core.pull.file_change import (
    CREATED,
    NOT_PULLABLE,
    UNCHANGED,
    UPDATED,
    FileChange,
)
from aspects_assets.core.pull.targets import Targets
from aspects_assets.model.errors import EXIT_ACTION_NEEDED, InputError
from aspects_assets.model.text import shorten
from aspects_assets.project.render import load_assets, source_files
from aspects_assets.run.pulling import run_pull
from aspects_assets.superset.client import SupersetClient

_COLOUR = {CREATED: "green", UPDATED: "yellow", NOT_PULLABLE: "red"}


@click.command()
@click.option("--dashboard", "dashboards", multiple=True, metavar="SLUG_OR_UUID",
              help="Pull this dashboard and everything it uses (repeatable). A localized "
                   "copy names its original, which is pulled instead.")
@click.option("--all-managed", is_flag=True,
              help="Pull every asset this project manages (the record `import` keeps in "
                   "Superset), localized copies excepted.")
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@FORMAT_OPTION
@pass_app
def pull(app: AppContext, dashboards: tuple[str, ...], all_managed: bool, dry_run: bool,
         output_format: str) -> None:
    """Write assets from the live Superset into assets/ as source YAML.

    An asset the code has is updated in its own file with the smallest edit
    (comments, key order, quoting and Jinja that still renders to the live
    value are kept; unchanged files are not touched); a new one gets a file
    named after its title. What Superset adds on export (ids, defaults,
    query_context, ...) is left out; its query-time Jinja is wrapped in
    {% raw %}. Localized copies are never pulled: they are made from the
    originals and the .po catalogs. With asset layers, a change goes into the
    layer that owns the asset: its override file, or a new override file in the
    top layer of templates when a rendered layer (Tutor's env) defines it; a
    rendered layer is never written. Exit 1 when a file could not be pulled
    (Jinja statements around keys): edit it by hand.

    \b
    Examples:
      aspects-assets pull --dashboard aspects-pipeline-health
      aspects-assets pull --all-managed --dry-run
      aspects-assets pull --all-managed && git diff assets/
    """
    if bool(dashboards) == all_managed:
        raise InputError("give --dashboard SLUG_OR_UUID (repeatable) or --all-managed")
    settings = app.settings
    loaded = load_assets(settings)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        for problem in errors:
            echo_problem(problem, err=True)
        raise InputError("the sources have errors (above): fix them before pulling")
    paths = {settings.display(path): path for _, path in source_files(settings)}
    client = SupersetClient.from_settings(settings)
    pulled = run_pull(client, settings, loaded.assets, paths, dashboards=dashboards,
                      all_managed=all_managed, dry_run=dry_run, stacked=loaded.origins())
    result, targets = pulled.plan, pulled.targets
    blocked = result.of_status(NOT_PULLABLE)
    if output_format == "json":
        echo_json({
            "dry_run": dry_run,
            "localized_copies": [r.as_dict() for r in targets.redirects],
            "files": [f.as_dict() for f in result.files],
            "counts": {s: len(result.of_status(s))
                       for s in (CREATED, UPDATED, UNCHANGED, NOT_PULLABLE)},
            "new_strings": [{"text": t, "comment": c} for t, c in result.new_strings],
        })
    else:
        _print_text(result.files, targets, result.new_strings, dry_run)
    if blocked:
        sys.exit(EXIT_ACTION_NEEDED)


def _print_text(files: tuple[FileChange, ...], targets: Targets,
                new_strings: tuple[tuple[str, str], ...], dry_run: bool) -> None:
    for redirect in targets.redirects:
        click.echo(f"{redirect.asked} is the {redirect.locale} copy of {redirect.original}: "
                   "localized copies are made from the original and the catalogs, so the "
                   "original is pulled.", err=True)
    for change in files:
        if change.status == UNCHANGED:
            continue
        label = style(f"{change.status:<12}", _COLOUR[change.status])
        click.echo(f"{label} {change.kind} {change.title}  {change.display}")
        for where in change.fields[:10]:
            click.echo(f"    {where}")
        if change.reason:
            click.echo(f"    {change.reason}")
    counts = {s: sum(1 for f in files if f.status == s)
              for s in (CREATED, UPDATED, UNCHANGED, NOT_PULLABLE)}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    click.echo(("dry run, nothing written: " if dry_run else "") + summary)
    if new_strings:
        click.echo(f"{len(new_strings)} new translatable string(s):")
        for text, comment in new_strings:
            click.echo(f"    {shorten(text, 70)!r}  ({comment})")
        click.echo("Run `aspects-assets extract-translations` to add them to the catalogs.")
