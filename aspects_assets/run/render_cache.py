"""The render cache: each locale's copies as the last render made them, so that a
change to one catalog re-localizes that locale alone.

A locale's copies depend on the originals and on its own catalog only
(`core.i18n.localize.locale_copies`), so they are kept under a key of exactly
that (`project.inputs.render_keys`: every input but the catalogs, the tool's own
code, the locale's catalog): the copies, their fingerprints, their problems
(catalog, fallbacks, validation). Under the key of the originals' inputs, each
source file as rendered and read (`RenderedFiles`), but for the databases, which
are rendered every time: one may carry a password from the environment, which
no file may hold; so is a file with a problem or a secret anywhere.

It lives in the user's cache folder, never in the project: a project (a
checkout of someone's assets) cannot bring entries of its own, and those are
pickles. `ASPECTS_ASSETS_CACHE_DIR` moves it; `ASPECTS_ASSETS_CACHE_DIR=off` turns
it off. Entries are written only for a locale without errors, to a temporary
name and renamed; the oldest go beyond `KEEP`. A cache that cannot be read or
written only costs the time it would have saved.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aspects_assets.core.i18n.fallbacks import LocaleFallbacks
from aspects_assets.model.assets import Asset
from aspects_assets.model.errors import Problem

CACHE_VARIABLE = "ASPECTS_ASSETS_CACHE_DIR"
FORMAT = 1
KEEP = 400  # entries: two dozen locales of several projects and branches


@dataclass(frozen=True)
class LocalePart:
    """One locale's share of a render."""

    copies: tuple[Asset, ...]
    fingerprints: Mapping[str, str]  # uuid → what the bundle sends of it (core.bundle)
    catalog_problems: tuple[Problem, ...]  # of reading its catalog
    fallbacks: LocaleFallbacks
    asset_problems: Mapping[str, tuple[Problem, ...]]  # uuid → its own (core.validate)
    # Its key in the cache: "" when the cache is off.
    key: str = ""


@dataclass(frozen=True)
class RenderedFiles:
    """The originals' source files as the last render of the same inputs read them."""

    files: Mapping[str, Any]  # source key (`project.render.source_key`) → its data


Kept = TypeVar("Kept", LocalePart, RenderedFiles)


def cache_dir(env: Mapping[str, str] = os.environ) -> Path | None:
    chosen = env.get(CACHE_VARIABLE)
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    home = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "aspects-assets" / "render"


def load(key: str, kind: type[Kept]) -> Kept | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{key}.pickle", "rb") as file:
            entry = pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            TypeError, ValueError):
        return None
    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == FORMAT
            and isinstance(entry[1], kind)):
        return None
    with contextlib.suppress(OSError):
        os.utime(folder / f"{key}.pickle")  # used: the last to be pruned
    return entry[1]


def store(key: str, entry: LocalePart | RenderedFiles) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        with os.fdopen(handle, "wb") as file:
            pickle.dump((FORMAT, entry), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{key}.pickle")
        _prune(folder)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime)
    for old in entries[:-KEEP]:
        with contextlib.suppress(OSError):
            old.unlink()
