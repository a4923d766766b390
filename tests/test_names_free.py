"""The check before sending: a name or table Superset's import would match on, held by
an asset that is not ours, refuses the run (the live test covers it end to end)."""

from __future__ import annotations

import pytest

from aspects_assets.model.assets import Asset
from aspects_assets.model.errors import InputError
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.run.apply import check_names_free

DB = "11111111-0000-0000-0000-000000000001"
OURS = "11111111-0000-0000-0000-000000000002"
THEIRS = "22222222-0000-0000-0000-000000000002"


def dataset(schema: str | None, table: str = "enrollments") -> Asset:
    body = {"uuid": OURS, "database_uuid": DB, "table_name": table, "schema": schema}
    return Asset("dataset", body, "assets/datasets/enrollments.yaml")


def rows(schema: str | None) -> dict[str, LiveRow]:
    return {DB: LiveRow("database", DB, 7, "", "ClickHouse"),
            THEIRS: LiveRow("dataset", THEIRS, 41, "", "enrollments", table_of=(7, None, schema))}


def test_another_dataset_on_the_same_table_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        check_names_free([dataset("reporting")], rows("reporting"))
    message = str(caught.value)
    assert message.startswith("assets/datasets/enrollments.yaml [table]: table "
                              "'reporting.enrollments (database ClickHouse)' already belongs "
                              f"to another dataset in Superset (id 41, uuid {THEIRS})")


def test_without_a_schema_the_import_matches_any_schema() -> None:
    with pytest.raises(InputError):
        check_names_free([dataset(None)], rows("reporting"))


@pytest.mark.parametrize("asset, live", [
    (dataset("reporting"), rows("other")),               # another schema
    (dataset("reporting", "courses"), rows("reporting")),  # another table
])
def test_another_table_is_free(asset: Asset, live: dict[str, LiveRow]) -> None:
    check_names_free([asset], live)


def test_a_dataset_this_project_manages_is_left_to_the_import() -> None:
    """Adopting Aspects' collapsed datasets: the original takes the row over."""
    check_names_free([dataset("reporting")], rows("reporting"), ours={THEIRS})
