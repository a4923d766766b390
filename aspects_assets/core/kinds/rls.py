"""Row-level security filters as code: their files, the datasets each one
covers, and their comparison with Superset's filters. Pure.

Superset applies a filter only to the dataset ids on its list. Open edX Aspects
builds that list once, when its init job runs, so every dataset added later (each
localized copy, every copy of a newly configured locale) is unfiltered: an
instructor would see every course. Here the selection (a schema minus some
tables, or datasets of the code with all their copies) is evaluated against the
live datasets at every run, so the filter covers exactly what exists, and a
dataset made since the last import (by hand, say) shows as drift.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.kinds.objects import DEFAULT_OPTIONS, ObjectKind, PlanOptions, parse_each
from aspects_assets.core.kinds.roles import desired_roles
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError, Problem
from aspects_assets.model.plan import Action, FieldChange, ObjectChange
from aspects_assets.model.snapshot import LiveRow
from aspects_assets.project.sources import Document

FOLDER = "row_level_security"
FILTER_TYPES = ("Regular", "Base")
REQUIRED_KEYS = ("name", "filter_type", "clause", "datasets")
KEYS = (*REQUIRED_KEYS, "roles", "group_key", "description")
DATASET_KEYS = ("schema", "exclude", "uuids")
# Superset's column: row_level_security_filters.name is VARCHAR(255).
NAME_MAX = 255


@dataclass(frozen=True)
class RlsFilter:
    """One filter as the code declares it."""

    name: str
    filter_type: str
    clause: str
    source: str
    roles: tuple[str, ...] = ()
    group_key: str | None = None
    description: str | None = None
    # The selection: every dataset on `schema` minus the tables in `exclude`
    # (and their copies), or the code's datasets `uuids` with their copies.
    schema: str | None = None
    exclude: tuple[str, ...] = ()
    uuids: tuple[str, ...] = ()
    name_key: str = "name"  # one filter a file: its name is at `name`


@dataclass(frozen=True)
class DatasetRef:
    """A live dataset as a filter's selection sees it."""

    id: int
    uuid: str
    schema: str | None
    table_name: str

    @property
    def label(self) -> str:
        table = ".".join(p for p in (self.schema, self.table_name) if p)
        return f"{table} [{self.uuid}]"


@dataclass(frozen=True)
class LiveRls:
    """A filter as Superset has it."""

    id: int
    name: str
    filter_type: str
    clause: str
    roles: tuple[str, ...]
    tables: tuple[int, ...]
    group_key: str | None = None
    description: str | None = None


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    return None


def parse_filter(data: Any, display: str, code: AssetSet) -> tuple[RlsFilter | None,
                                                                  list[Problem]]:
    """A filter file's mapping as an RlsFilter, or the problems that stop it.
    `code`: the originals, against which `datasets.uuids` are checked."""
    def error(key: str, message: str) -> Problem:
        return Problem("error", display, key, message)

    if not isinstance(data, dict):
        return None, [error("", "a row-level security filter must be a mapping of fields, "
                                f"not {type(data).__name__}")]
    problems = [error(str(k), f"unknown key (expected one of: {', '.join(KEYS)})")
                for k in data if k not in KEYS]
    problems += [error(k, "missing") for k in REQUIRED_KEYS if k not in data]
    for key in ("name", "clause"):
        if key in data and not (isinstance(data[key], str) and data[key].strip()):
            problems.append(error(key, "must be a non-empty string"))
    name = data.get("name")
    if isinstance(name, str) and len(name) > NAME_MAX:
        problems.append(error("name", f"is {len(name)} characters long; Superset keeps at "
                                      f"most {NAME_MAX}"))
    if "filter_type" in data and data["filter_type"] not in FILTER_TYPES:
        problems.append(error("filter_type", f"{data['filter_type']!r} is not one of "
                                             f"{', '.join(FILTER_TYPES)}"))
    roles = _strings(data.get("roles", []))
    if roles is None:
        problems.append(error("roles", "must be a list of role names"))
    elif not roles and data.get("filter_type") == "Regular":
        problems.append(error("roles", "a Regular filter without roles applies to nobody: "
                                       "name the roles it restricts"))
    for key in ("group_key", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problems.append(error(key, "must be a string"))
    schema, exclude, uuids = _selection(data.get("datasets"), code, error, problems)
    if problems:
        return None, problems
    return RlsFilter(name=str(name), filter_type=str(data["filter_type"]),
                     clause=str(data["clause"]), source=display, roles=roles or (),
                     group_key=data.get("group_key") or None,
                     description=data.get("description") or None,
                     schema=schema, exclude=exclude, uuids=uuids), []


def _selection(value: Any, code: AssetSet, error: Any, problems: list[Problem]
               ) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    if value is None:
        return None, (), ()
    if not isinstance(value, dict):
        problems.append(error("datasets", "must be a mapping: {schema: NAME, exclude: [...]} "
                                          "or {uuids: [...]}"))
        return None, (), ()
    problems += [error(f"datasets.{k}", f"unknown key (expected one of: "
                                         f"{', '.join(DATASET_KEYS)})")
                 for k in value if k not in DATASET_KEYS]
    schema = value.get("schema")
    has_uuids = "uuids" in value
    if (schema is None) == (not has_uuids):
        problems.append(error("datasets", "give either `schema` (with an optional `exclude`) "
                                          "or `uuids`"))
    if schema is not None and not (isinstance(schema, str) and schema):
        problems.append(error("datasets.schema", "must be a non-empty string"))
    exclude = _strings(value.get("exclude", []))
    if exclude is None:
        problems.append(error("datasets.exclude", "must be a list of table names"))
    elif exclude and has_uuids:
        problems.append(error("datasets.exclude", "goes with `schema`, not with `uuids`"))
    uuids = _strings(value.get("uuids", []))
    if uuids is None or (has_uuids and not uuids):
        problems.append(error("datasets.uuids", "must be a non-empty list of dataset uuids"))
        uuids = ()
    datasets = {a.uuid.lower() for a in code.of_kind("dataset")}
    for index, uuid in enumerate(uuids):
        if uuid.lower() not in datasets:
            problems.append(error(f"datasets.uuids[{index}]",
                                  f"{uuid} is not the uuid of a dataset of the code"))
    return (schema if isinstance(schema, str) else None, exclude or (),
            tuple(u.lower() for u in uuids))


def covered(rls: RlsFilter, datasets: Iterable[DatasetRef], code: AssetSet,
            locales: Iterable[str] = ()) -> tuple[DatasetRef, ...]:
    """The live datasets the filter must cover, in a stable order. `code`: the
    assets with their localized copies, whose uuids tie a copy to its original;
    `locales`: the configured ones, whose copies of an excluded table
    (`<table>_<locale>`) are excluded by name too, in case the run renders only
    some locales."""
    copies_of: dict[str, set[str]] = {}
    for asset in code.of_kind("dataset"):
        copies_of.setdefault(asset.base_uuid, set()).add(asset.uuid)
    if rls.uuids:
        wanted = {u for base in rls.uuids for u in copies_of.get(base, {base})}
        chosen = [d for d in datasets if d.uuid in wanted]
    else:
        excluded = {u for a in code.of_kind("dataset") if a.locale is None
                    and a.body.get("table_name") in rls.exclude
                    for u in copies_of.get(a.uuid, {a.uuid})}
        names = {*rls.exclude, *(f"{t}_{loc}" for t in rls.exclude for loc in locales)}
        chosen = [d for d in datasets if d.schema == rls.schema
                  and d.table_name not in names and d.uuid not in excluded]
    return tuple(sorted(chosen, key=lambda d: (d.label, d.id)))


def desired_form(rls: RlsFilter, tables: Iterable[DatasetRef]) -> dict[str, Any]:
    """What Superset should hold for the filter, in the form `diff` compares."""
    return {"filter_type": rls.filter_type, "roles": sorted(rls.roles),
            "group_key": rls.group_key, "description": rls.description,
            "clause": rls.clause, "tables": sorted(d.label for d in tables)}


def live_form(live: LiveRls, by_id: Mapping[int, DatasetRef]) -> dict[str, Any]:
    """Superset's filter in the same form; a table id that is no dataset any more
    shows as its id."""
    labels = [by_id[i].label if i in by_id else f"dataset id {i}" for i in live.tables]
    return {"filter_type": live.filter_type, "roles": sorted(live.roles),
            "group_key": live.group_key or None, "description": live.description or None,
            "clause": live.clause, "tables": sorted(labels)}


def request_body(rls: RlsFilter, tables: Iterable[DatasetRef],
                 role_ids: Mapping[str, int]) -> dict[str, Any]:
    """The body of POST/PUT /api/v1/rowlevelsecurity/."""
    return {"name": rls.name, "filter_type": rls.filter_type, "clause": rls.clause,
            "group_key": rls.group_key, "description": rls.description,
            "tables": [d.id for d in tables], "roles": [role_ids[r] for r in rls.roles]}


def missing_roles(filters: Iterable[RlsFilter], available: Collection[str]
                  ) -> list[Problem]:
    """A filter naming a role that neither Superset nor the code has: creating it
    would leave the role the author meant unfiltered, so it is an error."""
    return [Problem("error", f.source, f"roles[{i}]",
                    f"role {role!r} exists neither in Superset nor in the code: a filter "
                    "on a misspelt role restricts nobody")
            for f in filters for i, role in enumerate(f.roles) if role not in available]



@dataclass(frozen=True)
class LiveRlsState:
    filters: tuple[LiveRls, ...]
    roles: frozenset[str]  # every role Superset has


def datasets_of(rows: Mapping[str, LiveRow]) -> list[DatasetRef]:
    return [DatasetRef(r.id, r.uuid, r.table_of[2], r.title) for r in rows.values()
            if r.kind == "dataset"]


def _live(item: Mapping[str, Any]) -> LiveRls:
    return LiveRls(id=int(item["id"]), name=str(item["name"]),
                   filter_type=str(item.get("filter_type") or ""),
                   clause=str(item.get("clause") or ""),
                   roles=tuple(str(r["name"]) for r in item.get("roles") or []),
                   tables=tuple(int(t["id"]) for t in item.get("tables") or []),
                   group_key=item.get("group_key"), description=item.get("description"))


class Rls(ObjectKind):
    """Row-level security filters: `assets/row_level_security/*.yaml`, through
    `/api/v1/rowlevelsecurity/`."""

    name = "rls"
    folder = FOLDER

    def parse(self, documents: Sequence[Document], code: AssetSet
              ) -> tuple[tuple[Any, ...], list[Problem]]:
        def one(data: Any, display: str) -> tuple[tuple[RlsFilter, ...], list[Problem]]:
            rls, problems = parse_filter(data, display, code)
            return (() if rls is None else (rls,)), problems

        return parse_each(documents, one, "row-level security filter")

    def read(self, api: SupersetApi, managed: Collection[str]) -> LiveRlsState:
        return LiveRlsState(tuple(_live(item) for item in api.rls_filters()),
                            frozenset(api.roles()))

    def plan(self, specs: Sequence[Any], live: Any, rows: Mapping[str, LiveRow],
             code: AssetSet, managed: Collection[str], locales: Sequence[str],
             options: PlanOptions = DEFAULT_OPTIONS) -> tuple[ObjectChange, ...]:
        state: LiveRlsState = live
        code_roles = {r for d in code.of_kind("dashboard") for r in desired_roles(d) or ()}
        code_roles.update(options.declared_roles)
        problems = missing_roles(specs, state.roles | code_roles)
        if problems:
            raise InputError(problems[0].message, file=problems[0].file, key=problems[0].key)
        datasets = datasets_of(rows)
        by_id = {d.id: d for d in datasets}
        by_name = {f.name: f for f in state.filters}
        out = []
        for rls in specs:
            tables = covered(rls, datasets, code, locales)
            current = by_name.get(rls.name)
            if current is None:
                out.append(ObjectChange(self.name, rls.name, Action.CREATE,
                                        f"  + row-level security filter {rls.name}: new, on "
                                        f"{len(tables)} dataset(s)",
                                        {"tables": [d.label for d in tables]},
                                        (rls, tables, None)))
                continue
            changes = field_changes(live_form(current, by_id), desired_form(rls, tables))
            action = Action.UPDATE if changes else Action.UNCHANGED
            out.append(ObjectChange(
                self.name, rls.name, action, _update_line(rls.name, changes),
                {"changes": [{"path": c.path, "old": c.old, "new": c.new} for c in changes]},
                (rls, tables, current.id)))
        names = {s.name for s in specs}
        out += [ObjectChange(self.name, f.name, Action.DELETE,
                             f"  - row-level security filter {f.name}: made by this project, "
                             "no longer in the code", {}, (None, (), f.id))
                for f in state.filters if f.name in managed and f.name not in names]
        return tuple(out)

    def apply(self, api: SupersetApi, change: ObjectChange) -> None:
        rls, tables, live_id = change.detail
        if change.action == Action.DELETE:
            api.delete_rls(live_id)
            return
        body = request_body(rls, tables, api.roles())
        if live_id is None:
            api.create_rls(body)
        else:
            api.update_rls(live_id, body)

    def state(self, live: Any, rows: Mapping[str, LiveRow], managed: Collection[str]) -> Any:
        state: LiveRlsState = live
        datasets = datasets_of(rows)
        by_id = {d.id: d for d in datasets}
        return {"filters": sorted([f.name, live_form(f, by_id)] for f in state.filters
                                  if f.name in managed),
                "datasets": sorted(d.label for d in datasets)}


def _update_line(name: str, changes: Sequence[FieldChange]) -> str:
    lines = [f"  ~ row-level security filter {name}: changed"]
    lines += [f"      {c.as_text()}" for c in changes]
    return "\n".join(lines)


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    # deepdiff is costly to import: offline commands, which only parse filters, skip it.
    from aspects_assets.core.plan import field_changes as compare

    return compare(old, new)
