"""The examples of every command's `--help`, as a person would copy them: read
from the help text itself, so that a changed example is the one tested."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field

import click

from aspects_assets.cli.main import cli

# The commands that talk to a live Superset (their examples need one to run).
LIVE_COMMANDS = {"adopt", "check", "diff", "import", "pull", "unlock"}
_HEADING = re.compile(r"^\s*Examples?\b[^:]*:\s*$")
_SHELL_OPERATORS = {"||", "&&", "|", ";"}


@dataclass(frozen=True)
class Example:
    help_of: str  # the command whose help shows it ("" for the top level)
    line: str
    env: dict[str, str] = field(hash=False)
    args: tuple[str, ...]
    may_exit_1: bool  # the example says it may (a comment, or `|| ...` after it)

    @property
    def live(self) -> bool:
        return self.args[0] in LIVE_COMMANDS


def commands(group: click.Group = cli, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[str, click.Command]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield " ".join((*path, name)), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


def example_lines(help_text: str) -> list[str]:
    """The indented lines of the help's Example(s) block."""
    lines = help_text.splitlines()
    out: list[str] = []
    for i, line in enumerate(lines):
        if _HEADING.match(line):
            for follower in lines[i + 1:]:
                if not follower.strip() or not follower.startswith((" ", "\t")):
                    break
                if out and out[-1].endswith("\\"):  # a shell line continued
                    out[-1] = out[-1][:-1] + " " + follower.strip()
                else:
                    out.append(follower.strip())
    return out


def parse(help_of: str, line: str) -> Example:
    """`NAME=VALUE ... aspects-assets ARGS [# comment] [|| more]` as env and argv."""
    tokens = shlex.split(line, comments=True)
    env: dict[str, str] = {}
    while tokens and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", tokens[0]):
        name, _, value = tokens.pop(0).partition("=")
        env[name] = value
    assert tokens and tokens[0] == "aspects-assets", f"not a command of ours: {line!r}"
    args: list[str] = []
    for token in tokens[1:]:
        if token in _SHELL_OPERATORS:
            break
        args.append(token)
    may_exit_1 = "exits 1" in line or "||" in line
    return Example(help_of, line, env, tuple(args), may_exit_1)


def all_examples() -> list[Example]:
    """Every example of every help, in the order the commands are listed."""
    seen: set[str] = set()
    out: list[Example] = []
    for name, command in [("", cli), *commands()]:
        for line in example_lines(command.help or ""):
            if line not in seen:
                seen.add(line)
                out.append(parse(name, line))
    return out
