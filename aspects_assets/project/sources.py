"""Source files beside the four asset kinds (row-level security filters, ...):
every `*.yaml` under `<layer>/<folder>/` of every asset layer, rendered with the
assets' Jinja (read as they are in a rendered layer) and read as YAML, problems
collected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aspects_assets.model.errors import Problem
from aspects_assets.project.render import jinja_environment, render_file, secret_problems
from aspects_assets.project.settings import Settings


@dataclass(frozen=True)
class Document:
    display: str  # the file, as messages name it
    data: Any
    layer: int = 0  # the index of its asset layer (settings.layers), lowest first


@dataclass(frozen=True)
class Rendered:
    documents: tuple[Document, ...]
    problems: tuple[Problem, ...]


def _no_patch(name: str) -> str:
    """Tutor's `patch()`, which Open edX Aspects' templates call (`roles.json`):
    outside Tutor nothing is patched in."""
    return ""


def render_folder(settings: Settings, folder: str, patterns: tuple[str, ...] = ("*.yaml",)
                  ) -> Rendered:
    """Every file matching `patterns` under `<layer>/<folder>/` of each layer, lowest
    layer first (a missing folder is no files). JSON files are read as YAML, of which
    JSON is a part."""
    env = jinja_environment(settings.templates_dir)
    context = {"patch": _no_patch, **settings.variables}
    documents: list[Document] = []
    problems: list[Problem] = []
    for index, layer in enumerate(settings.layers):
        root = layer.path / folder
        if not root.exists():
            continue
        try:
            paths = sorted({p for pattern in patterns for p in root.rglob(pattern)})
        except OSError as exc:
            problems.append(Problem("error", settings.display(root), "",
                                    f"cannot read the folder: {exc.strerror or exc}"))
            continue
        for path in paths:
            display = settings.display(path)
            data, found = render_file(env, path, display, context,
                                      templated=not layer.rendered)
            if found:
                problems += found
                continue
            # A secret is refused here as in any asset: Superset shows these in clear.
            if isinstance(data, dict):
                problems += secret_problems(data, display, settings)
            elif isinstance(data, list):
                problems += secret_problems({f"[{i}]": v for i, v in enumerate(data)}, display,
                                            settings)
            documents.append(Document(display, data, index))
    return Rendered(tuple(documents), tuple(p.redacted(settings.secrets) for p in problems))
