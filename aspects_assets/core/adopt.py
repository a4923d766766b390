"""Taking over a Superset that Open edX Aspects' own import filled: what is there,
and what this project should record as its own (pure: live rows and the code's
assets in, a report out).

Such a Superset has the code's uuids but no project record, and three kinds of
damage the tool can repair once it manages those assets:

- collapsed datasets: Aspects copies a physical dataset per locale keeping its
  table name; Superset matches datasets by (database, schema, table_name) too,
  so all copies and the original ended up as one row whose uuid is the copy
  imported last. Our copies of a physical dataset are virtual datasets
  `<table>_<locale>`: the next import recreates them, and the original takes
  the collapsed row back (Superset's import matches it by table name).
- leftovers: copies for locales no longer configured. A copy's uuid is
  `copy_uuid(original, locale)`, so a leftover is recognised by trying the
  locale codes Babel knows (and the configured ones) on the code's originals.
- retired assets: uuids Aspects no longer ships (its `unused_uuids`, the
  settings' `retired_uuids`), and their copies in any locale. Aspects' own import
  deletes them on every run; a Superset filled over several releases holds them.
- assets the code does not know at all: reported, never recorded, never touched.

Recording (a) what the code produces, (b) the collapsed rows, (c) the leftovers
and (d) the retired assets, with empty fingerprints, makes the next `import`
resend every asset and `import --prune` delete the leftovers and retired assets.
"""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from aspects_assets.core.i18n.localize import COPIED_KINDS, is_physical
from aspects_assets.model.assets import KINDS, AssetSet, Kind
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow


@dataclass(frozen=True)
class LiveDataset:
    """What a dataset list row tells beyond LiveRow: where its table is."""

    uuid: str
    database_uuid: str  # "" when the database is not listed
    schema: str
    table_name: str
    physical: bool


@dataclass(frozen=True)
class LiveDetails:
    datasets: Mapping[str, LiveDataset] = field(default_factory=dict)
    chart_dataset: Mapping[str, str] = field(default_factory=dict)  # chart uuid → dataset uuid


@dataclass(frozen=True)
class Found:
    """One live asset, and which of the code's assets it is (if any)."""

    kind: Kind
    uuid: str
    id: int
    title: str
    changed_on: str
    locale: str | None = None  # the copy's locale; None for an original or unknown asset
    base_uuid: str | None = None  # the original's uuid, for a copy

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "uuid": self.uuid, "id": self.id, "title": self.title,
                "locale": self.locale, "base_uuid": self.base_uuid}

    def managed(self) -> ManagedAsset:
        # No fingerprint: the next import sends the code's version of every one.
        return ManagedAsset(kind=self.kind, fingerprint="", changed_on=self.changed_on,
                            locale=self.locale, base_uuid=self.base_uuid if self.locale else None)


@dataclass(frozen=True)
class Collapsed:
    """A live dataset row that stands for a physical dataset of the code and its
    per-locale copies, under the uuid of one copy (`holder_locale`)."""

    row: Found
    table: str  # schema.table_name
    base_uuid: str
    holder_locale: str | None  # None: a uuid no known locale gives
    configured: bool  # the holder's locale is one the code produces

    def as_dict(self) -> dict[str, Any]:
        return {"uuid": self.row.uuid, "id": self.row.id, "table": self.table,
                "original_uuid": self.base_uuid, "uuid_of_locale": self.holder_locale,
                "locale_configured": self.configured}


@dataclass(frozen=True)
class AtRisk:
    """An asset the code does not know that uses a leftover `import --prune` deletes."""

    chart: Found
    dataset: Found

    def as_dict(self) -> dict[str, Any]:
        return {"chart": self.chart.as_dict(), "uses_dataset": self.dataset.as_dict()}


@dataclass
class AdoptReport:
    project: str
    locales: tuple[str, ...]  # configured
    produced: list[Found] = field(default_factory=list)  # (a) uuids the code produces
    collapsed: list[Collapsed] = field(default_factory=list)  # (b)
    leftovers: list[Found] = field(default_factory=list)  # (c) copies, locales not configured
    retired: list[Found] = field(default_factory=list)  # (d) retired uuids and their copies
    unknown: list[Found] = field(default_factory=list)  # (e) left alone
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    at_risk: list[AtRisk] = field(default_factory=list)
    already_managed: int = 0  # with --force: entries the existing record had
    recorded: int = 0  # entries written (or, in a dry run, that would be)

    def to_record(self) -> dict[str, ManagedAsset]:
        """uuid → entry for what this project takes over: (a) to (d)."""
        out = {f.uuid: f.managed() for f in [*self.produced, *self.leftovers, *self.retired]}
        for collapsed in self.collapsed:
            if collapsed.holder_locale is not None:
                out.setdefault(collapsed.row.uuid, collapsed.row.managed())
        return out

    @property
    def leftover_locales(self) -> list[str]:
        return sorted({f.locale for f in self.leftovers if f.locale})

    @property
    def needs_action(self) -> bool:
        return bool(self.recorded or self.collapsed or self.leftovers or self.retired)

    def as_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "locales": list(self.locales),
            "counts": {"produced": _by_kind(self.produced), "collapsed": len(self.collapsed),
                       "leftovers": _by_kind(self.leftovers), "retired": _by_kind(self.retired),
                       "unknown": _by_kind(self.unknown),
                       "missing": dict(self.missing)},
            "collapsed": [c.as_dict() for c in self.collapsed],
            "leftover_locales": self.leftover_locales,
            "leftovers": [f.as_dict() for f in self.leftovers],
            "retired": [f.as_dict() for f in self.retired],
            "unknown": [f.as_dict() for f in self.unknown],
            "at_risk": [r.as_dict() for r in self.at_risk],
            "already_managed": self.already_managed,
            "recorded": self.recorded,
        }


def _by_kind(found: Iterable[Found]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    for item in found:
        counts[item.kind] += 1
    return counts


def normal_locale(code: str) -> str:
    """The form a copy uuid is computed from (Aspects: lower case, `-` → `_`)."""
    return code.lower().replace("-", "_")


@lru_cache(maxsize=1)
def babel_locales() -> tuple[str, ...]:
    """Every locale code Babel knows, plus `language_TERRITORY` for the ones with a
    script (Aspects writes `zh_CN`, Babel `zh_Hans_CN`)."""
    from babel.localedata import locale_identifiers

    out = set()
    for code in locale_identifiers():
        out.add(code)
        parts = code.split("_")
        if len(parts) == 3:
            out.add(f"{parts[0]}_{parts[2]}")
    return tuple(sorted(out))


def copy_uuids(base: str, locales: Iterable[str]) -> dict[str, str]:
    """copy uuid → locale, for one original: the rule of `i18n.localize.copy_uuid`
    (uuid5 of the locale in the namespace uuid5(base, "superset")), spelled out so
    that a thousand locales times a few hundred originals take a fraction of a second."""
    namespace = hashlib.sha1(uuidlib.uuid5(uuidlib.UUID(base), "superset").bytes,
                             usedforsecurity=False)
    out = {}
    for code in locales:
        digest = namespace.copy()
        digest.update(normal_locale(code).encode())
        raw = bytearray(digest.digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw.hex()
        out[f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"] = code
    return out


def _candidates(configured: Collection[str], extra: Iterable[str]) -> list[str]:
    """One spelling per distinct locale: the configured one first, then Babel's."""
    seen: dict[str, str] = {}
    for code in [*configured, *extra]:
        seen.setdefault(normal_locale(code), code)
    return list(seen.values())


def _found(row: LiveRow, locale: str | None = None, base: str | None = None) -> Found:
    return Found(row.kind, row.uuid, row.id, row.title, row.changed_on, locale, base)


def analyze(project: str, rows: Mapping[str, LiveRow], details: LiveDetails,
            assets: AssetSet, locales: Collection[str], *,
            known_locales: Iterable[str] = (), retired: Collection[str] = (),
            record: ProjectRecord | None = None) -> AdoptReport:
    """What Superset holds, seen from the code (`assets`: originals and the copies
    of the configured `locales`). `known_locales` are tried to recognise copies of
    locales no longer configured, and copies of the `retired` uuids in any locale;
    `record` (with --force) is an existing record, whose entries are kept. A
    retired uuid the code produces is the code's."""
    report = AdoptReport(project=project, locales=tuple(locales))
    code = assets.by_uuid()
    originals = [a for a in assets if a.locale is None]
    spelled = [*locales, *sorted({a.locale for a in assets if a.locale})]
    configured = {normal_locale(c) for c in spelled}
    # copy uuid → (original, locale) for every original that gets copies; a
    # configured locale keeps the settings' spelling (fr_CA, not fr_ca) in reports
    copies: dict[str, tuple[str, str]] = {}
    candidates = _candidates(spelled, known_locales)
    for original in originals:
        if original.kind in COPIED_KINDS:
            for copy, code_ in copy_uuids(original.uuid, candidates).items():
                copies[copy] = (original.uuid, code_)
    kind_of = {a.uuid: a.kind for a in originals}
    retired_copies = {r: (r, "") for r in retired}
    for uuid in retired:
        for copy, code_ in copy_uuids(uuid, candidates).items():
            retired_copies.setdefault(copy, (uuid, code_))

    for uuid, row in sorted(rows.items(), key=lambda i: (KINDS.index(i[1].kind), i[1].title)):
        asset = code.get(uuid)
        if asset is not None and asset.kind == row.kind:
            report.produced.append(_found(row, asset.locale,
                                          asset.base_uuid if asset.locale else None))
            continue
        base, locale = copies.get(uuid, ("", ""))
        if base and kind_of.get(base) == row.kind and normal_locale(locale) not in configured:
            report.leftovers.append(_found(row, locale, base))
            continue
        if uuid in retired_copies:
            base, locale = retired_copies[uuid]
            report.retired.append(_found(row, locale or None, base if locale else None))
            continue
        report.unknown.append(_found(row))

    for asset in assets:
        if asset.uuid not in rows:
            report.missing[asset.kind] += 1
    report.collapsed = _collapsed(rows, details, originals, copies, configured)
    holders = {c.row.uuid for c in report.collapsed}
    report.unknown = [f for f in report.unknown if f.uuid not in holders]
    report.at_risk = _at_risk(report, details)

    entries = report.to_record()
    existing = dict(record.managed) if record else {}
    report.already_managed = len(existing)
    report.recorded = len(set(entries) - set(existing))
    return report


def _collapsed(rows: Mapping[str, LiveRow], details: LiveDetails,
               originals: Iterable[Any], copies: Mapping[str, tuple[str, str]],
               configured: Collection[str]) -> list[Collapsed]:
    """Live datasets on the table of a physical dataset of the code whose uuid is
    not the original's."""
    physical = {}
    for original in originals:
        if original.kind == "dataset" and is_physical(original.body):
            key = (str(original.body.get("database_uuid") or ""),
                   str(original.body.get("schema") or ""),
                   str(original.body.get("table_name") or ""))
            physical[key] = original.uuid
    out = []
    for dataset in details.datasets.values():
        key = (dataset.database_uuid, dataset.schema, dataset.table_name)
        base = physical.get(key)
        row = rows.get(dataset.uuid)
        if base is None or row is None or dataset.uuid == base:
            continue
        copy_base, locale = copies.get(dataset.uuid, ("", ""))
        holder = locale if copy_base == base else None
        out.append(Collapsed(
            row=_found(row, holder, base if holder else None),
            table=".".join(p for p in (dataset.schema, dataset.table_name) if p),
            base_uuid=base, holder_locale=holder,
            configured=holder is not None and normal_locale(holder) in configured))
    return sorted(out, key=lambda c: c.table)


def _at_risk(report: AdoptReport, details: LiveDetails) -> list[AtRisk]:
    """Charts the code does not know whose dataset is a leftover or retired (pruned
    later)."""
    doomed = {f.uuid: f for f in [*report.leftovers, *report.retired] if f.kind == "dataset"}
    # A collapsed row is taken back by its original on import, never deleted.
    for collapsed in report.collapsed:
        doomed.pop(collapsed.row.uuid, None)
    charts = {f.uuid: f for f in report.unknown if f.kind == "chart"}
    return [AtRisk(charts[c], doomed[d]) for c, d in sorted(details.chart_dataset.items())
            if c in charts and d in doomed]


def adopted_record(report: AdoptReport, record: ProjectRecord | None) -> ProjectRecord:
    """The record to write: the existing entries (with --force) kept as they are,
    the found ones added without fingerprint; no inputs hash, so the next import
    renders and compares."""
    managed = {**report.to_record(), **(dict(record.managed) if record else {})}
    if record is None:
        return ProjectRecord(project=report.project, managed=managed)
    return ProjectRecord(project=record.project, managed=managed,
                         dashboard_roles=record.dashboard_roles, embedded=record.embedded,
                         inputs_hash="")
