"""Printing: colours only on a terminal and never with NO_COLOR; JSON on request."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from aspects_assets.model.errors import Problem

_SEVERITY_COLOUR = {"error": "red", "warning": "yellow"}


def colour_enabled(stream: Any = None) -> bool:
    stream = stream or sys.stdout
    return "NO_COLOR" not in os.environ and bool(getattr(stream, "isatty", lambda: False)())


def style(text: str, fg: str, *, err: bool = False) -> str:
    stream = sys.stderr if err else sys.stdout
    return click.style(text, fg=fg) if colour_enabled(stream) else text


def echo_problem(problem: Problem, *, err: bool = False) -> None:
    text = str(problem)
    label, _, rest = text.partition(":")
    click.echo(
        style(label, _SEVERITY_COLOUR.get(problem.severity, "white"), err=err) + ":" + rest,
        err=err,
        color=colour_enabled(sys.stderr if err else None),
    )


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr, only on a terminal: yields progress(what, n_done)."""
    if total <= 0 or not sys.stderr.isatty():
        yield lambda what, n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr,
                           color=colour_enabled(sys.stderr)) as bar:
        yield lambda what, n: bar.update(n)
