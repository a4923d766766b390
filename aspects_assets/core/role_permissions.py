"""Roles with their permissions as code: files in the format of `superset fab
export-roles` (what Open edX Aspects ships as `roles.json`), their comparison
with Superset's roles, and the plan. Pure.

A role of the code has exactly its listed permissions. Roles the code does not
list are never touched. Superset's built-in roles whose permissions `superset
init` resets on every start are left alone (with one warning): setting them here
would be undone by the next `superset init`. Public is applied as written.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspects_assets.model.errors import Problem

FOLDER = "roles"
BUILT_IN = ("Admin", "Alpha", "Gamma", "sql_lab")
ROLE_KEYS = ("name", "permissions")
# Superset's column: ab_role.name is VARCHAR(64).
NAME_MAX = 64

Permission = tuple[str, str]  # (permission name, view menu name), e.g. ("can_read", "Chart")


@dataclass(frozen=True)
class RoleSpec:
    name: str
    permissions: frozenset[Permission]
    source: str
    # where each permission was listed, for errors: (permission) → key path in the file
    where: Mapping[Permission, str]


@dataclass(frozen=True)
class RoleChange:
    """What a run does to one role: create, update (permissions added and
    removed), unchanged, delete (a role the project created that the code no
    longer has), or keep (such a role that users still hold)."""

    name: str
    action: str
    source: str = ""
    live_id: int | None = None
    added: tuple[Permission, ...] = ()
    removed: tuple[Permission, ...] = ()
    users: int = 0


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
        roles.append(RoleSpec(name, frozenset(where), display, where))
    return roles, problems


def check_unique(roles: Sequence[RoleSpec]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for role in roles:
        if role.name in seen:
            problems.append(Problem("error", role.source, "name",
                                    f"role {role.name!r} is also declared in {seen[role.name]}"))
        seen.setdefault(role.name, role.source)
    return problems


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
                                    f"{what} (role {role.name!r})"))
    return problems


def plan_roles(roles: Sequence[RoleSpec], live_ids: Mapping[str, int],
               live_permissions: Mapping[str, frozenset[Permission]],
               managed: Collection[str], users: Mapping[str, int]) -> tuple[RoleChange, ...]:
    """The code's roles against Superset's. `managed`: the roles this project
    created before; `users`: role name → how many users hold it."""
    out = []
    for role in roles:
        if role.name not in live_ids:
            out.append(RoleChange(role.name, "create", role.source,
                                  added=tuple(sorted(role.permissions))))
            continue
        live = live_permissions.get(role.name, frozenset())
        added, removed = role.permissions - live, live - role.permissions
        out.append(RoleChange(role.name, "update" if added or removed else "unchanged",
                              role.source, live_ids[role.name], tuple(sorted(added)),
                              tuple(sorted(removed))))
    names = {r.name for r in roles}
    for name in sorted(set(managed) - names):
        if name in live_ids:
            held = users.get(name, 0)
            out.append(RoleChange(name, "keep" if held else "delete", live_id=live_ids[name],
                                  users=held))
    return tuple(out)


def change_line(change: RoleChange) -> str:
    """How `diff` shows a role change."""
    def pairs(items: Iterable[Permission]) -> str:
        return ", ".join(f"{p} on {v}" for p, v in items)

    if change.action == "create":
        return f"  + role {change.name} ({len(change.added)} permissions)"
    if change.action == "delete":
        return f"  - role {change.name} (created by this project, no longer in the code)"
    if change.action == "keep":
        return (f"  ! role {change.name} is no longer in the code but {change.users} user(s) "
                "hold it: not deleted")
    parts = []
    if change.added:
        parts.append(f"+ {pairs(change.added)}")
    if change.removed:
        parts.append(f"- {pairs(change.removed)}")
    return f"  ~ role {change.name}: {'; '.join(parts)}"
