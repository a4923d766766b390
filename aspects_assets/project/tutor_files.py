"""The files of a project that `init --from-tutor` made: reading the generated ones
back (for `--check`) and writing a new state, each file whole or not at all."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from aspects_assets.model.errors import InputError
from aspects_assets.project.files import read_text, replace_with

GITKEEP = ".gitkeep"


def read_generated(root: Path, generated: Path, extra: Path) -> dict[Path, str]:
    """Every file under `root/generated` and the override file, relative path → text."""
    out: dict[Path, str] = {}
    folder = root / generated
    paths = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    if (root / extra).is_file():
        paths.append(root / extra)
    for path in paths:
        out[path.relative_to(root)] = read_text(path, str(path))
    return out


def read_settings(path: Path) -> tuple[str | None, dict[str, Any] | None]:
    """The settings file's text and data; (None, None) when there is none."""
    if not path.is_file():
        return None, None
    text = read_text(path, path.name)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"is not YAML ({exc})", file=path.name) from exc
    if data is not None and not isinstance(data, dict):
        raise InputError("must be a mapping of settings", file=path.name, key="(top level)")
    return text, data or {}


def _write_tree(files: Mapping[Path, str], base: Path, target: Path) -> None:
    for relative, text in files.items():
        path = target / relative.relative_to(base)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_project(root: Path, settings_file: Path, settings_text: str,
                  files: Mapping[Path, str], generated: Path, extra: Path,
                  overlay: Path) -> bool:
    """Write the settings, replace the generated folder whole (and the override file),
    and make the overlay when it does not exist. True when the overlay was made."""
    inside = {p: t for p, t in files.items() if p.is_relative_to(generated)}
    replace_with(root / generated, functools.partial(_write_tree, inside, generated),
                 folder=True, key=None)
    if extra in files:
        replace_with(root / extra, functools.partial(Path.write_text, data=files[extra],
                                                     encoding="utf-8"), folder=False, key=None)
    else:
        (root / extra).unlink(missing_ok=True)
    replace_with(settings_file, functools.partial(Path.write_text, data=settings_text,
                                                  encoding="utf-8"), folder=False, key=None)
    if (root / overlay).exists():
        return False
    try:
        (root / overlay).mkdir(parents=True)
        (root / overlay / GITKEEP).touch()
    except OSError as exc:
        raise InputError(f"cannot make the folder: {exc.strerror or exc}",
                         file=str(root / overlay)) from exc
    return True
