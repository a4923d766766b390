"""Render asset sources: Jinja (StrictUndefined, includes) then YAML (C loader)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jinja2
import yaml

from aspects_assets.model.assets import FOLDER_OF_KIND, KINDS, PRIVATE_PREFIX, Asset, AssetSet
from aspects_assets.model.errors import Problem
from aspects_assets.project import strict_yaml
from aspects_assets.project.settings import MASKED_PASSWORD, Settings


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


def parse_yaml(text: str, display: str) -> tuple[Any, list[Problem]]:
    """The rendered text as data, or every problem of it (file, key path, line)."""
    try:
        return strict_yaml.load(text), []
    except yaml.YAMLError as exc:
        return None, strict_yaml.problems_of(exc, display)


def mask_uri_password(uri: str, secrets: frozenset[str]) -> tuple[str, str | None]:
    """Mask the password of a URI that came from the environment.

    Returns the URI to keep and the password to send separately; a clear-text
    password that did not come from the environment is left for validation.
    """
    try:
        parts = urlsplit(uri)
        password = parts.password
    except ValueError:
        return uri, None
    if not password or password == MASKED_PASSWORD or password not in secrets:
        return uri, None
    userinfo, _, hostinfo = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    masked = parts._replace(netloc=f"{user}:{MASKED_PASSWORD}@{hostinfo}")
    return urlunsplit(masked), password


def asset_from_mapping(kind: str, data: dict[str, Any], display: str, settings: Settings) -> Asset:
    body = {k: v for k, v in data.items() if not str(k).startswith(PRIVATE_PREFIX)}
    private = {k: v for k, v in data.items() if str(k).startswith(PRIVATE_PREFIX)}
    password = None
    if kind == "database" and isinstance(body.get("sqlalchemy_uri"), str):
        body["sqlalchemy_uri"], password = mask_uri_password(
            body["sqlalchemy_uri"], settings.env_secrets
        )
    return Asset(kind=kind, body=body, source=display, private=private, password=password)


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
        data, yaml_problems = parse_yaml(rendered, display)
        if yaml_problems:
            problems += yaml_problems
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    "error", display, "", f"must be a mapping of fields, not {type(data).__name__}"
                )
            )
            continue
        assets.append(asset_from_mapping(kind, data, display, settings))
    return Loaded(AssetSet.of(assets), tuple(problems))
