"""Roles with permissions as code: parsing, checks and the plan (no Superset)."""

from __future__ import annotations

from typing import Any

from aspects_assets.core.role_permissions import (
    applied_roles,
    change_line,
    check_unique,
    parse_roles,
    plan_roles,
    unknown_permissions,
)


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
    a, _ = parse_roles(ROLES[:1], "a.json")
    b, _ = parse_roles(ROLES[:1], "b.json")
    assert [p.file for p in check_unique([*a, *b])] == ["b.json"]


def test_plan_adds_and_removes_permissions_and_deletes_only_unheld_roles_it_made():
    roles, _ = parse_roles(ROLES[:2], "roles.json")
    live_ids = {"Instructor": 5, "Instructor - es_419": 6, "Old": 7, "Held": 8, "Other": 9}
    live = {"Instructor": frozenset({("can_read", "Chart"), ("can_write", "Dashboard")}),
            "Instructor - es_419": frozenset()}
    plan = plan_roles(roles, live_ids, live, managed={"Instructor", "Old", "Held"},
                      users={"Held": 2})
    by_name = {c.name: c for c in plan}
    assert set(by_name) == {"Instructor", "Instructor - es_419", "Old", "Held"}
    instructor = by_name["Instructor"]
    assert instructor.action == "update" and instructor.live_id == 5
    assert instructor.added == (("can_read", "Dashboard"),)
    assert instructor.removed == (("can_write", "Dashboard"),)
    assert by_name["Instructor - es_419"].action == "unchanged"
    assert by_name["Old"].action == "delete"
    assert by_name["Held"].action == "keep" and by_name["Held"].users == 2
    assert change_line(instructor) == (
        "  ~ role Instructor: + can_read on Dashboard; - can_write on Dashboard")
    created = plan_roles(roles, {}, {}, set(), {})
    assert [c.action for c in created] == ["create", "create"]


def test_aspects_own_roles_json_renders_as_it_is(tmp_path, aspects_wheel):
    """Aspects' roles.json (an include, a loop over locales, Tutor's patch()) works
    unchanged: Instructor and Student with the read-only permissions, and an empty
    `<Role> - <locale>` role per locale."""
    import shutil

    import yaml

    from aspects_assets.core.role_permissions import FOLDER
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
