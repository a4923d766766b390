"""A Superset in memory, at the client's public interface (`model.api.SupersetApi`).

It keeps what an import sends (assets by uuid, with ids and a changed_on that
moves on every write), roles, embeddings and CSS templates, and logs every call,
so that reading and applying can be tested without a server. It models what the
program relies on, not Superset: an import matches assets by uuid only."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from aspects_assets.model.assets import KIND_OF_FOLDER, TITLE_KEY
from aspects_assets.model.errors import SupersetError
from aspects_assets.model.snapshot import ExportFiles, ServerInfo


@dataclass
class Imported:
    files: dict[str, Any]  # path inside the bundle → parsed YAML
    passwords: dict[str, str]
    sparse: bool


@dataclass
class FakeSuperset:
    info_: ServerInfo = field(default_factory=lambda: ServerInfo("6.1.0", True, True))
    workers: int = 2
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)  # uuid → row + body
    role_ids: dict[str, int] = field(default_factory=lambda: {"Admin": 1})
    dashboard_roles: dict[int, list[int]] = field(default_factory=dict)
    embeddings: dict[int, dict[str, Any]] = field(default_factory=dict)
    css: dict[int, dict[str, Any]] = field(default_factory=dict)
    rls: dict[int, dict[str, Any]] = field(default_factory=dict)  # id → filter as listed
    # (permission, view) → id of every permission on a view; role id → its pair ids;
    # role id → how many users hold it.
    pairs: dict[tuple[str, str], int] = field(default_factory=lambda: {
        ("can_read", "Chart"): 901, ("can_read", "Dashboard"): 902,
        ("can_write", "Chart"): 903, ("menu_access", "SQL Lab"): 904})
    role_pairs: dict[int, set[int]] = field(default_factory=dict)
    # id → theme row as listed (json_data a JSON text); dashboard id → its theme id.
    theme_rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    dashboard_theme: dict[int, int | None] = field(default_factory=dict)
    holders: dict[int, int] = field(default_factory=dict)
    tagging: bool = True  # the TAGGING_SYSTEM flag
    user_ids: dict[str, int] = field(default_factory=lambda: {"admin": 1})
    owners: dict[int, list[int]] = field(default_factory=dict)  # asset id → user ids
    tags: dict[int, set[str]] = field(default_factory=dict)  # chart or dashboard id → names
    imports: list[Imported] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (verb, what)
    listed_columns: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    _next_id: int = 1
    _clock: int = 0

    # -- test helpers -----------------------------------------------------------------

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _tick(self) -> str:
        self._clock += 1
        return f"2026-01-01T00:00:{self._clock:02d}.000000"

    def of_kind(self, kind: str) -> dict[str, dict[str, Any]]:
        return {u: a for u, a in self.assets.items() if a["kind"] == kind}

    def edit(self, uuid: str, **fields: Any) -> None:
        """Someone edits an asset in Superset: its fields, and changed_on moves."""
        self.assets[uuid]["body"].update(fields)
        self.assets[uuid]["changed_on"] = self._tick()

    def lists(self, endpoint: str) -> int:
        return sum(1 for verb, what in self.calls if verb == "list" and what == endpoint)

    # -- the interface ------------------------------------------------------------------

    def info(self) -> ServerInfo:
        self.calls.append(("info", ""))
        return self.info_

    def list_all(self, endpoint: str, columns: Iterable[str],
                 filters: Iterable[Mapping[str, Any]] = (), *,
                 expected: int = 0) -> list[dict[str, Any]]:
        self.calls.append(("list", endpoint))
        self.listed_columns.append((endpoint, tuple(columns)))
        if endpoint == "css_template":
            wanted = {f["value"] for f in filters if f["col"] == "template_name"}
            return [dict(row, id=pk) for pk, row in sorted(self.css.items())
                    if not wanted or row["template_name"] in wanted]
        if endpoint == "security/roles":
            return [{"id": i, "name": n} for n, i in self.role_ids.items()]
        names = {i: n for n, i in self.role_ids.items()}
        out = []
        for uuid, asset in self.of_kind(endpoint).items():
            body = asset["body"]
            row: dict[str, Any] = {"id": asset["id"], "uuid": uuid,
                                   "changed_on_utc": asset["changed_on"],
                                   "changed_on": asset["changed_on"],
                                   **{k: body.get(k) for k in ("database_name", "table_name",
                                                               "slice_name", "slug",
                                                               "dashboard_title", "schema",
                                                               "catalog")}}
            if endpoint == "dataset":
                database = self.assets.get(str(body.get("database_uuid")))
                row["database"] = {"id": database["id"]} if database else {}
            if "owners.id" in columns:  # Superset gives only the columns asked for
                row["owners"] = [{"id": i} for i in self.owners.get(asset["id"], [])]
            if endpoint in ("chart", "dashboard"):
                row["tags"] = [{"name": "type:" + endpoint, "type": 2}] + [
                    {"name": n, "type": 1} for n in sorted(self.tags.get(asset["id"], ()))]
            if endpoint == "dashboard":
                row["roles"] = [{"id": r, "name": names[r]}
                                for r in self.dashboard_roles.get(asset["id"], [])]
            out.append(row)
        return out

    def export(self, kind: str, ids: list[int]) -> dict[str, bytes]:
        self.calls.append(("export", kind))
        out = {}
        for uuid, asset in self.of_kind(kind).items():
            if asset["id"] in ids:
                title = asset["body"].get(TITLE_KEY[kind]) or uuid
                body = asset["body"]
                if kind == "dashboard":  # as Superset: the theme the dashboard has
                    theme = self.theme_rows.get(self.dashboard_theme.get(asset["id"]) or 0)
                    body = {**body, "theme_uuid": theme["uuid"] if theme else None}
                out[f"{kind}s/{title}_{asset['id']}.yaml"] = yaml.safe_dump(body).encode()
        return out

    def export_all(self) -> dict[str, bytes]:
        self.calls.append(("export", "all"))
        out: dict[str, bytes] = {}
        for kind in ("database", "dataset", "chart", "dashboard"):
            out.update(self.export(kind, [a["id"] for a in self.of_kind(kind).values()]))
        return out

    # As a Superset without our extension: what its export says is its export.
    def export_data(self, kind: str, ids: list[int]) -> ExportFiles:
        return self.export(kind, ids)

    def export_all_data(self) -> ExportFiles:
        return self.export_all()

    def import_bundle(self, bundle: bytes, *, passwords: Mapping[str, str] | None = None,
                      sparse: bool = False) -> None:
        self.calls.append(("import", ""))
        files = {}
        with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
            for name in archive.namelist():
                _, _, inner = name.partition("/")
                files[inner] = yaml.safe_load(archive.read(name))
        self.imports.append(Imported(files, dict(passwords or {}), sparse))
        for path, body in files.items():
            kind = KIND_OF_FOLDER.get(path.partition("/")[0])
            if kind is None:
                continue
            uuid = str(body["uuid"])
            # As /api/v1/assets/import/: a dashboard's theme_uuid is dropped.
            body = {k: v for k, v in body.items() if k != "theme_uuid"}
            old = self.assets.get(uuid)
            self.assets[uuid] = {"kind": kind, "id": old["id"] if old else self._id(),
                                 "changed_on": self._tick(), "body": body}
            # As Superset's import: the importing user (admin) becomes an owner.
            owners = self.owners.setdefault(self.assets[uuid]["id"], [])
            if kind != "database" and 1 not in owners:
                owners.append(1)

    def delete_one(self, kind: str, pk: int) -> None:
        self.calls.append(("delete", kind))
        uuid = next(u for u, a in self.of_kind(kind).items() if a["id"] == pk)
        del self.assets[uuid]

    def roles(self) -> dict[str, int]:
        self.calls.append(("list", "security/roles"))
        return dict(self.role_ids)

    def create_role(self, name: str) -> int:
        self.calls.append(("create", "role"))
        self.role_ids[name] = self._id()
        return self.role_ids[name]

    def set_dashboard_roles(self, dashboard_id: int, role_ids: list[int]) -> None:
        self.calls.append(("put", "dashboard roles"))
        self.dashboard_roles[dashboard_id] = list(role_ids)
        uuid = next(u for u, a in self.assets.items() if a["id"] == dashboard_id)
        self.assets[uuid]["changed_on"] = self._tick()  # as Superset: the dashboard changed

    def embedded(self, dashboard_id: int) -> dict[str, Any] | None:
        self.calls.append(("get", "embedded"))
        return self.embeddings.get(dashboard_id)

    def set_embedded(self, dashboard_id: int, domains: list[str],
                     embedded_uuid: str | None = None, *,
                     allow_any_domain: bool = False) -> dict[str, Any]:
        self.calls.append(("put", "embedded"))
        uuid = embedded_uuid or f"embedded-{dashboard_id}"
        self.embeddings[dashboard_id] = {"uuid": uuid, "allowed_domains": list(domains),
                                         "dashboard_id": str(dashboard_id)}
        return self.embeddings[dashboard_id]

    def permission_pairs(self) -> dict[tuple[str, str], int]:
        self.calls.append(("list", "security/permissions-resources"))
        return dict(self.pairs)

    def all_role_permissions(self, ids: Mapping[str, int]
                             ) -> dict[str, frozenset[tuple[str, str]]]:
        self.calls.append(("get", "role permissions"))
        names = {i: p for p, i in self.pairs.items()}
        return {n: frozenset(names[p] for p in self.role_pairs.get(i, set()))
                for n, i in ids.items()}

    def set_role_permissions(self, role_id: int, permission_ids: list[int]) -> None:
        self.calls.append(("post", "role permissions"))
        self.role_pairs[role_id] = set(permission_ids)

    def delete_role(self, role_id: int) -> None:
        self.calls.append(("delete", "role"))
        name = next(n for n, i in self.role_ids.items() if i == role_id)
        del self.role_ids[name]
        self.role_pairs.pop(role_id, None)

    def role_holders(self, role_id: int) -> int:
        self.calls.append(("count", "role holders"))
        return self.holders.get(role_id, 0)

    def themes(self) -> list[dict[str, Any]] | None:
        self.calls.append(("list", "theme"))
        if not self.info_.version.startswith("6"):
            return None
        return [{"id": pk, **row} for pk, row in self.theme_rows.items()]

    def import_theme(self, content: bytes) -> None:
        self.calls.append(("import", "theme"))
        data = yaml.safe_load(content)
        pk = next((i for i, r in self.theme_rows.items() if r["uuid"] == data["uuid"]), None)
        row = {"uuid": data["uuid"], "theme_name": data["theme_name"],
               "json_data": json.dumps(data["json_data"]), "is_system": False,
               "is_system_default": False, "is_system_dark": False}
        old = self.theme_rows.get(pk) if pk else None
        flags = {k: v for k, v in (old or {}).items() if k.startswith("is_system_")}
        self.theme_rows[pk or self._id()] = {**row, **flags}

    def delete_theme(self, pk: int) -> None:
        self.calls.append(("delete", "theme"))
        if self.theme_rows[pk]["is_system_default"] or self.theme_rows[pk]["is_system_dark"]:
            raise SupersetError("Cannot delete theme that is set as system default or dark "
                                "theme.", status=422)  # as Superset
        del self.theme_rows[pk]
        for dashboard, theme in self.dashboard_theme.items():  # as Superset: dissociated
            if theme == pk:
                self.dashboard_theme[dashboard] = None

    def set_system_theme(self, pk: int, slot: str) -> None:
        self.calls.append(("put", slot))
        flag = "is_system_default" if slot == "default_theme" else "is_system_dark"
        for i, row in self.theme_rows.items():
            row[flag] = i == pk

    def unset_system_theme(self, slot: str) -> None:
        self.calls.append(("delete", slot))
        flag = "is_system_default" if slot == "default_theme" else "is_system_dark"
        for row in self.theme_rows.values():
            row[flag] = False

    def set_dashboard_theme(self, dashboard_id: int, theme_id: int | None) -> None:
        self.calls.append(("put", "dashboard theme"))
        self.dashboard_theme[dashboard_id] = theme_id
        uuid = next(u for u, a in self.assets.items() if a["id"] == dashboard_id)
        self.assets[uuid]["changed_on"] = self._tick()

    def users(self) -> dict[str, int]:
        self.calls.append(("list", "security/users"))
        return dict(self.user_ids)

    def set_owners(self, kind: str, pk: int, user_ids: list[int]) -> None:
        self.calls.append(("put", f"{kind} owners"))
        self.owners[pk] = list(user_ids)
        uuid = next(u for u, a in self.assets.items() if a["id"] == pk)
        self.assets[uuid]["changed_on"] = self._tick()

    def tagging_enabled(self) -> bool:
        self.calls.append(("get", "tagview"))
        return self.tagging

    def tag_objects(self, name: str, objects: list[tuple[str, int]]) -> None:
        self.calls.append(("post", "tag bulk_create"))
        for _, pk in objects:
            self.tags.setdefault(pk, set()).add(name)

    def untag(self, kind: str, object_id: int, name: str) -> None:
        self.calls.append(("delete", "tag"))
        self.tags[object_id].remove(name)

    def rls_filters(self) -> list[dict[str, Any]]:
        self.calls.append(("list", "rowlevelsecurity"))
        return [{"id": pk, **f} for pk, f in self.rls.items()]

    def _rls_row(self, body: Mapping[str, Any]) -> dict[str, Any]:
        names = {i: n for n, i in self.role_ids.items()}
        return {**body, "tables": [{"id": i} for i in body["tables"]],
                "roles": [{"name": names[i]} for i in body["roles"]]}

    def create_rls(self, body: Mapping[str, Any]) -> int:
        self.calls.append(("create", "rowlevelsecurity"))
        pk = self._id()
        self.rls[pk] = self._rls_row(body)
        return pk

    def update_rls(self, pk: int, body: Mapping[str, Any]) -> None:
        self.calls.append(("put", "rowlevelsecurity"))
        self.rls[pk] = self._rls_row(body)

    def delete_rls(self, pk: int) -> None:
        self.calls.append(("delete", "rowlevelsecurity"))
        del self.rls[pk]

    def find_css_template(self, name: str) -> dict[str, Any] | None:
        rows = self.list_all("css_template", ["id", "template_name", "css"],
                             [{"col": "template_name", "opr": "eq", "value": name}])
        return rows[0] if rows else None

    def create_css_template(self, name: str, css: str) -> int:
        self.calls.append(("create", "css_template"))
        pk = self._id()
        self.css[pk] = {"template_name": name, "css": css}
        return pk

    def update_css_template(self, pk: int, name: str, css: str) -> None:
        self.calls.append(("put", "css_template"))
        if pk not in self.css:
            raise SupersetError("Not found", status=404)
        self.css[pk] = {"template_name": name, "css": css}

