"""The query `check` sends for a chart, built from its saved settings as Superset's
front end would (tests/integration/test_check_live.py runs them in Superset)."""

from __future__ import annotations

import yaml

from aspects_assets.core.chart_query import ROW_LIMIT, chart_query_context

from conftest import REPO


def params_of(name: str) -> dict[str, object]:
    data = yaml.safe_load((REPO / "assets" / "charts" / name).read_text())
    params: dict[str, object] = data["params"]
    return params


def test_an_aggregate_table() -> None:
    params = params_of("Charts_per_Dashboard.yaml")
    context = chart_query_context(params, 7)
    assert context["datasource"] == {"id": 7, "type": "table"}
    (query,) = context["queries"]
    assert query["columns"] == ["dashboard_title"]
    assert [m["label"] for m in query["metrics"]] == ["Charts"]
    assert query["orderby"] == [[params["timeseries_limit_metric"], False]]
    assert query["row_limit"] == ROW_LIMIT and query["time_range"] == "No filter"


def test_a_time_series_groups_by_its_x_axis_with_its_time_grain() -> None:
    (query,) = chart_query_context(params_of("Enrollments_Over_Time.yaml"), 3)["queries"]
    assert query["columns"][0] == {"timeGrain": "P1D", "columnType": "BASE_AXIS",
                                   "sqlExpression": "emission_time", "label": "emission_time",
                                   "expressionType": "SQL"}
    assert {"col": "emission_time", "op": "TEMPORAL_RANGE", "val": "No filter"} in \
        query["filters"]


def test_filters_raw_tables_big_numbers_and_mixed_series() -> None:
    params = {"viz_type": "table", "query_mode": "raw", "all_columns": ["a", "b"],
              "metrics": ["count"], "adhoc_filters": [
                  {"expressionType": "SQL", "clause": "WHERE", "sqlExpression": "x > 1"},
                  {"expressionType": "SQL", "clause": "HAVING", "sqlExpression": "count(*) > 2"},
                  {"expressionType": "SIMPLE", "subject": "org", "operator": "IN",
                   "comparator": ["edX"]}]}
    (query,) = chart_query_context(params, 1)["queries"]
    assert query["columns"] == ["a", "b"] and query["metrics"] == []
    assert query["filters"] == [{"col": "org", "op": "IN", "val": ["edX"]}]
    assert query["extras"] == {"where": "(x > 1)", "having": "(count(*) > 2)"}
    (total,) = chart_query_context({"viz_type": "big_number_total", "metric": "count"},
                                   1)["queries"]
    assert total["metrics"] == ["count"] and total["columns"] == []
    mixed = chart_query_context({"viz_type": "mixed_timeseries", "x_axis": "day",
                                 "metrics": ["a"], "metrics_b": ["b"], "groupby_b": ["g"]},
                                1)["queries"]
    assert [q["metrics"] for q in mixed] == [["a"], ["b"]]
    assert mixed[1]["columns"] == ["day", "g"]
    (pivot,) = chart_query_context({"viz_type": "pivot_table_v2", "groupbyRows": ["r"],
                                    "groupbyColumns": ["c"], "metrics": ["m"]}, 1)["queries"]
    assert pivot["columns"] == ["r", "c"]


def test_superset_s_own_message_is_reported() -> None:
    from aspects_assets.model.errors import SupersetError
    from aspects_assets.run.checking import superset_message

    framed = "Superset answered 400 to POST /api/v1/chart/data: Error: column x does not exist"
    assert superset_message(SupersetError(framed, status=400, payload={
        "message": "Error: column x does not exist"})) == "Error: column x does not exist"
    assert superset_message(SupersetError(framed, status=500, payload={
        "errors": [{"message": "DB engine Error", "error_type": "GENERIC_DB_ENGINE_ERROR"}]})) \
        == "DB engine Error"
    assert superset_message(SupersetError(framed, status=502, payload=None)) == framed
