"""The texts that fall back to the source language, as lines for people (pure; the
commands that render assets print them: validate, diff, import)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from aspects_assets.core.i18n.extract import describe
from aspects_assets.core.i18n.fallbacks import FUZZY, UNTRANSLATED, LocaleFallbacks


def fallback_lines(found: Iterable[LocaleFallbacks], source_locale: str, *,
                   verbose: bool) -> Iterator[str]:
    """Per locale, how many texts will show in the source language; with `verbose`
    each of them (by msgid) and the assets that use it. Nothing when none does."""
    found = [f for f in found if f.texts]
    for item in found:
        yield (f"{item.locale}: {len(item.texts)} text(s) will show in {source_locale} "
               f"({item.count(UNTRANSLATED)} untranslated, {item.count(FUZZY)} fuzzy)")
        if verbose:
            for text in item.texts:
                yield f"  {text.reason}: {describe(text.source)!r}"
                for where in text.used_by:
                    yield f"      {where}"
    if found and not verbose:
        yield "(--verbose or `aspects-assets translations status --missing` lists them)"
