"""Reading Superset's export: the files of its ZIP (path → YAML bytes, or the data
they say, as our Superset extension gives them) as assets.

The one reader of an export, for the comparison (`normalize.normalize_all`) and
for `pull`. File names are ignored: assets are matched by uuid. Files that are
no asset (metadata.yaml, queries, themes, tags) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
import yaml_rs

from aspects_assets.model.assets import KIND_OF_FOLDER, TITLE_KEY
from aspects_assets.model.snapshot import ExportFiles


@dataclass(frozen=True)
class ExportedAsset:
    """One asset of an export, as Superset wrote it."""

    kind: str
    body: dict[str, Any]
    database: dict[str, Any] | None = None  # a dataset's database (from the same export)

    @property
    def uuid(self) -> str:
        return str(self.body.get("uuid", ""))

    @property
    def title(self) -> str:
        return str(self.body.get(TITLE_KEY[self.kind]) or self.uuid)


def read_export(files: ExportFiles) -> dict[str, ExportedAsset]:
    """uuid → ExportedAsset for every asset file of an export. A dataset's database
    is the one the export carries with it (Superset exports a dataset's database
    with it)."""
    parsed: list[tuple[str, dict[str, Any]]] = []
    databases: dict[str, dict[str, Any]] = {}
    for path, content in sorted(files.items()):
        kind = kind_of_path(path)
        if kind is None or not path.endswith((".yaml", ".yml")):
            continue
        body = content if isinstance(content, dict) else load_yaml(content)
        if isinstance(body, dict) and "uuid" in body:
            parsed.append((kind, body))
            if kind == "database":
                databases[str(body["uuid"])] = body
    return {
        str(body["uuid"]): ExportedAsset(
            kind, body, databases.get(str(body.get("database_uuid"))) if kind == "dataset"
            else None)
        for kind, body in parsed
    }


def kind_of_path(path: str) -> str | None:
    """The asset kind of an export file (`charts/Name_12.yaml` → chart), or None."""
    folder, _, _ = path.partition("/")
    return KIND_OF_FOLDER.get(folder)


# -- reading an export fast -------------------------------------------------------------

# PyYAML through libyaml (CSafeLoader) reads about 2.5 MB/s here: about 6 s for the
# 16 MB export of 2,900 assets, nearly all of it building PyYAML's node objects.
# `yaml_rs` (a YAML parser in Rust, a dependency for this reason) reads the same
# files about six times faster. It follows YAML 1.2 (and is lax with `_`), while
# Superset writes YAML 1.1 with PyYAML: the two read some unquoted scalars
# differently ("1e5", "09", "0o7", "_1" are strings in 1.1, numbers there), so a
# file that has any such scalar, or a plain timestamp, is read by PyYAML instead.
# Every other plain number PyYAML writes is canonical (`12`, `-3`, `1.5`,
# `1.0e-05`, `.inf`), which both read alike.
_FAST_YAML: Any = yaml_rs
_END = rb"(?::(?: |$)|[ ]*$)"  # what ends a plain key or value in block style
_CANONICAL_NUMBER = rb"(?:-?(?:0|[1-9][0-9]*)|-?[0-9]+\.[0-9]+(?:e[-+][0-9]+)?|-?\.inf|\.nan)"
_NUMBERISH = (rb"(?:[-+]?[0-9_]*\.?[0-9_]*(?:[eE][-+]?[0-9_]+)?|[-+]?0[oOxXbB][0-9a-fA-F_]+"
              rb"|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN))")
# A plain scalar that looks like a number, has a digit or a dot, and is not written
# the way PyYAML writes numbers; or a plain date.
_READ_DIFFERENTLY = (
    rb"(?=[-+._0-9])(?:(?!" + _CANONICAL_NUMBER + _END + rb")(?=[-+._0-9a-zA-Z]*[0-9.])"
    + _NUMBERISH + _END + rb"|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?)")
# ...as a value ("key: 1e5"), or at the start of a line: a key or a list item. Three
# searches with a literal start are several times faster than one with `^`.
_AFTER_KEY = re.compile(rb"(?m): " + _READ_DIFFERENTLY)
_LINE_START = re.compile(rb"(?m)\n[ ]*+(?:- )*+" + _READ_DIFFERENTLY)
_FIRST_LINE = re.compile(rb"(?m)[ ]*+(?:- )*+" + _READ_DIFFERENTLY)


def _read_alike(content: bytes) -> bool:
    """True when a YAML 1.2 parser reads `content` (PyYAML's block output) as PyYAML does."""
    return not (_AFTER_KEY.search(content) or _LINE_START.search(content)
                or _FIRST_LINE.match(content))


def load_yaml(content: bytes, *, fast: bool = True) -> Any:
    """One export file as data, exactly as PyYAML's `safe_load` reads it."""
    if fast and _read_alike(content):
        try:
            return _FAST_YAML.loads(content.decode("utf-8"), parse_datetime=False)
        except Exception:  # anything it cannot read, PyYAML reads (or rejects)
            pass
    return yaml.load(content, Loader=yaml.CSafeLoader)
