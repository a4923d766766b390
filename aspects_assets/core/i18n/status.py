"""Coverage of each locale's translations against the current source texts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aspects_assets.project.catalogs import Entry, LocaleCatalog


@dataclass(frozen=True)
class LocaleStatus:
    locale: str
    catalog: str | None
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    unused_overrides: tuple[Entry, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "locale": self.locale,
            "catalog": self.catalog,
            "total": self.total,
            "translated": self.translated,
            "fuzzy": self.fuzzy,
            "untranslated": self.untranslated,
            "percent": round(self.percent, 1),
            "unused_overrides": [
                {"source": e.source, "file": e.file, "line": e.line} for e in self.unused_overrides
            ],
        }


def locale_status(catalog: LocaleCatalog, sources: Iterable[str]) -> LocaleStatus:
    """Translated (catalog or override), fuzzy (only a fuzzy entry), untranslated."""
    wanted = sorted(set(sources))
    translated = fuzzy = 0
    for source in wanted:
        if source in catalog.table:
            translated += 1
        elif source in catalog.entries and catalog.entries[source].fuzzy:
            fuzzy += 1
    known = set(wanted)
    unused = tuple(e for s, e in sorted(catalog.overrides.items()) if s not in known)
    return LocaleStatus(
        catalog.locale,
        catalog.file,
        len(wanted),
        translated,
        fuzzy,
        len(wanted) - translated - fuzzy,
        unused,
    )
