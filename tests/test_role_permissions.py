"""Roles with permissions as code: parsing, checks and the plan (no Superset)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest

from aspects_assets.core.kinds.objects import PlanOptions
from aspects_assets.core.kinds.role_permissions import (
    LiveRoles,
    RolePermissions,
    applied_roles,
    parse_roles,
    unknown_permissions,
)
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import ValidationFailed
from aspects_assets.model.plan import Action
from aspects_assets.project.sources import Document


def perm(permission: str, view: str) -> dict[str, Any]:
    return {"permission": {"name": permission}, "view_menu": {"name": view}}


ROLES = [
    {"name": "Instructor", "permissions": [perm("can_read", "Chart"),
                                           perm("can_read", "Dashboard")]},
    {"name": "Instructor - es_419", "permissions": []},
    {"name": "Admin", "permissions": [perm("can_write", "Chart")]},
]


def test_the_export_roles_format_reads_as_roles_with_permission_pairs():
    roles, problems = parse_roles(ROLES, "roles.json")
    assert problems == []
    assert [(r.name, sorted(r.permissions)) for r in roles] == [
        ("Instructor", [("can_read", "Chart"), ("can_read", "Dashboard")]),
        ("Instructor - es_419", []), ("Admin", [("can_write", "Chart")])]


def test_bad_entries_are_errors_naming_the_entry():
    bad = [{"name": "X", "permissions": [{"permission": "can_read", "view_menu": {"name": "C"}},
                                         perm("can_read", "Chart"), {"permission": {"name": "a"}}]},
           {"name": "", "permissions": []}, "Y", {"name": "Z", "permission": []},
           {"name": "W", "permissions": "all"}]
    _, problems = parse_roles(bad, "roles.json")
    assert sorted(p.key for p in problems) == sorted([
        "[0].permissions[0]", "[0].permissions[2]", "[1].name", "[2]", "[3].permission",
        "[4].permissions"])
    _, problems = parse_roles({"name": "X"}, "roles.json")
    assert "list of roles" in problems[0].message


def test_built_in_roles_are_left_alone_with_one_warning():
    roles, _ = parse_roles(ROLES, "roles.json")
    kept, warnings = applied_roles(roles)
    assert [r.name for r in kept] == ["Instructor", "Instructor - es_419"]
    assert len(warnings) == 1 and "Admin" in warnings[0].message
    assert warnings[0].severity == "warning"


def test_a_permission_superset_does_not_have_is_an_error_naming_the_entry():
    roles, _ = parse_roles([{"name": "R", "permissions": [
        perm("can_read", "Chart"), perm("can_raed", "Chart"), perm("can_read", "Chrat")]}],
        "roles.json")
    problems = unknown_permissions(roles, {("can_read", "Chart"), ("can_write", "Chart")})
    assert [(p.key, p.file) for p in problems] == [
        ("[0].permissions[1]", "roles.json"), ("[0].permissions[2]", "roles.json")]
    assert "no permission 'can_raed'" in problems[0].message
    assert "no view or resource 'Chrat'" in problems[1].message


def test_two_files_may_not_declare_one_role():
    documents = [Document("a.json", ROLES[:1]), Document("b.json", ROLES[:1])]
    _, problems = RolePermissions().parse(documents, AssetSet(()))
    assert [(p.file, p.key) for p in problems] == [("b.json", "[0].name")]
    assert "role 'Instructor' is also declared in a.json" in problems[0].message


def test_parse_leaves_the_built_in_roles_out_with_one_warning():
    roles, problems = RolePermissions().parse([Document("roles.json", ROLES)], AssetSet(()))
    assert [r.name for r in roles] == ["Instructor", "Instructor - es_419"]
    assert [p.severity for p in problems] == ["warning"]


PAIRS = {("can_read", "Chart"): 1, ("can_read", "Dashboard"): 2, ("can_write", "Dashboard"): 3,
         ("schema_access", "[Other].[xapi]"): 4}


def live(ids: dict[str, int], permissions: dict[str, set[tuple[str, str]]],
         holders: dict[str, int] | None = None) -> LiveRoles:
    return LiveRoles(ids, {n: frozenset(p) for n, p in permissions.items()}, PAIRS,
                     holders or {})


NO_CODE = AssetSet(())


def plan(roles: list[Any], state: LiveRoles, managed: Collection[str] = (),
         code: AssetSet = NO_CODE, **options: Any) -> dict[str, Any]:
    specs, _ = RolePermissions().parse([Document("roles.json", roles)], code)
    changes = RolePermissions().plan(specs, state, {}, code, managed, (), PlanOptions(**options))
    return {c.name: c for c in changes}


def test_plan_adds_and_removes_permissions_and_deletes_only_unheld_roles_it_made():
    state = live({"Instructor": 5, "Instructor - es_419": 6, "Old": 7, "Held": 8, "Other": 9},
                 {"Instructor": {("can_read", "Chart"), ("can_write", "Dashboard")}},
                 holders={"Held": 2})
    by_name = plan(ROLES[:2], state, {"Old", "Held"})
    assert set(by_name) == {"Instructor", "Instructor - es_419", "Old", "Held"}
    instructor = by_name["Instructor"]
    assert instructor.action == Action.UPDATE and instructor.detail == (5, [1, 2])
    assert instructor.data["added"] == [{"permission": "can_read", "view_menu": "Dashboard"}]
    assert instructor.data["removed"] == [{"permission": "can_write", "view_menu": "Dashboard"}]
    assert instructor.line == ("  ~ role Instructor: permissions changed\n"
                               "      + can_read on Dashboard\n"
                               "      - can_write on Dashboard")
    assert by_name["Instructor - es_419"].action == Action.UNCHANGED
    assert by_name["Old"].action == Action.DELETE and not by_name["Old"].blocked
    held = by_name["Held"]
    assert held.action == Action.DELETE and held.blocked == "2 user(s) hold it"
    assert "--prune keeps it" in held.line
    created = plan(ROLES[:2], live({}, {}))
    assert [c.action for c in created.values()] == [Action.CREATE, Action.CREATE]
    assert created["Instructor"].detail == (None, [1, 2])


def test_an_unknown_permission_stops_the_plan_naming_every_entry():
    roles = [{"name": "R", "permissions": [perm("can_read", "Chart"), perm("can_raed", "Chart"),
                                           perm("can_read", "Chrat")]}]
    with pytest.raises(ValidationFailed) as failed:
        plan(roles, live({}, {}))
    assert [(p.file, p.key) for p in failed.value.problems] == [
        ("roles.json", "[0].permissions[1]"), ("roles.json", "[0].permissions[2]")]


def test_with_missing_permissions_skip_they_are_left_out_and_listed():
    roles = [{"name": "R", "permissions": [perm("can_read", "Chart"),
                                           perm("can_add_slices", "Superset")]}]
    change = plan(roles, live({"R": 3}, {"R": {("can_read", "Chart")}}), strict=False)["R"]
    assert change.action == Action.UNCHANGED
    assert change.data["left_out"] == [{"permission": "can_add_slices", "view_menu": "Superset"}]


def test_an_access_permission_on_a_database_of_the_code_is_known_until_the_assets_are_in():
    code = AssetSet((Asset("database", {"uuid": "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001",
                                        "database_name": "OpenedX Clickhouse"}, "db.yaml"),))
    roles = [{"name": "R", "permissions": [perm("schema_access", "[OpenedX Clickhouse].[xapi]")]}]
    change = plan(roles, live({}, {}), code=code)["R"]
    assert change.action == Action.CREATE
    assert change.data["added"] == [{"permission": "schema_access",
                                     "view_menu": "[OpenedX Clickhouse].[xapi]"}]
    with pytest.raises(ValidationFailed):  # once they are in, Superset must have it
        plan(roles, live({}, {}), code=code, assets_sent=True)
    with pytest.raises(ValidationFailed):  # another database's schema is no such promise
        plan([{"name": "R", "permissions": [perm("schema_access", "[Else].[xapi]")]}],
             live({}, {}), code=code)


def test_the_record_keeps_only_the_roles_the_project_created():
    kind = RolePermissions()
    changes = list(plan([*ROLES[:2], {"name": "Public", "permissions": []}],
                        live({"Instructor": 5, "Public": 2, "Old": 7}, {}), {"Old"}).values())
    assert [(c.name, c.action) for c in changes] == [
        ("Instructor", Action.UPDATE), ("Instructor - es_419", Action.CREATE),
        ("Public", Action.UNCHANGED), ("Old", Action.DELETE)]
    done = ["Instructor", "Instructor - es_419", "Old"]
    assert kind.managed_after(changes, done, ["Old"]) == ("Instructor - es_419",)
    assert kind.managed_after(changes, done[:2], ["Old"]) == ("Instructor - es_419", "Old")


def test_aspects_own_roles_json_renders_as_it_is(tmp_path, aspects_wheel):
    """Aspects' roles.json (an include, a loop over locales, Tutor's patch()) works
    unchanged: Instructor and Student with the read-only permissions, and an empty
    `<Role> - <locale>` role per locale."""
    import shutil

    import yaml

    from aspects_assets.core.kinds.role_permissions import FOLDER
    from aspects_assets.project.settings import load_settings
    from aspects_assets.project.sources import render_folder

    templates = aspects_wheel / "templates"
    source = templates / "aspects" / "apps" / "superset" / "security" / "roles.json"
    (tmp_path / "assets" / FOLDER).mkdir(parents=True)
    shutil.copy(source, tmp_path / "assets" / FOLDER / "roles.json")
    mapping = {"admin": "Admin", "operator": "Operator", "instructor": "Instructor",
               "student": "Student"}
    (tmp_path / "aspects-assets.yaml").write_text(yaml.safe_dump({
        "assets_dir": "assets", "templates_dir": str(templates),
        "variables": {"SUPERSET_ROLES_MAPPING": mapping,
                      "SUPERSET_DASHBOARD_LOCALES": ["es_419", "ar"]}}))
    settings = load_settings(cwd=tmp_path, env={})
    rendered = render_folder(settings, FOLDER, ("*.json",))
    assert rendered.problems == ()
    roles, problems = parse_roles(rendered.documents[0].data, rendered.documents[0].display)
    assert problems == []
    by_name = {r.name: r for r in roles}
    assert {"Admin", "Operator", "Instructor", "Student", "Instructor - es_419",
            "Student - ar", "Admin - ar"} <= set(by_name)
    assert by_name["Instructor"].permissions == by_name["Student"].permissions
    assert ("can_read", "Dashboard") in by_name["Instructor"].permissions
    assert 100 < len(by_name["Instructor"].permissions) < 200
    assert by_name["Instructor - es_419"].permissions == frozenset()


def test_what_skip_leaves_out_is_said_in_one_line():
    roles = [{"name": "R", "permissions": [perm("can_add_slices", "Superset")]},
             {"name": "S", "permissions": [perm("can_read", "Chart")]}]
    changes = plan(roles, live({"R": 3, "S": 4}, {"S": {("can_read", "Chart")}}), strict=False)
    assert RolePermissions().notes(list(changes.values())) == [
        "  note: 1 listed permission(s) this Superset does not have are left out "
        "(missing_permissions: skip) of R (1); `diff --format json` lists them"]
