"""The Superset v1 import bundle: a deterministic ZIP (or folder) of YAML files."""

from __future__ import annotations

import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aspects_assets.core import import_schema
from aspects_assets.core.layout import chart_nodes
from aspects_assets.model.assets import FOLDER_OF_KIND, Asset, AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.model.json_text import with_parsed_params
from aspects_assets.project.files import replace_with

TOP_FOLDER = "aspects_assets_bundle"
# A fixed timestamp keeps the bundle byte-identical from one build to the next.
FIXED_TIMESTAMP = "2000-01-01T00:00:00+00:00"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Bundle:
    """File path (inside the top folder) → content, plus where each asset went."""

    files: Mapping[str, bytes]
    path_of: Mapping[str, str]  # asset uuid → file path

    def passwords(self, assets: AssetSet, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The import's `passwords` field: database file path → password."""
        out: dict[str, str] = {}
        for asset in assets.of_kind("database"):
            password = (extra or {}).get(asset.uuid) or asset.password
            if password and asset.uuid in self.path_of:
                out[self.path_of[asset.uuid]] = password
        return out

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        # Level 1: a few percent larger, several times faster than the default 6.
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name in sorted(self.files):
                info = zipfile.ZipInfo(f"{TOP_FOLDER}/{name}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, self.files[name], compresslevel=1)
        return buffer.getvalue()

    def write(self, out: Path) -> None:
        """A `.zip` path gets the ZIP; any other path a folder holding the top folder
        with exactly these files. Written beside and renamed into place: an error
        or Ctrl-C leaves nothing half-written."""
        if out.suffix.lower() == ".zip":
            content = self.zip_bytes()
            replace_with(out, lambda path: path.write_bytes(content), folder=False)
            return
        if out.exists() and not out.is_dir():
            raise InputError("is a file; choose a folder or a .zip path (nothing was written)",
                             file=str(out), key="--out")
        replace_with(out / TOP_FOLDER, self._write_files, folder=True, shown=out)

    def _write_files(self, folder: Path) -> None:
        for name, content in sorted(self.files.items()):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def safe_name(text: str) -> str:
    """ASCII letters, digits, `_` and `-` only: safe on every file system."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_text).strip("_")[:80]


# A number with an exponent but no dot (`1e-05`): JSON writes it, YAML 1.1 reads it
# as a string. Files holding one are written by the C dumper instead.
_EXPONENT_WITHOUT_DOT = re.compile(r"[:\[,]\s*-?\d+[eE][-+]?\d+\s*[,\]}]")


def dump_yaml(data: Any) -> bytes:
    """YAML that Superset's `yaml.safe_load` reads back exactly.

    JSON is YAML, and `json.dumps` is about twenty times faster than any YAML
    dumper, which matters with thousands of localized copies; the C dumper
    covers the one JSON form YAML 1.1 reads differently.
    """
    # No `indent`: with it, json falls back to its pure-Python encoder (4x slower).
    text = json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    if _EXPONENT_WITHOUT_DOT.search(text):
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=1000)
    return text.encode("utf-8")


def managed_fields(lock_in_ui: bool) -> dict[str, Any] | None:
    """Fields added to every imported asset: `is_managed_externally` makes
    Superset's UI refuse edits of assets that live in code."""
    return {"is_managed_externally": True} if lock_in_ui else None


def fingerprint(asset: Asset, extra_fields: Mapping[str, Any] | None) -> str:
    """A short hash of exactly what the bundle sends for one asset."""
    body = superset_body(asset)
    if extra_fields:
        body.update(extra_fields)
    return hashlib.sha256(dump_yaml(body)).hexdigest()[:20]


def superset_body(asset: Asset) -> dict[str, Any]:
    """An asset's fields in the form Superset's import wants. Without `tags`: the
    import ignores them, and the tags kind (`core.kinds.tags`) sets them."""
    body = dict(asset.body)
    body.pop("tags", None)
    if asset.kind == "chart":
        if isinstance(body.get("query_context"), dict):
            body["query_context"] = json.dumps(body["query_context"], ensure_ascii=False)
        body = with_parsed_params(body)
    if asset.kind == "dashboard":
        body = _with_chart_ids(_without_dangling_children(body))
    return body


def _without_dangling_children(body: dict[str, Any]) -> dict[str, Any]:
    """Layout children that name no node are left out (validation warns about them).

    Superset imports and shows such a layout, but every later update of the
    dashboard (`PUT /api/v1/dashboard/<id>`, which is how roles are set, and a
    save in its UI) walks the tabs and fails with a 500 on the missing node."""
    position = body.get("position")
    if not isinstance(position, dict):
        return body
    fixed = {}
    for node_id, node in position.items():
        children = node.get("children") if isinstance(node, dict) else None
        if isinstance(children, list) and any(c not in position for c in children):
            fixed[node_id] = {**node, "children": [c for c in children if c in position]}
    if not fixed:
        return body
    return {**body, "position": {**position, **fixed}}


def _with_chart_ids(body: dict[str, Any]) -> dict[str, Any]:
    """Every CHART node gets an integer `meta.chartId` (Superset's import fails
    without one and replaces it by its own id anyway)."""
    missing = [
        node_id
        for node_id, node in chart_nodes(body)
        if not isinstance((node.get("meta") or {}).get("chartId"), int)
    ]
    if not missing:
        return body
    position = dict(body["position"])
    for n, node_id in enumerate(sorted(missing), start=1):
        node = dict(position[node_id])
        node["meta"] = {**(node.get("meta") or {}), "chartId": n}
        position[node_id] = node
    return {**body, "position": position}


def _file_path(asset: Asset, database_names: Mapping[str, str]) -> str:
    folder = FOLDER_OF_KIND[asset.kind]
    stem = safe_name(asset.title)
    if asset.kind == "dataset":
        db_uuid = str(asset.body.get("database_uuid"))
        db_folder = safe_name(database_names.get(db_uuid, "")) or db_uuid
        return f"{folder}/{db_folder}/{stem}_{asset.uuid}.yaml".replace("/_", "/")
    return f"{folder}/{stem}_{asset.uuid}.yaml".replace("/_", "/")


_EMPTY: tuple[Any, ...] = (None, "", [], {})


def _accepted(data: dict[str, Any], part: str, version: str, where: str) -> dict[str, Any]:
    fields = import_schema.fields_of(part, version)
    unknown = [k for k in data if k not in fields]
    for key in unknown:
        if data[key] not in _EMPTY:
            raise InputError(f"Superset {version} does not accept {key!r} (set here); remove it "
                             "or upgrade Superset. Nothing was sent.", file=where, key=key)
    return {k: v for k, v in data.items() if k in fields} if unknown else data


def for_server(asset: Asset, body: dict[str, Any], version: str) -> dict[str, Any]:
    """The body without the empty fields an older Superset does not know (an asset
    exported from 6.1 carries `theme_uuid: null`, which 5.0's import rejects)."""
    body = _accepted(body, asset.kind, version, asset.source)
    if asset.kind == "database" and isinstance(body.get("extra"), dict):
        body = {**body, "extra": _accepted(body["extra"], "database_extra", version,
                                           asset.source)}
    if asset.kind == "dataset":
        for key, part in (("columns", "column"), ("metrics", "metric")):
            if isinstance(body.get(key), list):
                body = {**body, key: [_accepted(item, part, version, asset.source)
                                      if isinstance(item, dict) else item
                                      for item in body[key]]}
    return body


def build_bundle(
    assets: AssetSet,
    *,
    context: AssetSet | None = None,
    extra_fields: Mapping[str, Any] | None = None,
    superset_version: str | None = None,
) -> Bundle:
    """The bundle for `assets`. `context` (the whole set) names the databases of
    datasets when `assets` is only part of it, as in a sparse import; with
    `superset_version`, only what that Superset accepts is written."""
    database_names = {
        a.uuid: str(a.body.get("database_name")) for a in (context or assets).of_kind("database")
    }
    files: dict[str, bytes] = {
        "metadata.yaml": dump_yaml(
            {"version": "1.0.0", "type": "assets", "timestamp": FIXED_TIMESTAMP}
        ),
    }
    path_of: dict[str, str] = {}
    for asset in assets:
        path = _file_path(asset, database_names)
        body = superset_body(asset)
        if extra_fields:
            body.update(extra_fields)
        if superset_version is not None:
            body = for_server(asset, body, superset_version)
        files[path] = dump_yaml(body)
        path_of[asset.uuid] = path
    return Bundle(files, path_of)
