"""What every command shares, passed by click: kept out of cli.py so that command
modules can use it without importing the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import click

from aspects_assets.model.errors import InputError
from aspects_assets.project.render import check_var_overrides
from aspects_assets.project.settings import Settings, load_settings


@dataclass
class AppContext:
    """How to find the settings, read once on demand."""

    config: Path | None = None
    var_overrides: dict[str, str] = field(default_factory=dict)
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            settings = load_settings(self.config, var_overrides=self.var_overrides)
            check_var_overrides(settings, self.var_overrides)
            self._settings = settings
        return self._settings

    @property
    def secrets(self) -> tuple[str, ...]:
        """The run's secrets, once the settings were read (for masking messages)."""
        return tuple(self._settings.secrets) if self._settings is not None else ()


pass_app = click.make_pass_decorator(AppContext)


def parse_vars(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--var {item!r}: expected NAME=VALUE")
        out[name.strip()] = value
    return out


# The global options, given before the command name (the group's) or after it
# (each command's, below): after it wins for --config, and --var values merge.
CONFIG_HELP = ("Settings file (default: ./aspects-assets.yaml). Paths in it are relative to "
               "its folder.")
VAR_HELP = "Set one template variable for this run (repeatable); it must be one that a " \
           "template or the settings use."


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).config = value


def _add_vars(ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> None:
    if values:
        try:
            parsed = parse_vars(values)
        except InputError as exc:
            raise click.BadParameter(exc.message) from exc
        ctx.ensure_object(AppContext).var_overrides.update(parsed)


CommandT = TypeVar("CommandT", bound=click.Command)


def _global_options() -> list[click.Option]:
    return [
        click.Option(["--config"], type=click.Path(path_type=Path, dir_okay=False),
                     expose_value=False, callback=_set_config, help=CONFIG_HELP),
        click.Option(["--var"], multiple=True, metavar="NAME=VALUE", expose_value=False,
                     callback=_add_vars, help=VAR_HELP),
    ]


def with_global_options(command: CommandT) -> CommandT:
    """The command, taking the global options after its name too (added once)."""
    if not any(p.name == "config" for p in command.params):
        command.params.extend(_global_options())
    return command


class GlobalOptionsGroup(click.Group):
    """A group whose every command (and sub-group) takes the global options."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        return with_global_options(command) if command is not None else None

LOCALE_OPTION = click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="LOCALE",
    help="Only this locale's copies (repeatable; default: every locale in the settings).",
)

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for programs.",
)

VERBOSE_OPTION = click.option(
    "--verbose", "-v", is_flag=True,
    help="Also list each text that shows in the source language (missing or fuzzy "
         "translation) and the assets that use it.",
)
