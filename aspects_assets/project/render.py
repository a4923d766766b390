"""Render asset sources: Jinja (StrictUndefined, includes) then YAML (C loader)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml

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
from aspects_assets.project.settings import Settings


@dataclass(frozen=True)
class Loaded:
    assets: AssetSet
    problems: tuple[Problem, ...]


def jinja_environment(templates_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_text(
    env: jinja2.Environment, text: str, context: dict[str, Any], display: str
) -> tuple[str | None, Problem | None]:
    """Jinja-render one file's text; a failure becomes a Problem naming the file."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text, None  # nothing to render: skip Jinja's compile, the costly part
    try:
        return env.from_string(text).render(context), None
    except jinja2.UndefinedError as exc:
        return None, Problem("error", display, "", f"undefined variable: {exc.message}")
    except jinja2.TemplateSyntaxError as exc:
        where = display if exc.name is None else f"{display} (in {exc.name})"
        return None, Problem(
            "error", where, "", f"template syntax error: {exc.message}", exc.lineno
        )
    except jinja2.TemplateNotFound as exc:
        return None, Problem("error", display, "", f"included template not found: {exc.name}")


def parse_yaml(text: str, display: str) -> tuple[Any, Problem | None]:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, Problem(
            "error", display, "", f"invalid YAML: {problem}", mark.line + 1 if mark else None
        )


def asset_from_mapping(kind: str, data: dict[str, Any], display: str, settings: Settings) -> Asset:
    body = {k: v for k, v in data.items() if not str(k).startswith(PRIVATE_PREFIX)}
    private = {k: v for k, v in data.items() if str(k).startswith(PRIVATE_PREFIX)}
    password = None
    if kind == "database" and isinstance(body.get("sqlalchemy_uri"), str):
        # The one place a secret may go: a database URI's password, masked here
        # and sent apart, in the import's `passwords` field.
        body["sqlalchemy_uri"], password = take_password(body["sqlalchemy_uri"], settings.secrets)
    return Asset(kind=as_kind(kind), body=body, source=display, private=private, password=password)


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


def source_files(settings: Settings) -> list[tuple[str, Path]]:
    """(kind, path) of every asset source, in a stable order."""
    files: list[tuple[str, Path]] = []
    for kind in KINDS:
        folder = settings.assets_dir / FOLDER_OF_KIND[kind]
        if folder.is_dir():
            files.extend((kind, p) for p in sorted(folder.rglob("*.yaml")) if p.is_file())
    return files


def load_assets(settings: Settings) -> Loaded:
    """Render and parse every asset source; problems are collected, not raised."""
    env = jinja_environment(settings.templates_dir)
    context = dict(settings.variables)
    assets: list[Asset] = []
    problems: list[Problem] = []
    files = source_files(settings)
    if not files:
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
    for kind, path in files:
        display = settings.display(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem("error", display, "", f"cannot read: {exc}"))
            continue
        rendered, problem = render_text(env, text, context, display)
        if problem or rendered is None:
            problems.append(problem or Problem("error", display, "", "cannot render"))
            continue
        data, problem = parse_yaml(rendered, display)
        if problem:
            problems.append(problem)
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    "error", display, "", f"must be a mapping of fields, not {type(data).__name__}"
                )
            )
            continue
        asset = asset_from_mapping(kind, data, display, settings)
        problems += secret_problems({**asset.body, **asset.private}, display, settings)
        assets.append(asset)
    return Loaded(AssetSet.of(assets), tuple(p.redacted(settings.secrets) for p in problems))


def template_variables(settings: Settings) -> set[str]:
    """Every variable name that an asset template, or a template it includes (at any
    depth), reads. A file that does not parse is skipped: validation reports it."""
    env = jinja_environment(settings.templates_dir)
    pending: list[str] = []
    for _kind, path in source_files(settings):
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
