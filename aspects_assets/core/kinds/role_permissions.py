"""Roles with their permissions as code: files under `assets/roles/` in the
format of `superset fab export-roles` (what Open edX Aspects ships as
`roles.json`), compared with Superset's roles and set through its security API.

A role of the code has exactly its listed permissions. Roles the code does not
list are never touched. Superset's built-in roles whose permissions `superset
init` resets on every start are left alone (with one warning): setting them here
would be undone by the next `superset init`. Public is applied as written.

A permission Superset does not have is an error naming the file and the entry,
before anything is sent (a typo would grant nothing, silently), except one that
the assets about to be sent make (`schema_access` on a schema of the code's
datasets, say): that one is checked again once they are in. Files exported from
an older Superset name permissions it has since retired (Aspects' `roles.json`
names 54 such in Instructor); `missing_permissions: skip` in the settings leaves
those out instead, and `diff --format json` lists them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.kinds.objects import DEFAULT_OPTIONS, ObjectKind, PlanOptions, parse_each
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem, ValidationFailed
from aspects_assets.model.plan import Action, ObjectChange
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.sources import Document

FOLDER = "roles"
BUILT_IN = ("Admin", "Alpha", "Gamma", "sql_lab")
ROLE_KEYS = ("name", "permissions")
# Superset's column: ab_role.name is VARCHAR(64).
NAME_MAX = 64
# Permissions Superset makes for databases, catalogs, schemas and datasets when
# they are created: `[database].[schema]`, `[database].[table](id:N)`, ...
ASSET_PERMISSIONS = ("database_access", "catalog_access", "schema_access",
                     "datasource_access")

Permission = tuple[str, str]  # (permission name, view menu name), e.g. ("can_read", "Chart")


@dataclass(frozen=True)
class RoleSpec:
    name: str
    permissions: frozenset[Permission]
    source: str
    # where each permission was listed, for errors: (permission) → key path in the file
    where: Mapping[Permission, str]
    name_key: str = "name"  # the key path of its name in the file, for errors


@dataclass(frozen=True)
class LiveRoles:
    """Superset's roles as a plan needs them."""

    ids: Mapping[str, int]  # role name → id
    permissions: Mapping[str, frozenset[Permission]]  # role name → its permissions
    pairs: Mapping[Permission, int]  # every permission on a view Superset has → its id
    holders: Mapping[str, int]  # roles the project manages → how many users hold each


def _name_of(entry: Any) -> str | None:
    if isinstance(entry, dict) and set(entry) == {"name"} and isinstance(entry["name"], str) \
            and entry["name"]:
        return entry["name"]
    return None


def parse_roles(data: Any, display: str) -> tuple[list[RoleSpec], list[Problem]]:
    """A roles file's list of roles, or the problems with it (all at once)."""
    def error(key: str, message: str) -> Problem:
        return Problem("error", display, key, message)

    if not isinstance(data, list):
        return [], [error("", "a roles file is a list of roles, each {name, permissions: "
                              "[{permission: {name}, view_menu: {name}}]} (the format of "
                              f"`superset fab export-roles`), not {type(data).__name__}")]
    roles, problems = [], []
    for index, item in enumerate(data):
        at = f"[{index}]"
        if not isinstance(item, dict):
            problems.append(error(at, "must be a mapping {name, permissions}"))
            continue
        problems += [error(f"{at}.{k}", f"unknown key (expected {', '.join(ROLE_KEYS)})")
                     for k in item if k not in ROLE_KEYS]
        name = item.get("name")
        if not (isinstance(name, str) and name.strip()):
            problems.append(error(f"{at}.name", "must be a non-empty string"))
            continue
        if len(name) > NAME_MAX:
            problems.append(error(f"{at}.name", f"{name!r} is {len(name)} characters long; "
                                                f"Superset keeps at most {NAME_MAX}"))
        listed = item.get("permissions", [])
        if not isinstance(listed, list):
            problems.append(error(f"{at}.permissions", "must be a list"))
            continue
        where: dict[Permission, str] = {}
        for number, entry in enumerate(listed):
            key = f"{at}.permissions[{number}]"
            if not isinstance(entry, dict) or set(entry) != {"permission", "view_menu"}:
                problems.append(error(key, "must be {permission: {name}, view_menu: {name}}"))
                continue
            permission, view = _name_of(entry["permission"]), _name_of(entry["view_menu"])
            if permission is None or view is None:
                problems.append(error(key, "permission and view_menu must each be {name: "
                                           "TEXT}"))
                continue
            where.setdefault((permission, view), key)
        roles.append(RoleSpec(name, frozenset(where), display, where, f"{at}.name"))
    return roles, problems


def applied_roles(roles: Sequence[RoleSpec]) -> tuple[list[RoleSpec], list[Problem]]:
    """The roles this tool sets, and one warning for the built-in ones it leaves."""
    kept = [r for r in roles if r.name not in BUILT_IN]
    left = sorted({r.name for r in roles if r.name in BUILT_IN})
    if not left:
        return kept, []
    first = next(r for r in roles if r.name in BUILT_IN)
    return kept, [Problem("warning", first.source, "",
                          f"built-in role(s) {', '.join(left)} left as they are: `superset "
                          "init` resets their permissions on every start")]


def made_by_assets(pair: Permission, code: AssetSet) -> bool:
    """Whether Superset makes this permission when the code's assets are imported:
    an access permission on one of the code's databases (or what is in it)."""
    permission, view = pair
    return permission in ASSET_PERMISSIONS and any(
        view.startswith(f"[{db.body.get('database_name')}].")
        for db in code.of_kind("database"))


def unknown_permissions(roles: Iterable[RoleSpec], available: Collection[Permission]
                        ) -> list[Problem]:
    """A permission or view name Superset does not have is an error naming the
    file and the entry (a typo would otherwise grant nothing, silently)."""
    problems = []
    views = {view for _, view in available}
    for role in roles:
        for pair in sorted(role.permissions - set(available)):
            permission, view = pair
            what = (f"no view or resource {view!r} in Superset" if view not in views else
                    f"Superset has no permission {permission!r} on {view!r}")
            problems.append(Problem("error", role.source, role.where[pair],
                                    f"{what} (role {role.name!r}; `missing_permissions: "
                                    "skip` in the settings leaves such permissions out)"))
    return problems


def _pairs(items: Iterable[Permission]) -> list[dict[str, str]]:
    return [{"permission": p, "view_menu": v} for p, v in sorted(items)]


def _text(items: Iterable[Permission]) -> str:
    return ", ".join(f"{p} on {v}" for p, v in sorted(items))


class RolePermissions(ObjectKind):
    """Roles and their permissions: `assets/roles/*.json|yaml`, through
    `/api/v1/security/roles/` and `permissions-resources`.

    Applied right after the assets: the permissions may name what they make
    (`schema_access` on a schema of the code's datasets), and the roles then
    exist, with their permissions, before dashboards are given them."""

    name = "role_permissions"
    folder = FOLDER
    patterns = ("*.json", "*.yaml")
    before_access = True

    def parse(self, documents: Sequence[Document], code: AssetSet
              ) -> tuple[tuple[Any, ...], list[Problem]]:
        roles, problems = parse_each(documents, parse_roles, "role")
        kept, warnings = applied_roles(roles)
        return tuple(kept), problems + warnings

    def roles_made(self, specs: Sequence[Any]) -> set[str]:
        return {spec.name for spec in specs}

    def read(self, api: SupersetApi, managed: Collection[str]) -> LiveRoles:
        ids = api.roles()
        return LiveRoles(ids, api.all_role_permissions(ids), api.permission_pairs(),
                         {n: api.role_holders(ids[n]) for n in managed if n in ids})

    def plan(self, specs: Sequence[Any], live: Any, rows: Mapping[str, LiveRow],
             code: AssetSet, managed: Collection[str], locales: Sequence[str],
             options: PlanOptions = DEFAULT_OPTIONS) -> tuple[ObjectChange, ...]:
        state: LiveRoles = live
        roles: Sequence[RoleSpec] = specs
        # Before the assets are sent, what they will make counts as known; after,
        # only what Superset has.
        coming = set() if options.assets_sent else {
            p for r in roles for p in r.permissions - set(state.pairs)
            if made_by_assets(p, code)}
        known = set(state.pairs) | coming
        problems = unknown_permissions(roles, known)
        if problems and options.strict:
            raise ValidationFailed(problems)
        out = []
        for role in roles:
            wanted = role.permissions & known
            left_out = sorted(role.permissions - known)
            ids = sorted(state.pairs[p] for p in wanted if p in state.pairs)
            extra = {"left_out": _pairs(left_out)} if left_out else {}
            live_id = state.ids.get(role.name)
            if live_id is None:
                out.append(ObjectChange(
                    self.name, role.name, Action.CREATE,
                    f"  + role {role.name}: new, with {len(wanted)} permission(s)",
                    {"added": _pairs(wanted), "removed": [], **extra}, (None, ids)))
                continue
            current = state.permissions.get(role.name, frozenset())
            added, removed = wanted - current, current - wanted
            lines = [f"  ~ role {role.name}: permissions changed"]
            lines += [f"      + {_text([p])}" for p in sorted(added)]
            lines += [f"      - {_text([p])}" for p in sorted(removed)]
            out.append(ObjectChange(
                self.name, role.name, Action.UPDATE if added or removed else Action.UNCHANGED,
                "\n".join(lines), {"added": _pairs(added), "removed": _pairs(removed), **extra},
                (live_id, ids)))
        names = {r.name for r in roles}
        for name in sorted(set(managed) - names):
            if name not in state.ids:
                continue
            held = state.holders.get(name, 0)
            if held:
                out.append(ObjectChange(
                    self.name, name, Action.DELETE,
                    f"  ! role {name}: made by this project, no longer in the code, but "
                    f"{held} user(s) hold it: --prune keeps it", {"users": held},
                    (state.ids[name], []), blocked=f"{held} user(s) hold it"))
            else:
                out.append(ObjectChange(
                    self.name, name, Action.DELETE,
                    f"  - role {name}: made by this project, no longer in the code",
                    {"users": 0}, (state.ids[name], [])))
        return tuple(out)

    def notes(self, changes: Sequence[ObjectChange]) -> list[str]:
        """One line for what `missing_permissions: skip` left out."""
        left = {c.name: len(c.data.get("left_out", ())) for c in changes if c.data.get("left_out")}
        if not left:
            return []
        roles = ", ".join(f"{name} ({n})" for name, n in sorted(left.items())[:4])
        more = f" and {len(left) - 4} more" if len(left) > 4 else ""
        return [f"  note: {sum(left.values())} listed permission(s) this Superset does not have "
                f"are left out (missing_permissions: skip) of {roles}{more}; "
                "`diff --format json` lists them"]

    def apply(self, api: SupersetApi, change: ObjectChange) -> None:
        live_id, ids = change.detail
        if change.action == Action.DELETE:
            api.delete_role(live_id)
            return
        if live_id is None:
            live_id = api.create_role(change.name)
            if not ids:
                return
        api.set_role_permissions(live_id, ids)

    def managed_after(self, changes: Sequence[ObjectChange], done: Collection[str],
                      managed: Collection[str]) -> tuple[str, ...]:
        """Only roles this project created: a role that was there before (Public,
        Aspects' Instructor) is never deleted by a prune."""
        created = {c.name for c in changes if c.action == Action.CREATE and c.name in done}
        deleted = {c.name for c in changes if c.action == Action.DELETE and c.name in done}
        return tuple(sorted((set(managed) | created) - deleted))

    def state(self, live: Any, rows: Mapping[str, LiveRow], managed: Collection[str]) -> Any:
        """Every role's permissions: one removed in Superset, from any role the code
        sets, makes the next import plan again."""
        state: LiveRoles = live
        return sorted([name, sorted(state.permissions.get(name, ()))] for name in state.ids)
