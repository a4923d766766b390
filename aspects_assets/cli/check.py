"""`check`: run every managed chart's query in Superset and say what fails."""

from __future__ import annotations

import sys
from collections import Counter

import click

from aspects_assets.cli.options import FORMAT_OPTION, LOCALE_OPTION, AppContext, pass_app
from aspects_assets.cli.output import echo_json, progress_bar, style
from aspects_assets.model.errors import EXIT_ACTION_NEEDED
from aspects_assets.run.checking import charts_to_check, run_checks
from aspects_assets.run.pipeline import selected_locales
from aspects_assets.superset.client import SupersetClient


@click.command()
@LOCALE_OPTION
@click.option("--parallel", type=click.IntRange(1, 32), default=4, show_default=True,
              metavar="N", help="At most this many queries at once.")
@FORMAT_OPTION
@pass_app
def check(app: AppContext, locales: tuple[str, ...], parallel: int, output_format: str) -> None:
    """Run every managed chart's query through Superset (/api/v1/chart/data), in
    every locale, and report what fails with Superset's error: a translated label
    that broke a metric reference, a column the dataset does not have, a
    database that is down.

    The charts are those of the project's record in Superset (what `import`
    sent), originals and localized copies; each query is built from the chart's
    saved settings as Superset's front end builds it. Exit 0: every query ran;
    1: some failed; 2: error.

    \b
    Example:
      aspects-assets check                   # exits 1 when a chart fails
      aspects-assets check --locale ar --format json --parallel 8   # exits 1 too
    """
    settings = app.settings
    chosen = set(selected_locales(settings, locales)) if locales else None
    client = SupersetClient.from_settings(settings)
    targets = charts_to_check(client, settings.project, chosen)
    with progress_bar("checking charts", len(targets)) as progress:
        results = run_checks(client, targets, parallel=parallel, progress=progress)
    failed = [r for r in results if not r.ok]
    if output_format == "json":
        echo_json({"checked": len(results), "failed": len(failed),
                   "charts": [r.as_dict() for r in results]})
    else:
        for result in failed:
            where = result.locale or "original"
            error = str(result.error).strip().replace("\n", "\n    ")
            click.echo(style(f"✗ chart {result.title!r} [{result.uuid}] ({where}): ", "red")
                       + error)
        per_locale = Counter(r.locale or "original" for r in failed)
        detail = f" ({', '.join(f'{k}: {v}' for k, v in sorted(per_locale.items()))})" \
            if failed else ""
        click.echo(f"{len(results)} chart(s) checked: {len(results) - len(failed)} ran, "
                   f"{len(failed)} failed{detail}")
    if failed:
        sys.exit(EXIT_ACTION_NEEDED)
