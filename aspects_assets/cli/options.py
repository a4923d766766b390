"""What every command shares, passed by click: kept out of cli.py so that command
modules can use it without importing the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from aspects_assets.project.settings import Settings, load_settings


@dataclass
class AppContext:
    """How to find the settings, read once on demand."""

    config: Path | None
    var_overrides: dict[str, str]
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config, var_overrides=self.var_overrides)
        return self._settings

    @property
    def secrets(self) -> tuple[str, ...]:
        """The run's secrets, once the settings were read (for masking messages)."""
        return tuple(self._settings.secrets) if self._settings is not None else ()


pass_app = click.make_pass_decorator(AppContext)

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
