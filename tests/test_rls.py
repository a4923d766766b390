"""Row-level security filters: parsing, what each covers, comparison (no Superset)."""

from __future__ import annotations

from typing import Any

import pytest

from aspects_assets.core.i18n.localize import copy_uuid
from aspects_assets.core.kinds.rls import (
    DatasetRef,
    LiveRls,
    Rls,
    RlsFilter,
    covered,
    desired_form,
    live_form,
    missing_roles,
    parse_filter,
    request_body,
)
from aspects_assets.core.plan import field_changes
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.project.sources import Document

COURSES = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d1001"
PII = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d1002"
LOCALES = ("es_419", "ar")


def dataset(uuid: str, table: str, locale: str | None = None) -> Asset:
    body = {"uuid": copy_uuid(uuid, locale) if locale else uuid,
            "table_name": f"{table}_{locale}" if locale else table, "schema": "xapi"}
    return Asset("dataset", body, "assets/datasets/x.yaml", locale=locale,
                 base_uuid_=uuid if locale else None)


def code() -> AssetSet:
    out = [dataset(COURSES, "courses"), dataset(PII, "user_pii")]
    out += [dataset(u, t, loc) for loc in LOCALES for u, t in ((COURSES, "courses"),
                                                                (PII, "user_pii"))]
    return AssetSet.of(out)


def live_datasets() -> list[DatasetRef]:
    refs = [DatasetRef(i + 1, a.uuid, "xapi", str(a.body["table_name"]))
            for i, a in enumerate(code())]
    refs.append(DatasetRef(90, "aaaaaaaa-0000-4000-8000-000000000090", "xapi", "by_hand"))
    refs.append(DatasetRef(91, "aaaaaaaa-0000-4000-8000-000000000091", "other", "courses"))
    return refs


FILE: dict[str, Any] = {
    "name": "can_view_courses_xapi", "filter_type": "Regular", "roles": ["Instructor"],
    "group_key": "course", "clause": "course_key = 'x'",
    "datasets": {"schema": "xapi", "exclude": ["user_pii"]},
}


def parsed(data: dict[str, Any]) -> RlsFilter:
    rls, problems = parse_filter(data, "assets/row_level_security/f.yaml", code())
    assert problems == [] and rls is not None
    return rls


def test_a_schema_selection_covers_every_copy_and_datasets_made_by_hand_but_not_excluded():
    chosen = covered(parsed(FILE), live_datasets(), code())
    tables = sorted(d.table_name for d in chosen)
    assert tables == ["by_hand", "courses", "courses_ar", "courses_es_419"]


def test_excluding_a_table_excludes_its_copies_by_uuid_whatever_they_are_called():
    renamed = [DatasetRef(d.id, d.uuid, d.schema, f"renamed_{d.id}")
               if d.uuid == copy_uuid(PII, "ar") else d for d in live_datasets()]
    chosen = covered(parsed(FILE), renamed, code())
    assert copy_uuid(PII, "ar") not in {d.uuid for d in chosen}


def test_a_uuid_selection_covers_the_dataset_and_its_copies_in_every_locale():
    rls = parsed({**FILE, "datasets": {"uuids": [COURSES.upper()]}})
    chosen = covered(rls, live_datasets(), code())
    assert {d.uuid for d in chosen} == {COURSES, *(copy_uuid(COURSES, loc) for loc in LOCALES)}


@pytest.mark.parametrize(("change", "key"), [
    ({"roles": "Instructor"}, "roles"),
    ({"roles": []}, "roles"),
    ({"filter_type": "regular"}, "filter_type"),
    ({"clause": ""}, "clause"),
    ({"name": "x" * 256}, "name"),
    ({"group_key": 3}, "group_key"),
    ({"datasets": {"schema": "xapi", "uuids": [COURSES]}}, "datasets"),
    ({"datasets": {"uuids": ["0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d9999"]}}, "datasets.uuids[0]"),
    ({"datasets": {"schema": "xapi", "exclude": "user_pii"}}, "datasets.exclude"),
    ({"datasets": {"schema": "xapi", "exlude": []}}, "datasets.exlude"),
    ({"datasets": "xapi"}, "datasets"),
    ({"role": ["Instructor"]}, "role"),
])
def test_bad_filters_are_errors_naming_the_key(change: dict[str, Any], key: str):
    rls, problems = parse_filter({**FILE, **change}, "f.yaml", code())
    assert rls is None
    assert key in {p.key for p in problems}
    assert all(p.severity == "error" and p.file == "f.yaml" for p in problems)


def test_a_missing_key_and_a_non_mapping_are_errors():
    _, problems = parse_filter({k: v for k, v in FILE.items() if k != "clause"}, "f.yaml",
                               code())
    assert [(p.key, p.message) for p in problems] == [("clause", "missing")]
    rls, problems = parse_filter(["name"], "f.yaml", code())
    assert rls is None and "mapping" in problems[0].message


def test_two_files_may_not_declare_one_name():
    documents = [Document("one.yaml", FILE), Document("other.yaml", FILE)]
    filters, problems = Rls().parse(documents, code())
    assert len(filters) == 2
    assert [(p.file, p.key) for p in problems] == [("other.yaml", "name")]
    assert "also declared in one.yaml" in problems[0].message


def test_a_role_nobody_has_is_an_error_not_a_new_role():
    rls = parsed({**FILE, "roles": ["Instructor", "Instuctor"]})
    problems = missing_roles([rls], {"Instructor", "Admin"})
    assert [(p.key, "Instuctor" in p.message) for p in problems] == [("roles[1]", True)]


def test_live_filter_compared_with_the_code_shows_an_uncovered_dataset_as_drift():
    rls = parsed(FILE)
    datasets = live_datasets()
    by_id = {d.id: d for d in datasets}
    tables = covered(rls, datasets, code())
    live = LiveRls(id=1, name=rls.name, filter_type="Regular", clause=rls.clause,
                   roles=("Instructor",), tables=tuple(d.id for d in tables),
                   group_key="course")
    assert field_changes(live_form(live, by_id), desired_form(rls, tables)) == ()
    stale = LiveRls(**{**live.__dict__, "tables": tuple(d.id for d in tables
                                                        if d.table_name != "courses_ar")})
    changes = field_changes(live_form(stale, by_id), desired_form(rls, tables))
    assert [c.path.split("[")[0] for c in changes] == ["tables"]
    assert "courses_ar" in str(changes[0].new)


def test_request_body_carries_ids():
    rls = parsed(FILE)
    tables = covered(rls, live_datasets(), code())
    body = request_body(rls, tables, {"Instructor": 7})
    assert body["roles"] == [7]
    assert sorted(body["tables"]) == sorted(d.id for d in tables)
    assert body["group_key"] == "course" and body["description"] is None


def test_plan_creates_updates_leaves_and_deletes_only_what_the_project_made():
    from aspects_assets.core.kinds.rls import LiveRlsState, Rls
    from aspects_assets.model.plan import Action
    from aspects_assets.model.snapshot import LiveRow

    rls = parsed(FILE)
    datasets = live_datasets()
    rows = {d.uuid: LiveRow("dataset", d.uuid, d.id, "", d.table_name,
                            table_of=(1, None, d.schema)) for d in datasets}
    tables = covered(rls, datasets, code())
    current = LiveRls(id=4, name=rls.name, filter_type="Regular", clause="1 = 1",
                      roles=("Instructor",), tables=tuple(d.id for d in tables),
                      group_key="course")
    gone = LiveRls(id=5, name="old_filter", filter_type="Base", clause="1 = 0", roles=(),
                   tables=())
    foreign = LiveRls(id=6, name="made_by_hand", filter_type="Base", clause="1 = 0",
                      roles=(), tables=())
    new = parsed({**FILE, "name": "new_filter"})
    live = LiveRlsState((current, gone, foreign), frozenset({"Instructor"}))
    plan = Rls().plan([rls, new], live, rows, code(), {rls.name, "old_filter"}, LOCALES)
    actions = {c.name: c.action for c in plan}
    assert actions == {rls.name: Action.UPDATE, "new_filter": Action.CREATE,
                       "old_filter": Action.DELETE}
    update = next(c for c in plan if c.name == rls.name)
    assert [c["path"] for c in update.data["changes"]] == ["clause"]
    assert update.detail[2] == 4
    same = LiveRlsState((LiveRls(**{**current.__dict__, "clause": rls.clause}),),
                        frozenset({"Instructor"}))
    assert [c.action for c in Rls().plan([rls], same, rows, code(), set(), LOCALES)] == [
        Action.UNCHANGED]


def test_plan_refuses_a_role_nobody_has_before_anything_is_sent():
    from aspects_assets.core.kinds.rls import LiveRlsState, Rls
    from aspects_assets.model.errors import InputError

    rls = parsed({**FILE, "roles": ["Instuctor"]})
    with pytest.raises(InputError, match="Instuctor"):
        Rls().plan([rls], LiveRlsState((), frozenset({"Instructor"})), {}, code(), set(), ())


def test_a_secret_in_a_filter_file_is_refused_and_never_shown(base_project):
    import yaml

    from conftest import run

    settings = base_project / "aspects-assets.yaml"
    config = yaml.safe_load(settings.read_text())
    config["variables_from_env"] = {"TOKEN": "RLS_TEST_TOKEN"}
    config["variables"]["TOKEN"] = "unset"
    config["secret_variables"] = ["TOKEN"]
    settings.write_text(yaml.safe_dump(config))
    folder = base_project / "assets" / "row_level_security"
    folder.mkdir()
    (folder / "f.yaml").write_text(yaml.safe_dump(
        {**FILE, "datasets": {"schema": "reporting"},
         "clause": "course_key = '{{ TOKEN }}'"}))
    secret = "s3cr3t-rls-token-value"
    result = run(["validate"], base_project, env={"RLS_TEST_TOKEN": secret})
    assert result.exit_code == 2, result.output
    assert "assets/row_level_security/f.yaml" in result.output and "clause" in result.output
    assert secret not in result.output and "Traceback" not in result.output
