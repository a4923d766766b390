"""Render asset sources: Jinja (sandboxed, StrictUndefined, includes) then YAML (C loader)."""

from __future__ import annotations

import difflib
import errno
import functools
import os
import re
import stat
import string
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from aspects_assets.model.assets import (
    FOLDER_OF_KIND,
    KINDS,
    PRIVATE_PREFIX,
    Asset,
    AssetSet,
    as_kind,
)
from aspects_assets.model.errors import InputError, Problem
from aspects_assets.model.keypath import key_text
from aspects_assets.model.secrets import MASK, landings, take_password
from aspects_assets.project import strict_yaml
from aspects_assets.project.files import read_text
from aspects_assets.project.layers import Entry, Stacked, stack
from aspects_assets.project.settings import Layer, Settings


@dataclass(frozen=True)
class Loaded:
    assets: AssetSet
    problems: tuple[Problem, ...]
    # How the layers made each asset (its file, overrides, what it replaced).
    stacked: tuple[Stacked, ...] = ()
    # Source key (`source_key`) → the file's data as rendered and read, for the
    # files another render of the same inputs may take as they are: without a
    # problem, no database (its password comes from the environment), no secret.
    reusable: Mapping[str, Any] = field(default_factory=dict)

    def origins(self) -> dict[str, Stacked]:
        """Uuid → how the layers made that asset."""
        return {item.definition.uuid: item for item in self.stacked
                if item.definition.uuid is not None}


# Limits of one file's rendering. Asset templates are code from the repository,
# yet a slip (`range(10**9) | list`, a string multiplied by a huge number) must
# end in a sentence at once, not in minutes of work or an exhausted memory.
MAX_OUTPUT = 20_000_000  # characters a template may render (the largest corpus file: ~200k)
MAX_RANGE_ITEMS = 1_000_000  # items of all `range()` calls of one file, loops included
MAX_LOOP_STEPS = 1_000_000  # steps of all `{% for %}` loops of one file, nested ones included
MAX_CALLS = 50_000  # calls (macros, methods, range) of one file: a macro call costs ~10 µs
MAX_INT_BITS = 100_000  # a power's result (Python prints no integer past 4,300 digits anyway)
_LOOP_BUDGET = "aspects_assets_loop_steps"  # the global every loop's items pass through
_TEMPLATE_FILE = "<template>"


class TemplateLimit(SecurityError):
    """A rendering went past one of the limits above."""


class AssetEnvironment(SandboxedEnvironment):
    """Jinja's sandbox (no Python internals, no environment), with size limits."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, templates_dir: Path) -> None:
        super().__init__(loader=jinja2.FileSystemLoader(str(templates_dir)),
                         undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                         autoescape=False)
        self.templates_dir = templates_dir
        self.range_left = MAX_RANGE_ITEMS
        self.steps_left = MAX_LOOP_STEPS
        self.calls_left = MAX_CALLS
        self.globals["range"] = self.budgeted_range
        self.globals[_LOOP_BUDGET] = self.counted_steps
        self.filters = {name: self._limited(f) for name, f in self.filters.items()}

    def budgeted_range(self, *args: int) -> range:
        items = range(*args)
        self.range_left -= len(items)
        if self.range_left < 0:
            raise TemplateLimit(f"range() asked for more than {MAX_RANGE_ITEMS:,} items in "
                                "this file")
        return items

    def counted_steps(self, items: Any) -> Iterator[Any]:
        """A loop's items, each counted against the file's budget of loop steps
        (loops over long texts or lists, nested, would otherwise run for hours)."""
        for item in items:
            self.steps_left -= 1
            if self.steps_left < 0:
                raise TemplateLimit(f"loops ran more than {MAX_LOOP_STEPS:,} steps in this file")
            yield item

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # every `{% for x in items %}` becomes `{% for x in <counted>(items) %}`
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_LOOP_BUDGET, "load", lineno=loop.lineno),
                                   [loop.iter], [], None, None, lineno=loop.lineno)
        return tree

    def _limited(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """A filter whose size arguments (widths, counts: not the value filtered)
        are checked first."""
        # a filter marked pass_context / pass_eval_context gets that before the value
        first = 1 if getattr(function, "jinja_pass_arg", None) else 0

        @functools.wraps(function)
        def limited(*args: Any, **kwargs: Any) -> Any:
            value, rest = (args[first], args[first + 1:]) if len(args) > first else (None, ())
            if function.__name__ == "do_format" and isinstance(value, str):
                _check_percent(value, rest)
            else:
                _check_sizes(rest, kwargs)
            if function.__name__ == "do_replace" and len(rest) >= 2:
                _check_replace(value, rest[0], rest[1])
            return function(*args, **kwargs)
        return limited

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls_left -= 1  # a macro calling itself twice would run 2**depth times
        if self.calls_left < 0:
            raise TemplateLimit(f"more than {MAX_CALLS:,} calls (macros, methods) in this file")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | list | tuple):  # `'x'.ljust(n)`, `'x'.zfill(n)`, ...
            _check_sizes(args, kwargs)
            if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" \
                    and len(args) > 1:
                _check_replace(owner, args[0], args[1])
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # the sandbox swaps `str.format` for its own when the attribute is read
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format_widths(value.__self__)
        return wrapped

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if (operator == "**" and isinstance(left, int) and isinstance(right, int)
                and abs(left) > 1 and right * abs(left).bit_length() > MAX_INT_BITS):
            raise TemplateLimit(f"{left} ** {right} is too large a number")
        if operator == "%" and isinstance(left, str):
            _check_percent(left, right if isinstance(right, tuple) else (right,))
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_OUTPUT:
                    raise TemplateLimit(f"a text or list repeated {times:,} times is longer "
                                        f"than {MAX_OUTPUT:,}")
        return super().call_binop(context, operator, left, right)


# The width and precision of a `%` conversion (`%-1000000000s`, `%.9999999999f`).
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d*))?")


def _check_percent(pattern: str, values: tuple[Any, ...]) -> None:
    """A `%` pattern whose widths, written or given by `*`, exceed the output limit."""
    for numbers in _PERCENT_WIDTH.findall(pattern):
        for number in numbers:
            if number and int(number) > MAX_OUTPUT:
                raise TemplateLimit(f"a width of {int(number):,} in {pattern[:40]!r}")
    if "*" in pattern:
        _check_sizes(values, {})


def _check_format_widths(pattern: str) -> None:
    """A `str.format` pattern whose field widths exceed the output limit."""
    try:
        specs = [spec for _, _, spec, _ in string.Formatter().parse(pattern) if spec]
    except ValueError:
        return  # str.format itself says what is wrong
    for spec in specs:
        for number in re.findall(r"\d+", spec):
            if int(number) > MAX_OUTPUT:
                raise TemplateLimit(f"a width of {int(number):,} in {pattern[:40]!r}")


def _check_replace(text: Any, old: Any, new: Any) -> None:
    """A replacement whose result would exceed the output limit."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * (len(new) - len(old)) > MAX_OUTPUT:
            raise TemplateLimit(f"replacing {old!r} would make a text longer than "
                                f"{MAX_OUTPUT:,}")


def _check_sizes(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A number given to a filter or a method of a text or list (a width, a count)
    past the output limit."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT:
            raise TemplateLimit(f"the number {value:,} is larger than a rendered file may be")


def jinja_environment(templates_dir: Path) -> AssetEnvironment:
    return AssetEnvironment(templates_dir)


def _template_line(exc: BaseException, templates_dir: Path) -> tuple[str | None, int | None]:
    """Where in the templates an error was raised: (the included file or None for
    the asset file itself, line), from the innermost template frame Jinja left."""
    where: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == _TEMPLATE_FILE:
            where = (None, frame.lineno)
        elif frame.filename.startswith(str(templates_dir)) and not frame.filename.endswith(".py"):
            where = (str(Path(frame.filename).relative_to(templates_dir)), frame.lineno)
    return where


def _render(env: AssetEnvironment, text: str, context: dict[str, Any]) -> str:
    """The rendered text, stopped past MAX_OUTPUT characters."""
    env.range_left = MAX_RANGE_ITEMS
    env.steps_left = MAX_LOOP_STEPS
    env.calls_left = MAX_CALLS
    parts: list[str] = []
    size = 0
    for part in env.from_string(text).generate(context):
        size += len(part)
        if size > MAX_OUTPUT:
            raise TemplateLimit(f"renders to more than {MAX_OUTPUT:,} characters")
        parts.append(part)
    return "".join(parts)


def render_text(
    env: AssetEnvironment, text: str, context: dict[str, Any], display: str
) -> tuple[str | None, Problem | None]:
    """Jinja-render one file's text; any failure becomes a Problem naming the file
    (and the included template and line where Jinja knows them)."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text, None  # nothing to render: skip Jinja's compile, the costly part
    try:
        return _render(env, text, context), None
    except jinja2.UndefinedError as exc:
        return None, Problem("error", display, "", f"undefined variable: {exc.message}")
    except jinja2.TemplateSyntaxError as exc:
        where = display if exc.name is None else f"{display} (in {exc.name})"
        return None, Problem(
            "error", where, "", f"template syntax error: {exc.message}", exc.lineno
        )
    except jinja2.TemplateNotFound as exc:
        return None, Problem("error", display, "", f"included template not found: {exc.name}")
    except SecurityError as exc:
        return None, _runtime_problem(exc, env, display, f"refused by the template sandbox: {exc}")
    except RecursionError as exc:
        return None, _runtime_problem(exc, env, display, "recursion without end (a macro that "
                                      "calls itself, or templates that include each other)")
    except MemoryError as exc:
        return None, _runtime_problem(exc, env, display, "rendering ran out of memory")
    except Exception as exc:  # any other error of the template's own code, as Python raises it
        return None, _runtime_problem(exc, env, display,
                                      f"template error: {type(exc).__name__}: {exc}")


def _runtime_problem(exc: BaseException, env: AssetEnvironment, display: str,
                     message: str) -> Problem:
    included, line = _template_line(exc, env.templates_dir)
    where = display if included is None else f"{display} (in {included})"
    return Problem("error", where, "", message, line)


def parse_yaml(text: str, display: str) -> tuple[Any, list[Problem]]:
    """The rendered text as data, or every problem of it (file, key path, line)."""
    try:
        return strict_yaml.load(text), []
    except yaml.YAMLError as exc:
        return None, strict_yaml.problems_of(exc, display)


def asset_from_mapping(kind: str, data: dict[str, Any], display: str, settings: Settings) -> Asset:
    body = {k: v for k, v in data.items() if not str(k).startswith(PRIVATE_PREFIX)}
    private = {k: v for k, v in data.items() if str(k).startswith(PRIVATE_PREFIX)}
    password = None
    if kind == "database" and isinstance(body.get("sqlalchemy_uri"), str):
        # The one place a secret may go: a database URI's password, masked here
        # and sent apart, in the import's `passwords` field.
        body["sqlalchemy_uri"], password = take_password(body["sqlalchemy_uri"], settings.secrets)
    return Asset(kind=as_kind(kind), body=body, source=display, private=private, password=password)


def render_file(env: AssetEnvironment, path: Path, display: str, context: dict[str, Any],
                *, templated: bool = True) -> tuple[Any, list[Problem]]:
    """One source file read, rendered (unless not `templated`: a file of a rendered
    layer, whose Jinja is Superset's own) and parsed; the problems stop it."""
    try:
        text = read_text(path, display)
    except InputError as exc:
        return None, [exc.as_problem()]
    if not templated:
        return parse_yaml(text, display)
    rendered, problem = render_text(env, text, context, display)
    if problem or rendered is None:
        return None, [problem or Problem("error", display, "", "cannot render")]
    return parse_yaml(rendered, display)


def secret_problems(data: dict[str, Any], display: str, settings: Settings) -> list[Problem]:
    """A secret anywhere else in an asset is refused, naming the place (never the
    value): Superset stores and shows every other field in clear text."""
    if not settings.secrets:
        return []
    return [
        Problem("error", display, key_text(path),
                f"holds {origin}, which Superset would store and show in clear text: a "
                "secret may only be a database URI's password (masked as "
                f"{MASK} and sent apart)")
        for path, origin in landings(data, settings.secrets)
    ]


def _walk_sources(folder: Path, found: list[Path], unreadable: list[tuple[Path, str]],
                  seen: set[Path]) -> None:
    """Every `*.yaml` below `folder` (folder links followed, each real folder once);
    what cannot be read is listed, never skipped in silence: a source that
    vanished from the listing would read as deleted, and `--prune` acts on that."""
    try:
        real = folder.resolve(strict=True)
        if real in seen:
            unreadable.append((folder, "a folder link that loops back to a folder above it"))
            return
        seen.add(real)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (OSError, RuntimeError) as exc:
        unreadable.append((folder, f"cannot read this folder: {_reason(exc)}"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            if is_dir:
                _walk_sources(path, found, unreadable, seen)
            elif entry.name.endswith(".yaml"):
                mode = path.stat().st_mode
                if stat.S_ISREG(mode):
                    found.append(path)
                else:
                    unreadable.append((path, "is not a regular file"))
        except OSError as exc:
            unreadable.append((path, f"cannot read: {_reason(exc)}"))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOENT:
        return "a link to nothing (its target does not exist)"
    if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
        return "a link that loops"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)


def _present(path: Path) -> bool:
    """Whether anything (a folder, a file, a broken link) is at `path`."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True  # there, but unreadable: the walk reports it
    return True


def layer_listing(settings: Settings, layer: Layer
                  ) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(kind, path) of every asset source of one layer in a stable order, and a
    problem for each path under its asset folders that cannot be read."""
    files: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for kind in KINDS:
        folder = layer.path / FOLDER_OF_KIND[kind]
        if not _present(folder):
            continue
        found: list[Path] = []
        unreadable: list[tuple[Path, str]] = []
        _walk_sources(folder, found, unreadable, set())
        files.extend((kind, p) for p in found)
        problems += [Problem("error", settings.display(p), "", why) for p, why in unreadable]
    return files, problems


def source_listing(settings: Settings) -> tuple[list[tuple[str, Path]], list[Problem]]:
    """(kind, path) of every asset source of every layer (lowest first), and a
    problem for each path under the asset folders that cannot be read."""
    files: list[tuple[str, Path]] = []
    problems: list[Problem] = []
    for layer in settings.layers:
        found, unreadable = layer_listing(settings, layer)
        files += found
        problems += unreadable
    return files, problems


def source_files(settings: Settings) -> list[tuple[str, Path]]:
    """(kind, path) of every readable asset source, in a stable order."""
    return source_listing(settings)[0]


def source_key(layer: int, display: str) -> str:
    return f"{layer}:{display}"


def load_assets(settings: Settings, rendered: Mapping[str, Any] | None = None) -> Loaded:
    """Render and parse every asset source of every layer, then stack the layers;
    problems are collected, not raised. `rendered`: what an earlier render of the
    same inputs made of some files (`Loaded.reusable`), taken instead of rendering
    them again."""
    env = jinja_environment(settings.templates_dir)
    context = dict(settings.variables)
    entries: list[Entry] = []
    problems: list[Problem] = []
    reusable: dict[str, Any] = {}
    listed = 0
    for index, layer in enumerate(settings.layers):
        files, unreadable = layer_listing(settings, layer)
        listed += len(files) + len(unreadable)
        problems += unreadable
        for kind, path in files:
            display = settings.display(path)
            key = source_key(index, display)
            data = (rendered or {}).get(key) if kind != "database" else None
            if data is None:
                data, found = render_file(env, path, display, context,
                                          templated=not layer.rendered)
                if found:
                    problems += found
                    continue
            if not isinstance(data, dict):
                problems.append(Problem("error", display, "",
                                        f"must be a mapping of fields, not {type(data).__name__}"))
                continue
            # each file's secrets named in that file; a URI's password masked first
            masked = asset_from_mapping(kind, data, display, settings)
            found = secret_problems({**masked.body, **masked.private}, display, settings)
            problems += found
            if kind != "database" and not found:
                reusable[key] = data
            entries.append(Entry(index, kind, display, data))
    if not listed:
        shown = settings.display(settings.assets_dir)
        what = "is missing" if not settings.assets_dir.is_dir() else "has no asset files"
        problems.append(
            Problem(
                "error",
                shown,
                "",
                f"the assets folder {what} (expected *.yaml under "
                f"{', '.join(FOLDER_OF_KIND[k] + '/' for k in KINDS)})",
            )
        )
    stacked, found = stack(entries)
    problems += found
    assets = [asset_from_mapping(item.definition.kind, item.data, item.definition.display,
                                 settings) for item in stacked]
    return Loaded(AssetSet.of(assets), tuple(p.redacted(settings.secrets) for p in problems),
                  tuple(stacked), reusable)


def template_variables(settings: Settings) -> set[str]:
    """Every variable name that an asset template, or a template it includes (at any
    depth), reads. A file that does not parse is skipped: validation reports it."""
    env = jinja_environment(settings.templates_dir)
    pending: list[str] = []
    templates = [path for layer in settings.layers if not layer.rendered
                 for _kind, path in layer_listing(settings, layer)[0]]
    for path in templates:
        try:
            pending.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
    names: set[str] = set()
    included: set[str] = set()
    while pending:
        try:
            tree = env.parse(pending.pop())
        except jinja2.TemplateSyntaxError:
            continue
        names |= jinja2.meta.find_undeclared_variables(tree)
        for name in jinja2.meta.find_referenced_templates(tree):
            if name is None or name in included:
                continue  # a computed name cannot be followed; the rest were read once
            included.add(name)
            try:
                pending.append(env.loader.get_source(env, name)[0])  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                continue
    return names


def check_var_overrides(settings: Settings, overrides: Mapping[str, str]) -> None:
    """A `--var` must set a variable that something uses: a typo must not pass silently."""
    unknown = [name for name in overrides if name not in settings.declared_variables]
    if not unknown:
        return  # the common case: no template is parsed
    used = template_variables(settings)
    for name in unknown:
        if name not in used:
            close = difflib.get_close_matches(name, used | settings.declared_variables, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                "no asset template, included template or setting uses this variable" + hint,
                file="--var", key=name,
            )
