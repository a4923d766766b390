"""The model's plain helpers every layer shares: key paths, JSON columns, short text."""

from __future__ import annotations

from aspects_assets.core.plan import field_changes
from aspects_assets.core.pull.edits import Edit, Named
from aspects_assets.model.json_text import chart_params, json_data, with_parsed_params
from aspects_assets.model.keypath import get_at, key_text, set_at, set_many
from aspects_assets.model.text import shorten


def test_a_key_path_reads_as_dots_and_brackets() -> None:
    assert key_text(("columns", 0, "verbose_name")) == "columns[0].verbose_name"
    assert key_text((0, "a")) == "[0].a"
    assert key_text(()) == ""


def test_diff_pull_and_the_registry_write_key_paths_alike() -> None:
    old = {"metadata": {"it's": [1, {"b": 1}]}}
    new = {"metadata": {"it's": [1, {"b": 2}]}}
    assert [c.path for c in field_changes(old, new)] == ["metadata.it's[1].b"]
    edit = Edit(("columns", Named("column_name", "x"), "verbose_name"), "set", "X")
    assert edit.where == "columns[column_name=x].verbose_name"


def test_set_at_and_set_many_copy_only_the_way_there() -> None:
    body = {"a": [{"b": 1}, {"c": 2}], "d": {"e": 3}}
    one = set_at(body, ("a", 0, "b"), 9)
    assert one == {"a": [{"b": 9}, {"c": 2}], "d": {"e": 3}}
    assert one["d"] is body["d"] and one["a"][1] is body["a"][1] and body["a"][0] == {"b": 1}
    many = set_many(body, {("a", 0, "b"): 9, ("d", "e"): 4})
    assert many == {"a": [{"b": 9}, {"c": 2}], "d": {"e": 4}}
    assert get_at(many, ("a", 5, "b")) is None and get_at(many, ("d", "e")) == 4


def test_json_columns_are_read_one_way() -> None:
    assert json_data('{"a": 1}') == {"a": 1}
    assert json_data("  ") is None  # what Superset's import stores for a blank text
    assert json_data("not json") == "not json"
    assert json_data({"a": 1}) == {"a": 1}
    assert chart_params({"params": '{"x": 1}'}) == {"x": 1}
    assert chart_params({"params": "[1]"}) is None
    text = {"params": "not json"}
    assert with_parsed_params(text) is text
    assert with_parsed_params({"params": '{"x": 1}', "k": 2}) == {"params": {"x": 1}, "k": 2}


def test_long_text_is_cut_to_its_width_with_an_ellipsis() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert len(shorten("x" * 500, 200)) == 200
