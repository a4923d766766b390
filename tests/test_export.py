"""Reading Superset's export: kinds from folders, datasets with their database, and
the fast YAML reader that must read every file exactly as PyYAML does."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from aspects_assets.core import export as export_module
from aspects_assets.core.export import load_yaml, read_export


def dump(body: dict[str, Any]) -> bytes:
    """As Superset's export writes a file."""
    return yaml.safe_dump(body, sort_keys=False).encode()


def test_read_export_pairs_datasets_with_their_database() -> None:
    files = {
        "metadata.yaml": b"version: 1.0.0\n",
        "databases/db.yaml": b"uuid: d1\ndatabase_name: db\n",
        "datasets/db/t.yaml": b"uuid: t1\ntable_name: t\ndatabase_uuid: d1\n",
    }
    live = read_export(files)
    assert set(live) == {"d1", "t1"}
    assert live["t1"].database == {"uuid": "d1", "database_name": "db"}


@pytest.mark.parametrize("text", [
    "1e5", "1.0e5", ".5e3", "0o17", "09", "_1", "1_000", "+1", "2024-01-01", "yes", "~",
    "1.0.0", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "a: b", "1e5 apples",
])
@pytest.mark.parametrize("shape", ["value", "key", "item"])
def test_export_files_read_exactly_as_pyyaml_reads_them(text: str, shape: str) -> None:
    body = {"value": {"k": text}, "key": {text: 1}, "item": {"k": [text, {"n": [text]}]}}[shape]
    content = dump({**body, "n": [12, -3, 1.5, 1e-05, 10**20, float("inf"), None, True]})
    expected = yaml.load(content, Loader=yaml.CSafeLoader)
    for fast in (True, False):
        got = load_yaml(content, fast=fast)
        assert got == expected and repr(got) == repr(expected)


def test_the_fast_reader_is_used_where_both_read_alike() -> None:
    assert export_module._read_alike(dump({"a": "x", "b": [1, 1.5], "c": {"d": None}}))
    for risky in ("1e5", "09", "_1", "0o17"):
        assert not export_module._read_alike(dump({"a": risky}))
        assert not export_module._read_alike(dump({risky: 1}))
