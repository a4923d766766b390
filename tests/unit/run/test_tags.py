"""Tags of charts and dashboards, read → plan → apply against a Superset in memory:
Aspects' rule for copies, one request per tag name, removal of undeclared tags, a
no-op that costs nothing more, and a Superset with TAGGING_SYSTEM off."""

from __future__ import annotations

from pathlib import Path

from aspects_assets.core.bundle import superset_body
from aspects_assets.core.kinds.tags import desired_tags
from aspects_assets.model.assets import Asset
from aspects_assets.model.errors import Problem
from aspects_assets.run.planning import plan_import, prepare
from unit.fake_superset import FakeSuperset
from unit.run.test_apply import CHART, DASHBOARD, apply, imported, planned, settings_of

from conftest import configure


def _tagged(project: Path, chart: list[str], dashboard: list[str]) -> Path:
    for path, tags in (("assets/charts/enrollments.yaml", chart),
                       ("assets/dashboards/course.yaml", dashboard)):
        text = (project / path).read_text()
        (project / path).write_text(text + f"tags: {tags}\n")
    return project


def _copy(uuid: str, locale: str, fake: FakeSuperset) -> int:
    from aspects_assets.core.i18n.localize import copy_uuid

    return int(fake.assets[copy_uuid(uuid, locale)]["id"])


def test_copies_follow_aspects_rule_and_the_bundle_carries_no_tags() -> None:
    original = Asset("chart", {"uuid": "u", "tags": ["original", "pii"]}, "c.yaml")
    copy = Asset("chart", {"uuid": "v", "tags": ["original", "pii"]}, "c.yaml",
                 locale="es_419", base_uuid_="u")
    assert desired_tags(original, {"u": original}) == ("original", "pii")
    assert desired_tags(copy, {"u": original}) == ("es_419", "pii")
    # An original that declares none has none; its copies still carry their locale.
    bare = Asset("chart", {"uuid": "u"}, "c.yaml")
    assert desired_tags(bare, {"u": bare}) == ()
    assert desired_tags(copy, {"u": bare}) == ("es_419",)
    assert "tags" not in superset_body(original)


def test_an_import_tags_originals_and_copies_with_one_request_per_name(
        base_project: Path) -> None:
    project = configure(_tagged(base_project, ["original"], ["original", "course"]),
                        locales=["es_419", "fr_CA"])
    fake = FakeSuperset()
    result = imported(fake, project)
    assert fake.tags[fake.assets[CHART]["id"]] == {"original"}
    assert fake.tags[fake.assets[DASHBOARD]["id"]] == {"original", "course"}
    for locale in ("es_419", "fr_CA"):
        assert fake.tags[_copy(CHART, locale, fake)] == {locale}
        assert fake.tags[_copy(DASHBOARD, locale, fake)] == {"course", locale}
    # One bulk request per tag name (original, course, es_419, fr_CA), for 6 assets.
    assert fake.calls.count(("post", "tag bulk_create")) == 4
    assert result.report.as_dict()["tags_set"] == 6
    assert not any(f.get("tags") for i in fake.imports for f in i.files.values())

    # Nothing changed: no request about tags at all, not even the flag's.
    fake.calls.clear()
    again = planned(fake, project)
    assert not again.plan.rendered and not again.plan.has_differences
    assert not [c for c in fake.calls if "tag" in c[1]]


def test_a_tag_added_in_superset_is_drift_and_is_removed(base_project: Path) -> None:
    project = _tagged(base_project, ["original"], ["original"])
    fake = FakeSuperset()
    imported(fake, project)
    fake.tags[fake.assets[CHART]["id"]].add("by-hand")
    plan = planned(fake, project)
    assert plan.plan.rendered  # the list rows showed it: the record is not trusted
    assert [(c.what, c.uuid, c.old, c.new) for c in plan.plan.access] == [
        ("tags", CHART, ("by-hand", "original"), ("original",))]
    apply(fake, project, plan)
    assert fake.tags[fake.assets[CHART]["id"]] == {"original"}
    assert not planned(fake, project).plan.has_differences


def test_with_tagging_off_one_warning_tags_left_out_and_no_drift(
        base_project: Path) -> None:
    project = configure(_tagged(base_project, ["original"], ["original"]),
                        locales=["es_419"])
    fake = FakeSuperset(tagging=False)
    warned: list[Problem] = []
    prepared = prepare(settings_of(project), (), (), verify=False, warn=warned.append)
    plan = plan_import(fake, prepared, verify=False)
    assert [p.message for p in warned] == [
        "this Superset has TAGGING_SYSTEM off: the tags of 4 chart(s) and dashboard(s) are "
        "neither compared nor set (turn the flag on in FEATURE_FLAGS of its "
        "superset_config.py to have them)"]
    assert not [c for c in plan.plan.access if c.what == "tags"]
    apply(fake, project, plan)
    assert not fake.tags
    # The next import is a no-op: what was left out is not in the record as set.
    fake.calls.clear()
    again = planned(fake, project)
    assert not again.plan.rendered and not again.plan.has_differences
    assert ("get", "tagview") not in fake.calls
