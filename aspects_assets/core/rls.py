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

from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import Problem

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


def check_unique(filters: Sequence[RlsFilter]) -> list[Problem]:
    """Superset keys a filter by its name here: two files may not declare one."""
    seen: dict[str, str] = {}
    problems = []
    for f in filters:
        if f.name in seen:
            problems.append(Problem("error", f.source, "name",
                                    f"{f.name!r} is also the name of the filter in {seen[f.name]}"))
        seen.setdefault(f.name, f.source)
    return problems


def covered(rls: RlsFilter, datasets: Iterable[DatasetRef], code: AssetSet
            ) -> tuple[DatasetRef, ...]:
    """The live datasets the filter must cover, in a stable order. `code`: the
    assets with their localized copies, whose uuids tie a copy to its original."""
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
        chosen = [d for d in datasets if d.schema == rls.schema
                  and d.table_name not in rls.exclude and d.uuid not in excluded]
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
class RlsChange:
    """What a run does to one filter: `action` as for assets (create, update,
    unchanged, delete), the field changes behind an update, and for create and
    update the datasets it must cover."""

    name: str
    action: str
    source: str = ""
    live_id: int | None = None
    changes: tuple[Any, ...] = ()
    tables: tuple[DatasetRef, ...] = ()
    rls: RlsFilter | None = None


def plan_rls(filters: Sequence[RlsFilter], live: Sequence[LiveRls],
             datasets: Sequence[DatasetRef], code: AssetSet, managed: Collection[str]
             ) -> tuple[RlsChange, ...]:
    """The code's filters against Superset's, matched by name. A filter the
    project created before (`managed`) that the code no longer has is deleted;
    any other filter of Superset is left alone."""
    # deepdiff is costly to import: offline commands, which only parse filters, skip it.
    from aspects_assets.core.plan import field_changes

    by_name = {f.name: f for f in live}
    by_id = {d.id: d for d in datasets}
    out = []
    for rls in filters:
        tables = covered(rls, datasets, code)
        current = by_name.get(rls.name)
        if current is None:
            out.append(RlsChange(rls.name, "create", rls.source, tables=tables, rls=rls))
            continue
        changes = field_changes(live_form(current, by_id), desired_form(rls, tables))
        out.append(RlsChange(rls.name, "update" if changes else "unchanged", rls.source,
                             current.id, changes, tables, rls))
    names = {f.name for f in filters}
    out += [RlsChange(f.name, "delete", live_id=f.id) for f in live
            if f.name in managed and f.name not in names]
    return tuple(out)
