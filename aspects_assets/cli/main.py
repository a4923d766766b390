"""The command line: each command reads options, calls the core, prints, exits."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from aspects_assets import __version__
from aspects_assets.cli.fallback_report import fallback_lines
from aspects_assets.cli.layer_report import layer_origins, origin_line
from aspects_assets.cli.options import (
    FORMAT_OPTION,
    LOCALE_OPTION,
    VERBOSE_OPTION,
    AppContext,
    GlobalOptionsGroup,
    pass_app,
    with_global_options,
)
from aspects_assets.cli.output import echo_json, echo_problem, style
from aspects_assets.core.bundle import build_bundle
from aspects_assets.model.errors import EXIT_ERROR, AspectsAssetsError
from aspects_assets.model.secrets import CleartextWarning, redact
from aspects_assets.run.pipeline import check, checked_or_fail

# Commands in modules of their own, imported only when one of them runs (or help
# lists them): the offline commands then start without the HTTP client, deepdiff
# and ruamel.yaml, a third of a second of imports.
LAZY_COMMANDS = {
    "adopt": "aspects_assets.cli.adopt:adopt",
    "check": "aspects_assets.cli.check:check",
    "diff": "aspects_assets.cli.live:diff",
    "extract-translations": "aspects_assets.cli.translations:extract_translations",
    "import": "aspects_assets.cli.live:import_",
    "init": "aspects_assets.cli.init:init",
    "pull": "aspects_assets.cli.pull:pull",
    "translations": "aspects_assets.cli.translations:translations",
    "unlock": "aspects_assets.cli.unlock:unlock",
}


class ToolError(click.ClickException):
    """A tool error as click shows it: `Error: <sentence>` on stderr, its exit code,
    and no secret of the run in it, whatever the message quotes."""

    def __init__(self, error: AspectsAssetsError, secrets: Iterable[str]) -> None:
        super().__init__(redact(str(error), secrets))
        self.exit_code: int = error.exit_code  # type: ignore[misc]


def _show_warnings(shown: Callable[..., None]) -> Callable[..., None]:
    """warnings.showwarning that prints the tool's own warnings as one line on
    stderr (`warning: ...`) and leaves the others to Python."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any
             ) -> None:
        if issubclass(category, CleartextWarning):
            click.echo(style(f"warning: {message}", "yellow", err=True), err=True)
        else:
            shown(message, category, *args, **kwargs)

    return show


EXIT_INTERRUPTED = 130  # what a shell reports for a command ended by Ctrl-C (128 + SIGINT)
DEBUG_VARIABLE = "ASPECTS_ASSETS_DEBUG"


def _unexpected(exc: Exception) -> AspectsAssetsError:
    """A sentence for an exception the tool did not expect: its type and where it was
    raised, never its text (which may quote a setting or a secret)."""
    if isinstance(exc, MemoryError):
        return AspectsAssetsError("ran out of memory (is an input far larger than intended?)")
    package = f"{os.sep}aspects_assets{os.sep}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if package in f.filename]
    where = ""
    if frames:
        path = frames[-1].filename
        where = f" at {path[path.rindex(package) + 1:]}:{frames[-1].lineno}"
    return AspectsAssetsError(
        f"unexpected {type(exc).__name__}{where}: this is a bug in aspects-assets; please "
        f"report it with the command you ran ({DEBUG_VARIABLE}=1 shows the traceback)"
    )


class LazyGroup(GlobalOptionsGroup):
    def invoke(self, ctx: click.Context) -> object:
        # The one place where the tool's errors become click's, and its warnings lines.
        with warnings.catch_warnings():
            warnings.simplefilter("always", CleartextWarning)
            warnings.showwarning = _show_warnings(warnings.showwarning)
            try:
                return super().invoke(ctx)
            except AspectsAssetsError as exc:
                app = ctx.obj
                raise ToolError(exc, app.secrets if isinstance(app, AppContext) else ()) from exc
            except KeyboardInterrupt as exc:
                interrupted = AspectsAssetsError("interrupted (Ctrl-C)")
                interrupted.exit_code = EXIT_INTERRUPTED
                raise ToolError(interrupted, ()) from exc
            except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
                raise
            except Exception as exc:
                if os.environ.get(DEBUG_VARIABLE):
                    raise
                raise ToolError(_unexpected(exc), ()) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = LAZY_COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return with_global_options(command)


@with_global_options
@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aspects-assets")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Manage Apache Superset dashboards, charts, datasets and databases as code,
    in many languages.

    \b
    Exit codes (every command):
      0  done, nothing to act on
      1  done, and something needs acting on (drift, stale catalogs, ...)
      2  error: bad input, server or network failure

    \b
    Example:
      aspects-assets validate
      aspects-assets build --out dist/bundle.zip

    The global options (--config, --var) may also follow the command's name.
    """
    ctx.ensure_object(AppContext)


@cli.command()
@FORMAT_OPTION
@LOCALE_OPTION
@VERBOSE_OPTION
@click.option("--layers", "show_layers", is_flag=True,
              help="Also say which asset layer (assets_dir) each asset comes from, which "
                   "lower file it replaces and which override files change it.")
@pass_app
def validate(app: AppContext, output_format: str, locales: tuple[str, ...],
             verbose: bool, show_layers: bool) -> None:
    """Render and check every asset; report all problems at once.

    Errors (Superset's import would fail or import wrong data) end with exit 2;
    warnings (inconsistencies Superset tolerates) are reported and exit 0.
    Per locale, it also counts the texts that will show in the source language
    (translation missing or fuzzy); --verbose lists them.

    \b
    Example:
      aspects-assets validate --var XAPI_DATABASE=xapi_staging
      aspects-assets validate --locale ar --config aspects-assets.yaml
      aspects-assets validate --layers --format json
    """
    result = check(app.settings, locales or None)
    origins = layer_origins(app.settings, result.stacked) if show_layers else []
    if output_format == "json":
        echo_json(
            {
                "counts": result.assets.counts(),
                "problems": [p.as_dict() for p in result.problems],
                "errors": len(result.errors),
                "warnings": len(result.warnings),
                "fallbacks": [f.as_dict() for f in result.fallbacks],
                **({"layers": origins} if show_layers else {}),
            }
        )
    else:
        for problem in result.problems:
            echo_problem(problem)
        for line in fallback_lines(result.fallbacks, app.settings.source_locale,
                                   verbose=verbose):
            click.echo(line)
        for origin in origins:
            click.echo(origin_line(origin))
        click.echo(
            f"{result.assets.summary()}: {len(result.errors)} error(s), "
            f"{len(result.warnings)} warning(s)"
        )
    if result.errors:
        sys.exit(EXIT_ERROR)


@cli.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write: a path ending in .zip gets a ZIP, anything else a folder.",
)
@LOCALE_OPTION
@FORMAT_OPTION
@pass_app
def build(app: AppContext, out: Path, locales: tuple[str, ...], output_format: str) -> None:
    """Write the Superset v1 import bundle (validates first; refuses an invalid set).

    The same input always gives a byte-identical ZIP.

    \b
    Example:
      aspects-assets build --out dist/assets.zip
    """
    result = checked_or_fail(app.settings, locales or None)
    if output_format == "text":
        for problem in result.warnings:
            echo_problem(problem, err=True)
    bundle = build_bundle(result.assets)
    bundle.write(out)
    if output_format == "json":
        echo_json({"out": str(out), "counts": result.assets.counts(),
                   "warnings": [p.as_dict() for p in result.warnings]})
    else:
        click.echo(f"wrote {out} ({result.assets.summary()})")


def main() -> None:
    cli(prog_name="aspects-assets")
