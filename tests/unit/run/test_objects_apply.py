"""Object kinds (roles with permissions, row-level security) applied against a
Superset in memory: their order beside the assets and dashboard roles, what the
record keeps, and what an import with nothing changed leaves alone."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from aspects_assets.model.plan import Action
from aspects_assets.superset.live import read_record
from unit.fake_superset import FakeSuperset
from unit.run.test_apply import apply, imported, planned

DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"


def perm(permission: str, view: str) -> dict[str, dict[str, str]]:
    return {"permission": {"name": permission}, "view_menu": {"name": view}}


def write_roles(project: Path, roles: list[dict[str, object]]) -> None:
    folder = project / "assets" / "roles"
    folder.mkdir(exist_ok=True)
    (folder / "roles.json").write_text(json.dumps(roles))


INSTRUCTOR = {"name": "Instructor", "permissions": [perm("can_read", "Chart"),
                                                   perm("can_read", "Dashboard")]}


def pairs_of(fake: FakeSuperset, role: str) -> set[tuple[str, str]]:
    names = {i: p for p, i in fake.pairs.items()}
    return {names[i] for i in fake.role_pairs.get(fake.role_ids[role], set())}


def test_roles_get_their_permissions_before_dashboards_are_given_them(
        base_project: Path) -> None:
    write_roles(base_project, [INSTRUCTOR, {"name": "Public", "permissions": []}])
    fake = FakeSuperset(role_ids={"Admin": 1, "Public": 2})
    fake.role_pairs[2] = {904}
    result = imported(fake, base_project)
    assert pairs_of(fake, "Instructor") == {("can_read", "Chart"), ("can_read", "Dashboard")}
    assert pairs_of(fake, "Public") == set()  # applied as written
    # The role kind made Instructor, so the dashboard's roles found it there.
    assert result.report.as_dict()["roles_created"] == []
    assert fake.calls.index(("create", "role")) < fake.calls.index(("put", "dashboard roles"))
    assert result.report.objects["role_permissions"] == {"create": 1, "update": 1}
    record, _ = read_record(fake, "test-base")
    assert record is not None
    assert record.managed_objects("role_permissions") == ["Instructor"]  # not Public

    fake.calls.clear()
    again = planned(fake, base_project)
    assert not again.plan.rendered and not again.plan.has_differences


def test_a_permission_removed_in_superset_is_noticed_and_put_back(base_project: Path) -> None:
    write_roles(base_project, [INSTRUCTOR])
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.role_pairs[fake.role_ids["Instructor"]].discard(902)
    plan = planned(fake, base_project)
    assert plan.plan.rendered, "the record's digest of the roles moved"
    [change] = plan.plan.object_changes
    assert change.data["removed"] == [] and change.data["added"] == [
        {"permission": "can_read", "view_menu": "Dashboard"}]
    apply(fake, base_project, plan)
    assert ("can_read", "Dashboard") in pairs_of(fake, "Instructor")
    assert not planned(fake, base_project).plan.has_differences


def test_prune_deletes_a_role_it_made_only_while_nobody_holds_it(base_project: Path) -> None:
    write_roles(base_project, [INSTRUCTOR, {"name": "Helper", "permissions": []},
                               {"name": "Held", "permissions": []}])
    fake = FakeSuperset()
    imported(fake, base_project)
    fake.holders[fake.role_ids["Held"]] = 3
    write_roles(base_project, [INSTRUCTOR])

    kept = apply(fake, base_project, planned(fake, base_project))  # no --prune
    assert {"Helper", "Held"} <= set(fake.role_ids)
    assert kept.report.objects["role_permissions"]["kept (no --prune)"] == 1
    assert kept.report.objects["role_permissions"]["kept (3 user(s) hold it)"] == 1
    assert kept.report.blocked == []

    plan = planned(fake, base_project)
    assert plan.plan.rendered, "a delete left undone is planned again"
    result = apply(fake, base_project, plan, prune=True)
    assert "Helper" not in fake.role_ids and "Held" in fake.role_ids
    assert len(result.report.blocked) == 1 and "Held" in result.report.blocked[0]
    record, _ = read_record(fake, "test-base")
    assert record is not None
    assert record.managed_objects("role_permissions") == ["Held", "Instructor"]


def test_an_import_with_nothing_changed_deletes_nothing_even_with_prune(
        base_project: Path) -> None:
    write_roles(base_project, [INSTRUCTOR])
    folder = base_project / "assets" / "row_level_security"
    folder.mkdir()
    (folder / "f.yaml").write_text(yaml.safe_dump({
        "name": "f1", "filter_type": "Base", "clause": "1 = 1",
        "datasets": {"schema": "reporting"}}))
    fake = FakeSuperset()
    imported(fake, base_project)
    plan = planned(fake, base_project)
    assert not plan.plan.rendered
    fake.calls.clear()
    apply(fake, base_project, plan, prune=True)
    assert len(fake.rls) == 1 and "Instructor" in fake.role_ids
    assert [c for c in fake.calls if c[0] in ("delete", "post", "put", "create")] == []


def test_a_role_of_the_roles_files_may_be_named_by_a_filter(base_project: Path) -> None:
    write_roles(base_project, [INSTRUCTOR, {"name": "Course Staff", "permissions": []}])
    folder = base_project / "assets" / "row_level_security"
    folder.mkdir()
    (folder / "f.yaml").write_text(yaml.safe_dump({
        "name": "f1", "filter_type": "Regular", "roles": ["Course Staff"], "clause": "1 = 1",
        "datasets": {"schema": "reporting"}}))
    fake = FakeSuperset()
    plan = planned(fake, base_project)
    assert [(c.kind, c.action) for c in plan.plan.object_changes] == [
        ("role_permissions", Action.CREATE), ("role_permissions", Action.CREATE),
        ("rls", Action.CREATE)]
    apply(fake, base_project, plan)
    [row] = fake.rls.values()
    assert row["roles"] == [{"name": "Course Staff"}]
    assert DASHBOARD in fake.assets
