"""What to pull: the originals named on the command line or in the record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aspects_assets.core.export import ExportedAsset
from aspects_assets.model.errors import InputError
from aspects_assets.model.record import ManagedAsset, ProjectRecord
from aspects_assets.model.snapshot import LiveRow


@dataclass(frozen=True)
class Redirect:
    """A localized copy that was asked for, and the original pulled instead."""

    asked: str
    locale: str
    original: str  # slug or uuid of the original

    def as_dict(self) -> dict[str, str]:
        return {"asked": self.asked, "locale": self.locale, "original": self.original}


@dataclass(frozen=True)
class Targets:
    uuids: tuple[str, ...]  # originals to export (dashboards bring their dependencies)
    redirects: tuple[Redirect, ...] = ()


def copies_of(record: ProjectRecord | None) -> dict[str, ManagedAsset]:
    """uuid → record entry of every localized copy the record knows."""
    if record is None:
        return {}
    return {u: m for u, m in record.managed.items() if m.base_uuid or m.locale}


def dashboard_targets(asked: Iterable[str], rows: Mapping[str, LiveRow],
                      record: ProjectRecord | None, locales: Iterable[str]) -> Targets:
    """The original dashboards named by slug or uuid; a localized copy names its
    original (by the record, else by the `<slug>-<locale>` rule)."""
    dashboards = {u: r for u, r in rows.items() if r.kind == "dashboard"}
    by_slug = {r.title: u for u, r in dashboards.items() if r.title}
    copies = copies_of(record)
    uuids: list[str] = []
    redirects: list[Redirect] = []
    for name in asked:
        uuid = name if name in dashboards else by_slug.get(name)
        if uuid is None:
            raise InputError(f"--dashboard {name}: no dashboard with this slug or uuid in "
                             "Superset")
        original, locale = uuid, None
        if uuid in copies and copies[uuid].base_uuid:
            original, locale = str(copies[uuid].base_uuid), copies[uuid].locale
        else:
            slug = dashboards[uuid].title
            for code in locales:
                if slug.endswith(f"-{code}") and slug[: -len(code) - 1] in by_slug:
                    original, locale = by_slug[slug[: -len(code) - 1]], code
        if locale is not None:
            if original not in dashboards:
                raise InputError(f"--dashboard {name} is the {locale} copy of dashboard "
                                 f"{original}, which is not in Superset: nothing to pull")
            redirects.append(Redirect(name, locale, dashboards[original].title or original))
        if original not in uuids:
            uuids.append(original)
    return Targets(tuple(uuids), tuple(redirects))


def managed_targets(rows: Mapping[str, LiveRow], record: ProjectRecord | None,
                    project: str) -> Targets:
    """Every original the project's record lists and Superset has."""
    if record is None:
        raise InputError(f"this Superset has no record of project {project!r} (written by "
                         "`aspects-assets import`): use --dashboard instead")
    copies = copies_of(record)
    return Targets(tuple(sorted(u for u in record.managed if u in rows and u not in copies)))


def pullable(live: Mapping[str, ExportedAsset], targets: Targets, record: ProjectRecord | None,
             *, dependencies: bool) -> dict[str, ExportedAsset]:
    """The exported assets to write: the targets (and with `dependencies`, what they
    need), never a localized copy."""
    copies = copies_of(record)
    wanted = set(targets.uuids)
    return {u: a for u, a in live.items()
            if u not in copies and (dependencies or u in wanted)}
