"""Owners from the settings (`owners: [username, ...]`), read → plan → apply against a
Superset in memory that, as Superset's import does, makes the importing user an
owner of what it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aspects_assets.model.errors import InputError
from unit.fake_superset import FakeSuperset
from unit.run.test_apply import BASE_UUIDS, CHART, apply, imported, planned

from conftest import configure

DATABASE = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001"
OWNED = BASE_UUIDS - {DATABASE}  # the dataset, the chart, the dashboard


def owner_names(fake: FakeSuperset, uuid: str) -> list[str]:
    names = {i: n for n, i in fake.user_ids.items()}
    return sorted(names[i] for i in fake.owners[fake.assets[uuid]["id"]])


def test_every_asset_gets_exactly_the_owners_and_the_importer_is_not_one(
        base_project: Path) -> None:
    project = configure(base_project, owners=["bob", "alice"])
    fake = FakeSuperset(user_ids={"admin": 1, "alice": 2, "bob": 3})
    result = imported(fake, project)
    for uuid in OWNED:
        assert owner_names(fake, uuid) == ["alice", "bob"]
    assert result.report.as_dict()["owners_set"] == 3
    assert all("owners.id" in columns for endpoint, columns in fake.listed_columns
               if endpoint in ("dataset", "chart", "dashboard"))

    # Nothing changed: one list of users more than without owners, nothing set.
    fake.calls.clear()
    again = planned(fake, project)
    assert not again.plan.rendered and not again.plan.has_differences
    assert fake.calls.count(("list", "security/users")) == 1

    # An owner changed in Superset is drift; the import puts it back.
    fake.owners[fake.assets[CHART]["id"]] = [2]
    plan = planned(fake, project)
    assert [(c.what, c.uuid, c.old, c.new) for c in plan.plan.access] == [
        ("owners", CHART, ("alice",), ("alice", "bob"))]
    apply(fake, project, plan)
    assert owner_names(fake, CHART) == ["alice", "bob"]


def test_an_asset_sent_again_gets_its_owners_again(base_project: Path) -> None:
    project = configure(base_project, owners=["alice"])
    fake = FakeSuperset(user_ids={"admin": 1, "alice": 2})
    imported(fake, project)
    chart = project / "assets" / "charts" / "enrollments.yaml"
    chart.write_text(chart.read_text().replace("Enrollments per day.", "Per day."))
    imported(fake, project)  # the import made admin an owner again: set back
    assert owner_names(fake, CHART) == ["alice"]
    assert not planned(fake, project, verify=True).plan.has_differences


def test_an_unknown_username_is_an_error_before_anything_is_sent(base_project: Path) -> None:
    project = configure(base_project, owners=["alice", "nobody"])
    fake = FakeSuperset(user_ids={"admin": 1, "alice": 2})
    with pytest.raises(InputError) as caught:
        planned(fake, project)
    assert caught.value.file == "aspects-assets.yaml" and caught.value.key == "owners"
    assert "no user 'nobody' in Superset" in str(caught.value)
    assert not fake.imports


def test_without_owners_nothing_about_them_is_read_or_set(base_project: Path) -> None:
    fake = FakeSuperset()
    result = imported(fake, base_project)
    assert result.report.as_dict()["owners_set"] == 0
    assert ("list", "security/users") not in fake.calls
    assert owner_names(fake, CHART) == ["admin"]  # Superset's default
