"""Superset's JSON columns (chart `params` and `query_context`, the `extra`s):
stored as text, read here as data, in one way for every reader."""

from __future__ import annotations

import json
from typing import Any


def json_data(value: Any) -> Any:
    """A JSON column's value as data, whether it came as a string or as data.

    Superset stores these as text and its export parses some of them (dataset
    `extra`, column and metric `extra`, database `extra`, chart `params`) but only
    when non-empty, and the database export path leaves a dataset's `extra` as a
    string; a source may write either. A blank string is what Superset's import
    turns into null; a string that is not JSON stays the text it is (to be
    compared, or reported, as it is)."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def chart_params(body: dict[str, Any]) -> dict[str, Any] | None:
    """A chart's params as a mapping (Superset also accepts a JSON string), or None."""
    params = json_data(body.get("params"))
    return params if isinstance(params, dict) else None


def with_parsed_params(body: dict[str, Any]) -> dict[str, Any]:
    """A chart body whose params, written as a JSON object's text, are that object."""
    if isinstance(body.get("params"), str):
        params = chart_params(body)
        if params is not None:
            return {**body, "params": params}
    return body
