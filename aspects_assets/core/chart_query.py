"""A chart's query as Superset's front end would send it to `/api/v1/chart/data`,
built from the chart's saved form data (`params`).

Superset stores no query context for imported charts (the export's
`query_context` is usually null), so `GET /api/v1/chart/<id>/data/` refuses
them; the front end builds the query per chart type in JavaScript. This is the
same translation for the chart types Aspects uses (table, big numbers, ECharts
time series and area, mixed time series, pie, pivot table), and a generic one
for the rest (metrics and group-by columns): enough to run each chart's SQL,
metrics, filters, sort and columns against its dataset, which is what a check
after an import needs, not to reproduce the chart's post-processing.
"""

from __future__ import annotations

from typing import Any

# Rows asked for: the check wants the query to run, not the data.
ROW_LIMIT = 10
_TIMESERIES = ("echarts_timeseries", "echarts_area", "mixed_timeseries", "big_number")


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _filters(adhoc: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Adhoc filters as the query's `filters` (simple ones) and `extras` (SQL ones)."""
    filters: list[dict[str, Any]] = []
    where: list[str] = []
    having: list[str] = []
    for item in _list(adhoc):
        if not isinstance(item, dict):
            continue
        if item.get("expressionType") == "SQL":
            clause = str(item.get("sqlExpression") or "").strip()
            if clause:
                (having if item.get("clause") == "HAVING" else where).append(f"({clause})")
            continue
        if item.get("subject") is None or item.get("operator") is None:
            continue
        entry: dict[str, Any] = {"col": item["subject"], "op": item["operator"]}
        if "comparator" in item:
            entry["val"] = item["comparator"]
        filters.append(entry)
    extras = {}
    if where:
        extras["where"] = " AND ".join(where)
    if having:
        extras["having"] = " AND ".join(having)
    return filters, extras


def _x_axis(params: dict[str, Any]) -> list[Any]:
    x_axis = params.get("x_axis") or params.get("granularity_sqla")
    if not x_axis:
        return []
    if isinstance(x_axis, dict):
        return [x_axis]
    grain = params.get("time_grain_sqla")
    if not grain:
        return [x_axis]
    return [{"timeGrain": grain, "columnType": "BASE_AXIS", "sqlExpression": x_axis,
             "label": x_axis, "expressionType": "SQL"}]


def _query(params: dict[str, Any], *, suffix: str = "") -> dict[str, Any]:
    viz = str(params.get("viz_type") or "")
    filters, extras = _filters(params.get(f"adhoc_filters{suffix}"))
    metrics = [*_list(params.get(f"metrics{suffix}")), *_list(params.get(f"metric{suffix}"))]
    columns: list[Any]
    if viz == "table" and params.get("query_mode") == "raw":
        columns, metrics = _list(params.get("all_columns")), []
    elif viz == "pivot_table_v2":
        columns = [*_list(params.get("groupbyRows")), *_list(params.get("groupbyColumns"))]
    else:
        columns = [*_list(params.get(f"groupby{suffix}")), *_list(params.get("columns"))]
    if viz == "table":
        metrics += _list(params.get("percent_metrics"))
    if viz.startswith(_TIMESERIES):
        columns = [*_x_axis(params), *columns]
    query: dict[str, Any] = {
        "columns": columns, "metrics": metrics, "filters": filters, "extras": extras,
        "row_limit": ROW_LIMIT, "time_range": params.get("time_range") or "No filter",
        "series_limit": 0, "order_desc": bool(params.get("order_desc", True)),
    }
    sort = params.get("timeseries_limit_metric") or params.get("series_limit_metric")
    if sort and metrics:
        query["orderby"] = [[sort, not bool(params.get("order_desc", True))]]
    return query


def chart_query_context(params: dict[str, Any], datasource_id: int,
                        datasource_type: str = "table") -> dict[str, Any]:
    """The body of a `POST /api/v1/chart/data` that runs this chart's query."""
    queries = [_query(params)]
    if str(params.get("viz_type")) == "mixed_timeseries":
        queries.append(_query(params, suffix="_b"))
    return {
        "datasource": {"id": datasource_id, "type": datasource_type},
        "force": False,
        "queries": queries,
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }
