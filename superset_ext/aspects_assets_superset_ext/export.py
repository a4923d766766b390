"""Superset's own export, as data: what each exported file would say, without the
YAML text.

Most of an export's time is PyYAML's pure-Python dump (the export of 2,577 assets
run in Superset's process: 63 s with it, 25 s without). A client that only reads
the export (to compare it with its code) does not need the text: this runs
Superset's own export commands, unchanged, and keeps what each would have
dumped. It does so by giving those modules a stand-in for their `yaml` module
whose `safe_dump` hands the payload over instead, in the thread of a request of
this module only; every other caller (Superset's own export, in any thread) gets
PyYAML itself.
"""

from __future__ import annotations

import importlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import yaml

# The modules whose export commands write the files this reads.
EXPORT_MODULES = (
    "superset.commands.database.export",
    "superset.commands.dataset.export",
    "superset.commands.chart.export",
    "superset.commands.dashboard.export",
)
KINDS = ("database", "dataset", "chart", "dashboard")
_capturing = threading.local()
_installed = threading.Lock()


class _Captured(str):
    """What the stand-in's safe_dump returns while capturing: a text that is no YAML."""


class _YamlStandIn:
    """The `yaml` module, but for `safe_dump` in a capturing thread."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def safe_dump(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        sink = getattr(_capturing, "sink", None)
        if sink is None:
            return self._real.safe_dump(data, *args, **kwargs)
        sink.append(data)
        return _Captured("")


def _install() -> None:
    with _installed:
        for name in EXPORT_MODULES:
            module = importlib.import_module(name)
            if getattr(module, "yaml", None) is yaml:
                module.yaml = _YamlStandIn(yaml)


def _commands() -> dict[str, Any]:
    from superset.commands.chart.export import ExportChartsCommand
    from superset.commands.dashboard.export import ExportDashboardsCommand
    from superset.commands.database.export import ExportDatabasesCommand
    from superset.commands.dataset.export import ExportDatasetsCommand

    return {"database": ExportDatabasesCommand, "dataset": ExportDatasetsCommand,
            "chart": ExportChartsCommand, "dashboard": ExportDashboardsCommand}


def _str_keys_only(value: Any) -> bool:
    """Whether JSON keeps every key as it is (it turns other keys into text)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if not all(isinstance(k, str) for k in item):
                return False
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def export_files(kind: str | None, ids: list[int] | None) -> Iterator[tuple[str, str, str]]:
    """(path, "data" or "text", JSON of the file's data or its YAML text) for each
    file Superset's export of these assets writes, without the related assets (but a
    dataset's database): one kind's `ids`, or every asset of the four kinds. A file
    whose data JSON cannot carry exactly (a date, a number key) comes as the YAML
    Superset writes."""
    _install()
    commands = _commands()
    if kind is None:
        wanted = [(each, [m.id for m in commands[each].dao.find_all()]) for each in KINDS]
    else:
        wanted = [(kind, ids or [])]
        if kind == "dataset":
            # Its database too, as Superset's own dataset export carries it: what the
            # export writes into a dataset depends on it (its cache timeout).
            used = {m.database_id for m in commands["dataset"].dao.find_by_ids(ids or [])}
            wanted.append(("database", sorted(used)))
    for each, chosen in wanted:
        for path, content in commands[each](chosen, export_related=False).run():
            if path == "metadata.yaml":
                continue
            _capturing.sink = sink = []
            try:
                text = content()
            finally:
                _capturing.sink = None
            if isinstance(text, _Captured) and len(sink) == 1 and _str_keys_only(sink[0]):
                try:
                    yield path, "data", json.dumps(sink[0], allow_nan=False,
                                                   ensure_ascii=False)
                    continue
                except (TypeError, ValueError):
                    pass
            # Rare: the file as Superset writes it, dumped again without capturing.
            yield path, "text", json.dumps(str(content()), ensure_ascii=False)


def export_json(kind: str | None, ids: list[int] | None) -> str:
    """The answer of GET /api/v1/aspects_assets/export/: `{"result": {"data":
    {path: data}, "text": {path: YAML}}}`, written piece by piece (each file's JSON
    is made once)."""
    parts: dict[str, list[str]] = {"data": [], "text": []}
    for path, form, content in export_files(kind, ids):
        parts[form].append(f"{json.dumps(path)}: {content}")
    return ('{"result": {"data": {' + ", ".join(parts["data"]) + '}, "text": {'
            + ", ".join(parts["text"]) + "}}}")
