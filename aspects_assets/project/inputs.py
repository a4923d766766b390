"""A hash of everything an import's result depends on, to skip rendering when
nothing changed since the last import.

Reading and hashing the files is much cheaper than rendering them: about 40 ms
for the 2026-07 corpus against several seconds to render and localize it in
two dozen locales.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from aspects_assets import __version__
from aspects_assets.model.secrets import mask_uris_in, redact
from aspects_assets.project.catalogs import catalog_path
from aspects_assets.project.settings import Layer, Settings

# What an `{% include %}` can pull in. The templates folder defaults to the
# settings folder, which also holds virtualenvs, manifests and backups: those
# must neither cost time nor change the hash.
TEMPLATE_SUFFIXES = frozenset({".sql", ".j2", ".jinja", ".jinja2", ".yaml", ".yml", ".md",
                               ".html", ".txt", ".po", ".json"})
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "backups", "dist", "build",
                             "venv"})


def _files(folder: Path, root: Path) -> Iterable[Path]:
    """Template files below `folder`, skipping hidden and bulky folders unread. JSON
    (roles files, Aspects' partials) counts except in the settings folder `root`
    itself, where the import writes its embedding manifest."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS]
        found.extend(Path(top) / f for f in files if Path(f).suffix in TEMPLATE_SUFFIXES
                     and not (Path(f).suffix == ".json" and Path(top) == root))
    return sorted(found)


def _content(file: Path) -> bytes:
    """A file's bytes, the passwords of its URIs masked; for a file that cannot be
    read, a marker that no readable content equals (validation then reports the
    file).

    A rendered layer (Tutor's env) holds database URIs with their passwords in
    clear; the hash is stored in Superset, so they are masked as the settings'
    secrets are (see inputs_hash)."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        return f"\0unreadable\0{exc.errno}".encode()
    if b"://" not in data:
        return data
    return mask_uris_in(data.decode("utf-8", "surrogateescape")).encode(
        "utf-8", "surrogateescape")


def inputs_hash(settings: Settings, scope: Iterable[str]) -> str:
    return _digest(settings, scope).hexdigest()[:32]


def _digest(settings: Settings, scope: Iterable[str],
            left_out: Collection[Path] = ()) -> hashlib._Hash:
    """sha256 over sources, templates, catalogs, overrides, settings (with the
    variables as resolved, environment included), the run's scope and the tool
    version.

    The hash is stored in the project record in Superset, which Alpha users can
    read, and it is not salted: the secrets of the run are left out (masked in
    the variables), or a dictionary attack on the hash would recover them. No
    secret changes what is rendered and sent (a database's password travels apart,
    and one anywhere else is refused), so leaving them out loses nothing."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("tool", __version__.encode())
    add("scope", json.dumps(sorted(scope)).encode())
    resolved = {
        "locales": settings.locales, "source_locale": settings.source_locale,
        "variables": redact(settings.variables, settings.secrets), "project": settings.project,
        "superset_version": settings.superset.version,
        "system_themes": [settings.superset.default_theme, settings.superset.dark_theme],
        "locale_role_format": settings.locale_role_format,
        "original_roles": settings.original_roles, "lock_in_ui": settings.lock_in_ui,
        "embedded": settings.embedded_dashboards,
        "missing_permissions": settings.missing_permissions,
    }
    if settings.layers != (Layer(settings.assets_dir),):
        # the order of the layers and which are read through Jinja change what the
        # same files make (one folder of templates hashes as it always did)
        resolved["layers"] = [[str(layer.path), layer.rendered] for layer in settings.layers]
    add("settings", json.dumps(resolved, sort_keys=True, default=str).encode())
    folders = {*(layer.path for layer in settings.layers), settings.templates_dir,
               settings.translations_dir}
    for path in sorted({*folders}):
        for file in _files(path, settings.root):
            if file not in left_out:
                add(str(file), _content(file))
    for file in sorted({*settings.extra_translations, *settings.extra_strings}):
        if file.is_file():
            add(str(file), _content(file))
    return digest


@functools.cache
def _code_hash() -> bytes:
    """The tool's own code: a cached render is the one this code makes."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for file in sorted(package.rglob("*.py")):
        digest.update(f"{file.relative_to(package)}\0".encode())
        digest.update(file.read_bytes())
    return digest.digest()


def render_keys(settings: Settings, locales: Iterable[str]) -> tuple[str, dict[str, str]]:
    """The render cache's keys (`run.render_cache`): one of everything the
    originals are made of (every input but the locales' catalogs, and the tool's
    code), and per locale, that one with the locale's catalog: what its copies are
    made of. A catalog is not a template: an `{% include %}` of a `.po` file of a
    configured locale would not make the originals' key change."""
    catalogs = {code: catalog_path(settings.translations_dir, code) for code in settings.locales}
    digest = _digest(settings, [], set(catalogs.values()))
    digest.update(_code_hash())
    base = digest.hexdigest()[:32]
    keys = {}
    for code in locales:
        one = hashlib.sha256(f"{base}\0{code}\0".encode())
        path = catalogs.get(code)
        one.update(_content(path) if path is not None and path.exists() else b"\0none")
        keys[code] = one.hexdigest()[:32]
    return base, keys
