"""`translations check`: what a translation must keep from its source text.

Markup tags (by name: attributes such as `dir` or `style` are fine), URLs,
placeholders (`{{ }}`, `%(name)s`, `{name}`), line breaks, leading and trailing
whitespace, and the `do_not_translate` glossary terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from aspects_assets.model.text import shorten
from aspects_assets.project.catalogs import Entry, LocaleCatalog

_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"')\]]+")
_JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)
_PERCENT = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACE = re.compile(r"(?<!\{)\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")


@dataclass(frozen=True)
class Finding:
    locale: str
    file: str
    line: int | None
    source: str
    translation: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{self.locale}: {where}: {self.message}: {shorten(self.source, 60)!r} → " + repr(
            shorten(self.translation, 60)
        )


def _tags(text: str) -> Counter[str]:
    return Counter(f"<{slash}{name.lower()}>" for slash, name in _TAG.findall(text))


def _placeholders(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    for match in _JINJA.finditer(text):
        found["{{" + " ".join(match.group(0)[2:-2].split()) + "}}"] += 1
    rest = _JINJA.sub(" ", text)
    found.update(_PERCENT.findall(rest))
    found.update(_BRACE.findall(rest))
    return found


def _differ(what: str, source: Counter[str], translation: Counter[str]) -> str | None:
    if source == translation:
        return None
    missing = sorted((source - translation).elements())
    extra = sorted((translation - source).elements())
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("added " + ", ".join(extra))
    return f"{what} differ ({'; '.join(parts)})"


def _edge(text: str) -> tuple[str, str]:
    stripped = text.strip()
    if not stripped:
        return text, ""
    start = text.index(stripped)
    return text[:start], text[start + len(stripped) :]


def check_text(source: str, translation: str, glossary: Iterable[str] = ()) -> list[str]:
    """Every problem of one translation, as messages."""
    problems = [
        _differ("markup tags", _tags(source), _tags(translation)),
        _differ("URLs", Counter(_URL.findall(source)), Counter(_URL.findall(translation))),
        _differ("placeholders", _placeholders(source), _placeholders(translation)),
    ]
    if source.count("\n") != translation.count("\n"):
        problems.append(
            f"line breaks differ (source {source.count(chr(10))}, "
            f"translation {translation.count(chr(10))})"
        )
    if _edge(source) != _edge(translation):
        problems.append("leading or trailing whitespace differs")
    for term in glossary:
        if term and term in source and term not in translation:
            problems.append(f"glossary term {term!r} was translated (do_not_translate)")
    return [p for p in problems if p]


def check_catalog(catalog: LocaleCatalog, glossary: Iterable[str] = ()) -> list[Finding]:
    """Problems of the entries in use: the catalog's (not fuzzy) and the overrides."""
    glossary = tuple(glossary)
    entries: list[Entry] = [e for e in catalog.entries.values() if not e.fuzzy]
    entries += list(catalog.overrides.values())
    findings = []
    for entry in entries:
        for message in check_text(entry.source, entry.translation, glossary):
            findings.append(
                Finding(
                    catalog.locale, entry.file, entry.line, entry.source, entry.translation, message
                )
            )
    return findings
