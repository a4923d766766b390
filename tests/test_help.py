"""The CLI as a user meets it: help with examples, JSON where it reports, colours
only on a terminal, shell completion."""

from __future__ import annotations

import io
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from aspects_assets.cli.main import cli
from aspects_assets.cli.output import colour_enabled, style


def commands(group: click.Group = cli, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield " ".join((*path, name)), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


ALL = [("", cli), *commands()]


@pytest.mark.parametrize(("name", "command"), ALL, ids=[n or "aspects-assets" for n, _ in ALL])
def test_every_help_has_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"], prog_name="aspects-assets")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"`aspects-assets {name} --help` has no example"
    assert "aspects-assets" in result.output.split("Example", 1)[1]


# Every command reports something a script may want to read.
COMMANDS = [(n, c) for n, c in commands() if not isinstance(c, click.Group)]


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_speaks_json(name: str, command: click.Command) -> None:
    options = {o.name: o for o in command.params if isinstance(o, click.Option)}
    assert "output_format" in options, f"{name} has no --format"
    assert "--format" in options["output_format"].opts
    assert "json" in getattr(options["output_format"].type, "choices", ())


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colours_only_on_a_terminal_and_never_with_no_color(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_enabled(Tty())
    assert not colour_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_enabled(Tty())
    assert style("changed", "yellow") == "changed"


def test_shell_completion_script() -> None:
    result = CliRunner().invoke(cli, [], prog_name="aspects-assets",
                                env={"_ASPECTS_ASSETS_COMPLETE": "bash_source"})
    assert result.exit_code == 0
    assert "_ASPECTS_ASSETS_COMPLETE" in result.output and "complete " in result.output
