"""The registry of kinds holds together."""

from __future__ import annotations

from dataclasses import fields

from aspects_assets.core.kinds import API_KINDS, BUNDLE_KINDS
from aspects_assets.model.assets import KINDS, TITLE_KEY
from aspects_assets.model.record import ProjectRecord


def test_bundle_kinds_are_the_four_in_dependency_order() -> None:
    assert tuple(BUNDLE_KINDS) == KINDS
    for kind in BUNDLE_KINDS.values():
        assert kind.list_columns[:2] == ("id", "uuid")
        assert kind.title_column in kind.list_columns
        assert kind.unique_name in (None, kind.title_column)
        assert kind.cost_ms > 0


def test_each_api_kind_has_its_place_in_the_record_and_targets_bundle_kinds() -> None:
    record_fields = {f.name for f in fields(ProjectRecord)}
    for name, kind in API_KINDS.items():
        assert kind.name == name
        assert kind.record_field in record_fields
        assert set(kind.targets) <= set(KINDS) and kind.targets
    assert list(API_KINDS) == ["roles", "embedding", "tags", "owners"]  # the order changes are listed in


def test_a_list_row_becomes_a_live_row() -> None:
    dataset = BUNDLE_KINDS["dataset"].row({
        "id": 7, "uuid": "u", "changed_on_utc": "2026-01-01T00:00:00+0000",
        "table_name": "enrollments", "database": {"id": 2}, "catalog": None,
        "schema": "reporting"})
    assert (dataset.kind, dataset.id, dataset.title, dataset.table_of) == (
        "dataset", 7, "enrollments", (2, None, "reporting"))
    dashboard = BUNDLE_KINDS["dashboard"].row({
        "id": 3, "uuid": "d", "changed_on_utc": "x", "slug": "course",
        "dashboard_title": "Course", "roles": [{"id": 5, "name": "b"}, {"id": 4, "name": "a"}]})
    assert (dashboard.title, dashboard.roles) == ("course", ("a", "b"))
    assert TITLE_KEY["dashboard"] == "dashboard_title"  # the asset's title; the row's is the slug
