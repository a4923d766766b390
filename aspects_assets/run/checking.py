"""`check`: every managed chart's query run through Superset, as a dashboard would
run it, in parallel within a limit; what fails, with Superset's own error."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.chart_query import chart_query_context
from aspects_assets.model.errors import InputError, SupersetError
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.live import read_record

CHART_COLUMNS = ["id", "uuid", "slice_name", "viz_type", "params", "datasource_id",
                 "datasource_type"]


@dataclass(frozen=True)
class ChartCheck:
    uuid: str
    title: str
    locale: str | None  # None: the original
    error: str | None  # Superset's message; None: the query ran
    rows: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "title": self.title, "locale": self.locale, "ok": self.ok,
                "error": self.error, "rows": self.rows}


def superset_message(exc: SupersetError) -> str:
    """What Superset said, without our "Superset answered 500 to POST ..." frame."""
    payload = exc.payload
    if isinstance(payload, dict):
        message = payload.get("message")
        errors = payload.get("errors")
        if not message and isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = errors[0].get("message")
        if message:
            return message if isinstance(message, str) else json.dumps(message)
    return exc.message


def _run_one(client: SupersetClient, row: dict[str, Any], locale: str | None) -> ChartCheck:
    uuid, title = str(row["uuid"]), str(row.get("slice_name") or "")
    try:
        params = json.loads(row.get("params") or "{}")
    except json.JSONDecodeError as exc:
        return ChartCheck(uuid, title, locale, f"its params are not JSON: {exc.msg}")
    if row.get("datasource_id") is None:
        return ChartCheck(uuid, title, locale, "it has no dataset")
    context = chart_query_context(params, int(row["datasource_id"]),
                                  str(row.get("datasource_type") or "table"))
    try:
        answer = client.chart_data(context)
    except SupersetError as exc:
        if exc.status is None:
            raise  # Superset itself cannot be reached: the run fails, not the chart
        return ChartCheck(uuid, title, locale, superset_message(exc))
    results = answer.get("result") or []
    failed = [r.get("error") for r in results if isinstance(r, dict) and r.get("error")]
    if failed:
        return ChartCheck(uuid, title, locale, str(failed[0]))
    rows = sum(int(r.get("rowcount") or 0) for r in results if isinstance(r, dict))
    return ChartCheck(uuid, title, locale, None, rows)


@dataclass(frozen=True)
class Target:
    uuid: str
    locale: str | None
    row: dict[str, Any] | None  # the chart as Superset lists it; None: not there


def charts_to_check(client: SupersetClient, project: str,
                    locales: Collection[str] | None) -> list[Target]:
    """Every chart the project's record manages (only the copies of `locales` when
    given), originals first, then by locale."""
    record, _ = read_record(client, project)
    if record is None:
        raise InputError(f"Superset has no record of project {project!r}: run "
                         "`aspects-assets import` first", file="--config")
    wanted = {uuid: asset.locale for uuid, asset in record.managed.items()
              if asset.kind == "chart" and (locales is None or asset.locale in locales)}
    rows = {str(r["uuid"]): r for r in client.list_all("chart", CHART_COLUMNS)}
    return [Target(u, wanted[u], rows.get(u))
            for u in sorted(wanted, key=lambda u: (wanted[u] or "", u))]


def run_checks(client: SupersetClient, targets: list[Target], *, parallel: int,
               progress: Callable[[str, int], None]) -> list[ChartCheck]:
    """Each target's query run once, at most `parallel` at a time."""
    def one(target: Target) -> ChartCheck:
        if target.row is None:
            return ChartCheck(target.uuid, "", target.locale,
                              "not in Superset (run `aspects-assets import`)")
        return _run_one(client, target.row, target.locale)

    done: list[ChartCheck] = []
    with ThreadPoolExecutor(max(1, parallel)) as pool:
        for result in pool.map(one, targets):
            progress(result.uuid, 1)  # here, in one thread: the bar is not shared
            done.append(result)
    return done
