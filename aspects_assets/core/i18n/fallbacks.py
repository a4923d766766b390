"""The texts a locale's copies show in the source language: no translation in
the catalog or the overrides, or only a fuzzy one (catalogs.py has the rule)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aspects_assets.core.i18n.fields import Text
from aspects_assets.model.assets import AssetSet
from aspects_assets.project.catalogs import Catalogs

UNTRANSLATED, FUZZY = "untranslated", "fuzzy"


@dataclass(frozen=True)
class Fallback:
    source: str  # the msgid
    reason: str  # UNTRANSLATED or FUZZY
    used_by: tuple[str, ...]  # "chart 'xAPI Lag' (assets/charts/xAPI_Lag.yaml [slice_name])"

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "reason": self.reason, "used_by": list(self.used_by)}


@dataclass(frozen=True)
class LocaleFallbacks:
    locale: str
    texts: tuple[Fallback, ...]

    def count(self, reason: str) -> int:
        return sum(1 for f in self.texts if f.reason == reason)

    def as_dict(self) -> dict[str, Any]:
        return {"locale": self.locale, "untranslated": self.count(UNTRANSLATED),
                "fuzzy": self.count(FUZZY), "texts": [f.as_dict() for f in self.texts]}


def text_uses(originals: AssetSet, texts: Mapping[str, Sequence[Text]]) -> dict[str, list[str]]:
    """Source text → where the originals use it (`texts`: original uuid → its texts)."""
    uses: dict[str, list[str]] = {}
    by_uuid = {a.uuid: a for a in originals if a.locale is None}
    for uuid, found in texts.items():
        asset = by_uuid.get(uuid)
        if asset is None:
            continue
        for text in found:
            where = f"{asset.kind} {asset.title!r} ({asset.source} [{text.key}])"
            uses.setdefault(text.text, []).append(where)
    return uses


def fallbacks(uses: Mapping[str, Sequence[str]], catalogs: Catalogs,
              locales: Iterable[str]) -> list[LocaleFallbacks]:
    """Per locale, the used texts that will show in the source language, by msgid."""
    out = []
    for locale in locales:
        catalog = catalogs[locale]
        found = []
        for source in sorted(uses):
            if source in catalog.table:
                continue
            entry = catalog.entries.get(source)
            reason = FUZZY if entry is not None and entry.fuzzy else UNTRANSLATED
            found.append(Fallback(source, reason, tuple(uses[source])))
        out.append(LocaleFallbacks(locale, tuple(found)))
    return out
