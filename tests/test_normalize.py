"""normalize: one rule at a time, on small dicts shaped like what we send (local) and
what Superset's export gives back (live). No server: see
tests/integration/test_normalize_live.py for the real round trip."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import yaml

from aspects_assets.core.normalize import (
    normalize,
    normalize_all,
)
from aspects_assets.model.secrets import MASK, mask_uri

CHART_A = "11111111-1111-1111-1111-111111111111"
CHART_B = "22222222-2222-2222-2222-222222222222"
DATASET = "33333333-3333-3333-3333-333333333333"
DATABASE = "44444444-4444-4444-4444-444444444444"


def same(kind: str, local: dict[str, Any], live: dict[str, Any], **kwargs: Any) -> bool:
    return normalize(kind, local, **kwargs) == normalize(kind, live, **kwargs)


# -- every kind --------------------------------------------------------------------------

def test_format_and_write_only_keys_are_not_compared() -> None:
    local = {"slice_name": "A", "version": "1.0.0", "is_managed_externally": True,
             "external_url": "https://example.org/x"}
    assert same("chart", local, {"slice_name": "A", "version": "1.0.0"})


def test_a_default_the_export_adds_equals_a_missing_key_but_another_value_stays() -> None:
    local = {"slice_name": "A"}
    live = {"slice_name": "A", "certified_by": None, "certification_details": None,
            "description": None, "cache_timeout": None, "query_context": None}
    assert same("chart", local, live)
    assert not same("chart", local, {**live, "certified_by": "Data team"})
    assert not same("chart", local, {**live, "description": "Now with a description"})


def test_defaults_compare_by_type_too() -> None:
    # offset 0 is a default; False is not 0 for this purpose
    assert "offset" not in normalize("dataset", {"offset": 0})
    assert normalize("dataset", {"offset": False}) == {"offset": False}


def test_normalize_does_not_change_its_input() -> None:
    body = {"uuid": "d", "position": {"CHART-1": {"type": "CHART", "meta": {
        "chartId": 7, "uuid": CHART_A}}}, "metadata": {"chart_configuration": {
            "7": {"id": 7, "crossFilters": {"scope": "global", "chartsInScope": [7]}}}}}
    kept = copy.deepcopy(body)
    normalize("dashboard", body)
    assert body == kept


def test_an_unknown_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="saved_query"):
        normalize("saved_query", {})


# -- databases ---------------------------------------------------------------------------

def test_password_is_compared_masked() -> None:
    assert mask_uri("postgresql://u:secret@db:5432/x") == f"postgresql://u:{MASK}@db:5432/x"
    assert mask_uri("clickhousedb://report@ch:8123/r") == "clickhousedb://report@ch:8123/r"
    masked = f"clickhousedb+connect://r:{MASK}@ch/r"
    assert mask_uri(masked) == masked
    # a password in the query is masked too: a live one set in the UI is never shown
    assert same("database", {"sqlalchemy_uri": f"clickhousedb://r@ch/r?password={MASK}"},
                {"sqlalchemy_uri": "clickhousedb://r@ch/r?password=typed-in-the-ui"})
    assert same("database", {"sqlalchemy_uri": "postgresql://u:p%40ss@db/x"},
                {"sqlalchemy_uri": f"postgresql://u:{MASK}@db/x"})
    # the user or host is a real change
    assert not same("database", {"sqlalchemy_uri": "postgresql://u:p@db/x"},
                    {"sqlalchemy_uri": f"postgresql://v:{MASK}@db/x"})


def test_database_file_upload_names_and_extra_as_text() -> None:
    local = {"database_name": "CH", "allow_file_upload": True,
             "extra": {"schemas_allowed_for_file_upload": ["a"], "engine_params": {}}}
    live = {"database_name": "CH", "allow_csv_upload": True, "configuration_method":
            "sqlalchemy_form", "impersonate_user": False,
            "extra": json.dumps({"engine_params": {},
                                 "schemas_allowed_for_csv_upload": '["a"]'})}
    assert same("database", local, live)
    assert not same("database", local, {**live, "allow_csv_upload": False})
    assert not same("database", local, {**live, "impersonate_user": True})


# -- datasets ----------------------------------------------------------------------------

def column(name: str, **fields: Any) -> dict[str, Any]:
    return {"column_name": name, **fields}


def test_dataset_columns_and_metrics_in_any_order_with_export_defaults() -> None:
    local = {"table_name": "t", "sql": "select 1",
             "columns": [column("b", verbose_name="B", is_dttm=None, is_active=None),
                         column("a", extra={"warning_markdown": "w"})],
             "metrics": [{"metric_name": "m2", "expression": "max(x)"},
                         {"metric_name": "m1", "expression": "count(*)", "extra": "{}"}]}
    live = {"table_name": "t", "sql": "select 1", "catalog": None, "offset": 0,
            "normalize_columns": False, "currency_code_column": None, "folders": None,
            "extra": None, "always_filter_main_dttm": False, "filter_select_enabled": True,
            "columns": [column("a", extra='{"warning_markdown": "w"}', is_active=True,
                               is_dttm=False, python_date_format=None, datetime_format=None,
                               groupby=True, filterable=True, expression="", type=None),
                        column("b", verbose_name="B", is_active=True, is_dttm=False)],
            "metrics": [{"metric_name": "m1", "expression": "count(*)", "extra": {},
                         "currency": None, "d3format": None, "warning_text": None},
                        {"metric_name": "m2", "expression": "max(x)"}]}
    assert same("dataset", local, live)
    renamed = copy.deepcopy(live)
    renamed["columns"][1]["verbose_name"] = "B (translated)"
    assert not same("dataset", local, renamed)
    no_longer_active = copy.deepcopy(live)
    no_longer_active["columns"][0]["is_active"] = False
    assert not same("dataset", local, no_longer_active)


def test_dataset_extra_as_text_or_mapping_and_physical_sql() -> None:
    assert same("dataset", {"extra": {"certification": {"certified_by": "x"}}, "sql": ""},
                {"extra": '{"certification": {"certified_by": "x"}}', "sql": None})
    assert same("dataset", {"extra": "  "}, {})  # a blank string: Superset stores null
    assert not same("dataset", {"sql": "select 1"}, {"sql": "select 2"})


def test_dataset_cache_timeout_the_export_takes_from_its_database() -> None:
    database = {"uuid": DATABASE, "cache_timeout": 300}
    local = {"table_name": "t", "database_uuid": DATABASE, "cache_timeout": None}
    live = {"table_name": "t", "database_uuid": DATABASE, "cache_timeout": 300}
    assert same("dataset", local, live, database=database)
    assert not same("dataset", local, {**live, "cache_timeout": 600}, database=database)
    # without the database the two cannot be told apart, and they are not equal
    assert not same("dataset", local, live)


def test_dataset_keys_import_reads_but_never_stores() -> None:
    assert same("dataset", {"table_name": "t", "data": "https://x/y.csv",
                            "source_db_engine": "postgresql"}, {"table_name": "t"})


# -- charts ------------------------------------------------------------------------------

def test_chart_params_datasource_and_annotation_layers() -> None:
    local = {"params": {"viz_type": "table", "annotation_layers": [
        {"name": "f", "annotationType": "FORMULA", "value": "x"},
        {"name": "e", "annotationType": "EVENT", "value": 12}]}}
    live = {"params": {"viz_type": "table", "datasource": "53__table", "annotation_layers": [
        {"name": "f", "annotationType": "FORMULA", "value": "x"}]}}
    assert same("chart", local, live)
    assert same("chart", {"params": {"viz_type": "table"}},
                {"params": {"viz_type": "table", "annotation_layers": []}})
    assert same("chart", {"params": json.dumps({"viz_type": "table"})},
                {"params": {"viz_type": "table"}})
    assert not same("chart", {"params": {"viz_type": "table", "row_limit": 10}},
                    {"params": {"viz_type": "table", "row_limit": 100}})


def query_context(datasource: int, slice_id: int, row_limit: int = 10) -> dict[str, Any]:
    return {"datasource": {"id": datasource, "type": "table"}, "force": False,
            "queries": [{"datasource": {"id": datasource, "type": "table"},
                         "row_limit": row_limit, "columns": ["a"]}],
            "form_data": {"datasource": f"{datasource}__table", "slice_id": slice_id,
                          "dashboards": [315], "viz_type": "table", "row_limit": row_limit},
            "result_format": "json", "result_type": "full"}


def test_query_context_without_the_ids_of_the_instance_it_was_saved_on() -> None:
    local = {"query_context": query_context(660, 1)}  # a source may write a mapping
    live = {"query_context": json.dumps(query_context(97, 42))}
    assert same("chart", local, live)
    changed = {"query_context": json.dumps(query_context(97, 42, row_limit=50))}
    assert not same("chart", local, changed)
    assert not same("chart", local, {"query_context": None})
    assert same("chart", {}, {"query_context": None})


# -- dashboards --------------------------------------------------------------------------

def dashboard(id_a: int, id_b: int, **metadata: Any) -> dict[str, Any]:
    return {
        "dashboard_title": "D", "uuid": "dd",
        "position": {
            "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
            "CHART-a": {"type": "CHART", "id": "CHART-a",
                        "meta": {"chartId": id_a, "uuid": CHART_A, "sliceName": "A"}},
            "CHART-b": {"type": "CHART", "id": "CHART-b",
                        "meta": {"chartId": id_b, "uuid": CHART_B}},
            "MARKDOWN-1": {"type": "MARKDOWN", "id": "MARKDOWN-1", "meta": {"code": "Hello"}},
        },
        "metadata": metadata,
    }


def test_chart_ids_of_the_layout_and_metadata_compare_as_chart_uuids() -> None:
    def metadata(a: int, b: int, scope: list[int]) -> dict[str, Any]:
        return {
            "chart_configuration": {
                str(a): {"id": a, "crossFilters": {"scope": {"rootPath": ["ROOT_ID"],
                                                             "excluded": [a, 999]},
                                                   "chartsInScope": scope}}},
            "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": [b]},
                                           "chartsInScope": scope},
            "native_filter_configuration": [{"id": "NATIVE_FILTER-x", "name": "Org",
                                             "scope": {"rootPath": ["ROOT_ID"], "excluded": [b]},
                                             "chartsInScope": scope, "tabsInScope": [],
                                             "targets": [{"datasetUuid": DATASET, "column": {
                                                 "name": "org"}}]}],
            "timed_refresh_immune_slices": [b],
            "expanded_slices": {str(a): True},
        }

    # what we send (ids 1, 2 made up) and what the export gives back (ids 40, 41);
    # chartsInScope is not remapped by import and rewritten by every UI save
    local = dashboard(1, 2, **metadata(1, 2, [1, 2]))
    live = dashboard(40, 41, **metadata(40, 41, [1, 2]))
    assert same("dashboard", local, live)
    ui_saved = dashboard(40, 41, **metadata(40, 41, [40, 41]))
    assert same("dashboard", local, ui_saved)
    moved = dashboard(40, 41, **metadata(41, 40, [1, 2]))  # configured on the other chart
    assert not same("dashboard", local, moved)
    form = normalize("dashboard", live)
    assert form["metadata"]["chart_configuration"] == {
        CHART_A: {"crossFilters": {"scope": {"rootPath": ["ROOT_ID"], "excluded": [CHART_A]}}}}
    assert form["metadata"]["timed_refresh_immune_slices"] == [CHART_B]
    assert form["position"]["CHART-a"]["meta"] == {"uuid": CHART_A, "sliceName": "A"}


def test_chart_configuration_of_a_chart_not_in_the_layout_is_dropped_as_import_does() -> None:
    local = dashboard(1, 2, chart_configuration={"2421": {"id": 2421, "crossFilters": {
        "scope": "global", "chartsInScope": [2501]}}})
    live = dashboard(40, 41, chart_configuration={})
    assert same("dashboard", local, live)


def test_legacy_filters_ui_defaults_and_derived_colors() -> None:
    local = dashboard(1, 2, default_filters="{}", filter_scopes={}, show_native_filters=True,
                      color_scheme="supersetColors", label_colors={"A": "#fff"})
    live = dashboard(40, 41, color_scheme="supersetColors", label_colors={"A": "#fff"},
                     native_filter_configuration=[], timed_refresh_immune_slices=[],
                     expanded_slices={}, refresh_frequency=0, color_scheme_domain=[],
                     cross_filters_enabled=True, shared_label_colors=["A"],
                     map_label_colors={"A": "#1FA8C9"})
    assert same("dashboard", local, live)
    assert not same("dashboard", local, {**live, "metadata": {
        **live["metadata"], "label_colors": {"A": "#000"}}})
    assert not same("dashboard", local, {**live, "metadata": {
        **live["metadata"], "refresh_frequency": 300}})
    assert same("dashboard", {"dashboard_title": "D"},
                {"dashboard_title": "D", "theme_uuid": None, "css": "", "slug": None,
                 "certified_by": None, "certification_details": None, "description": None,
                 "published": False})


# What Superset 6.1's dashboard page PUTs to /api/v1/dashboard/<id>/colors when someone
# opens it (`storeDashboardColorConfig`): the colour-scale state it derives by itself.
VIEWED_COLORS = {
    "color_scheme_domain": ["#1FA8C9", "#454E7C", "#5AC189", "#FF7F44", "#666666"],
    "shared_label_colors": ["Course A", "Course B"],
    "map_label_colors": {"Course A": "#1FA8C9", "Course B": "#454E7C", "other": "#5AC189"},
}


@pytest.mark.parametrize("source_writes", [{}, {"color_scheme_domain": ["#000000"],
                                                "shared_label_colors": {"old": "#fff"},
                                                "map_label_colors": {}}])
def test_colour_state_the_dashboard_page_writes_on_view_is_no_difference(
        source_writes: dict[str, Any]) -> None:
    authored = {"color_scheme": "supersetColors", "label_colors": {"Course A": "#ff0000"}}
    local = dashboard(1, 2, **authored, **source_writes)
    viewed = dashboard(40, 41, **authored, **VIEWED_COLORS)
    assert same("dashboard", local, viewed)
    assert "color_scheme_domain" not in normalize("dashboard", viewed)["metadata"]


def test_colours_an_author_sets_stay_compared_after_a_view() -> None:
    local = dashboard(1, 2, color_scheme="supersetColors", label_colors={"Course A": "#f00"})
    viewed = dashboard(40, 41, color_scheme="supersetColors", label_colors={"Course A": "#f00"},
                       **VIEWED_COLORS)
    # the page replaces a scheme its registry does not have: the dashboard looks different
    replaced = {**viewed["metadata"], "color_scheme": "SUPERSET_DEFAULT"}
    assert not same("dashboard", local, {**viewed, "metadata": replaced})
    recoloured = {**viewed["metadata"], "label_colors": {"Course A": "#00f"}}
    assert not same("dashboard", local, {**viewed, "metadata": recoloured})


def test_real_dashboard_changes_stay_visible() -> None:
    local = dashboard(1, 2, native_filter_configuration=[{"id": "F", "name": "Org"}])
    live = dashboard(40, 41, native_filter_configuration=[{"id": "F", "name": "Org"}])
    assert same("dashboard", local, live)
    renamed_filter = dashboard(40, 41, native_filter_configuration=[{"id": "F", "name": "Org."}])
    assert not same("dashboard", local, renamed_filter)
    text = copy.deepcopy(live)
    text["position"]["MARKDOWN-1"]["meta"]["code"] = "Hola"
    assert not same("dashboard", local, text)
    override = copy.deepcopy(live)
    override["position"]["CHART-a"]["meta"]["sliceNameOverride"] = "A (es)"
    assert not same("dashboard", local, override)
    assert not same("dashboard", local, {**live, "dashboard_title": "E"})
    assert not same("dashboard", local, {**live, "published": True})


# -- reading an export -------------------------------------------------------------------

def dump(body: dict[str, Any]) -> bytes:
    """As Superset's export writes a file."""
    return yaml.safe_dump(body, sort_keys=False).encode()


def test_normalize_all_reads_kinds_from_folders_and_ignores_file_names() -> None:
    files = {
        "metadata.yaml": dump({"version": "1.0.0", "type": "assets"}),
        "databases/CH.yaml": dump({"uuid": DATABASE, "database_name": "CH",
                                    "cache_timeout": 300}),
        "datasets/CH/t_12.yaml": dump({"uuid": DATASET, "table_name": "t",
                                        "database_uuid": DATABASE, "cache_timeout": 300}),
        "charts/Renamed_in_Superset_7.yaml": dump({"uuid": CHART_A, "slice_name": "A",
                                                   "params": {"datasource": "12__table"}}),
        "dashboards/D_3.yaml": dump(dashboard(7, 8)),
        "themes/T.yaml": dump({"uuid": "t", "theme_name": "T"}),
    }
    out = normalize_all(files)
    assert {uuid: kind for uuid, (kind, _) in out.items()} == {
        DATABASE: "database", DATASET: "dataset", CHART_A: "chart", "dd": "dashboard"}
    assert out[CHART_A][1] == {"uuid": CHART_A, "slice_name": "A", "params": {}}
    # the dataset's cache timeout came from its database, found in the same export
    assert "cache_timeout" not in out[DATASET][1]
