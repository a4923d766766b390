"""Extraction: the source texts → `assets.pot`, merged into each locale's `.po`;
and the import of Aspects' legacy `locale.yaml`.

Compute, then write: every function here returns data (a Catalog, bytes); the
command writes the files.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import generate_po

from aspects_assets.core.i18n.fields import texts
from aspects_assets.core.i18n.localize import label_context
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError, ValidationFailed
from aspects_assets.model.locales import normalize_locale
from aspects_assets.model.text import shorten
from aspects_assets.project.catalogs import (
    TEMPLATE_NAME,
    Entry,
    catalog_path,
    locale_key,
    parse_translation_yaml,
    read_catalog,
)
from aspects_assets.project.extra_strings import load_extra_strings
from aspects_assets.project.files import replace_with
from aspects_assets.project.render import load_assets
from aspects_assets.project.settings import Settings

# A fixed date: the same sources always give the same bytes (no churn in git).
FIXED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
HEADER_COMMENT = (
    "# Translations of the Superset assets of {project}.\n"
    "# Written by `aspects-assets extract-translations`: translate in the .po\n"
    "# files under <locale>/LC_MESSAGES/, never in this template."
)
PO_HEADER_COMMENT = (
    "# {locale} translations of the Superset assets of {project}.\n"
    "# Updated by `aspects-assets extract-translations`; translate the msgstr lines."
)
_FORMAT_FLAGS = ("python-format", "python-brace-format")
_GENERATED_BY = re.compile(r'^"Generated-By: [^"]*"\n', re.MULTILINE)


@dataclass(frozen=True)
class SourceText:
    """One occurrence of a source text: where it is and what it is."""

    text: str
    location: str  # file#key.path
    comment: str


def _location(file: str, key: str) -> str:
    # Babel drops a `#:` reference whose part after the last ':' is not a line number.
    return f"{file}#{key}".replace(":", "_").replace(" ", "_")


def asset_texts(originals: AssetSet) -> list[SourceText]:
    """Every translatable text of the originals, from the field registry."""
    plans = label_context(originals)
    out = []
    for asset in originals:
        if asset.locale is not None:
            continue
        for text in texts(asset.kind, asset.body, asset.title, plans.get(asset.uuid)):
            out.append(SourceText(text.text, _location(asset.source, text.key), text.what))
    return out


def extra_string_texts(settings: Settings) -> list[SourceText]:
    """Data values that dashboards translate at query time (`extra_strings`)."""
    return [
        SourceText(value, _location(file.display, f"{name}[{i}]"),
                   f"data value of {name} (translated at query time)")
        for file in load_extra_strings(settings)
        for name, values in file.columns.items()
        for i, value in enumerate(values)
        if value.strip()
    ]


def source_texts(settings: Settings) -> list[SourceText]:
    """All source texts of the project; assets that cannot be rendered stop it."""
    loaded = load_assets(settings)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        raise ValidationFailed(errors)
    return asset_texts(loaded.assets) + extra_string_texts(settings)


def _new_catalog(project: str, locale: str | None) -> Catalog:
    catalog = Catalog(
        locale=locale,
        domain="assets",
        project=project,
        version="1",
        header_comment=(HEADER_COMMENT if locale is None else PO_HEADER_COMMENT).format(
            project=project, locale=locale
        ),
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        fuzzy=False,
    )
    if locale is not None:
        catalog.last_translator = ""  # msgfmt warns about Babel's placeholder
    return catalog


def template(project: str, found: Iterable[SourceText]) -> Catalog:
    """The `.pot` catalog: one message per distinct source text."""
    catalog = _new_catalog(project, None)
    for item in found:
        message = catalog.get(item.text)
        if message is None:
            catalog.add(item.text, locations=[(item.location, 0)], auto_comments=[item.comment])
            continue
        if (item.location, 0) not in message.locations:
            message.locations.append((item.location, 0))
        if item.comment not in message.auto_comments:
            message.auto_comments.append(item.comment)
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    """A catalog as `.po`/`.pot` bytes: sorted by msgid, no format flags (these
    are not format strings), no Babel version line (no churn on upgrades)."""
    for message in [*catalog, *catalog.obsolete.values()]:
        for flag in _FORMAT_FLAGS:
            message.flags.discard(flag)
    text = "".join(generate_po(catalog, sort_by="message", width=76))
    return _GENERATED_BY.sub("", text, count=1).encode("utf-8")


def merge(
    template_catalog: Catalog, existing: Catalog | None, locale: str, project: str
) -> Catalog:
    """Babel's update: new texts added, removed ones obsolete, changed ones fuzzy."""
    catalog = existing if existing is not None else _new_catalog(project, locale)
    # Babel's update adds the template's own Message objects: give it a copy, so
    # that filling in one catalog never writes into the template or another catalog.
    catalog.update(copy.deepcopy(template_catalog), update_creation_date=True)
    return catalog


def read_existing(path: Path, settings: Settings, locale: str) -> Catalog | None:
    if not path.is_file():
        return None
    return read_catalog(path, settings.display(path), locale)


@dataclass(frozen=True)
class Planned:
    """The files `extract-translations` would write: path → bytes."""

    files: Mapping[Path, bytes]

    def stale(self) -> list[Path]:
        """Files whose content on disk differs (or that are missing)."""
        return [
            path
            for path, data in sorted(self.files.items())
            if not path.is_file() or path.read_bytes() != data
        ]

    def write(self) -> list[Path]:
        written = []
        for path in self.stale():
            # each file whole or not at all: a translator's .po is never left cut short
            replace_with(path, functools.partial(Path.write_bytes, data=self.files[path]),
                         folder=False, key=None)
            written.append(path)
        return written


def plan_extraction(settings: Settings, *, pot_only: bool = False) -> Planned:
    pot = template(settings.project, source_texts(settings))
    files = {settings.translations_dir / TEMPLATE_NAME: po_bytes(pot)}
    if not pot_only:
        for locale in settings.locales:
            path = catalog_path(settings.translations_dir, locale)
            catalog = merge(pot, read_existing(path, settings, locale), locale, settings.project)
            files[path] = po_bytes(catalog)
    return Planned(files)


# --- legacy Aspects locale.yaml -------------------------------------------------------


@dataclass
class LegacyResult:
    """What the import did for one locale."""

    locale: str
    imported: int = 0
    unmatched: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LegacyImport:
    files: Mapping[Path, bytes]
    results: tuple[LegacyResult, ...]
    not_configured: Mapping[str, int]  # locale in the file but not in settings → strings


def _locale_from_path(path: Path) -> str | None:
    for part in reversed(path.parent.parts):
        try:
            code = normalize_locale(part)
        except ValueError:
            continue
        if code != "en" and len(part) >= 2:
            return code
    return None


def read_legacy(path: Path, display: str, as_locale: str | None = None) -> dict[str, list[Entry]]:
    """An Aspects `locale.yaml` (Tutor patch line, `'': ''` entries and `{{ }}`
    keys as they are) → locale → entries. Documents keyed `en:` (as the Open
    edX translations repository writes them) belong to `as_locale`, or to the
    locale named by a folder of the path."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=display) from exc
    documents = parse_translation_yaml(text, display)
    keys = {key for key, _ in documents}
    en_locale = as_locale or (_locale_from_path(path) if keys == {"en"} else None)
    out: dict[str, list[Entry]] = {}
    for key, entries in documents:
        code = locale_key(key, display)
        if code == "en" and en_locale:
            code = en_locale
        out.setdefault(code, []).extend(entries)
    return out


def import_legacy(settings: Settings, path: Path, *, as_locale: str | None = None) -> LegacyImport:
    """`.po` catalogs for the configured locales from a legacy file: entries
    that match a current source text are imported (replacing what the catalog
    had), the others reported."""
    legacy = read_legacy(path, settings.display(path), as_locale)
    pot = template(settings.project, source_texts(settings))
    files: dict[Path, bytes] = {settings.translations_dir / TEMPLATE_NAME: po_bytes(pot)}
    results = []
    for locale in settings.locales:
        target = catalog_path(settings.translations_dir, locale)
        catalog = merge(pot, read_existing(target, settings, locale), locale, settings.project)
        result = LegacyResult(locale)
        latest: dict[str, str] = {}
        for entry in legacy.get(locale, []):
            latest[entry.source] = entry.translation  # later documents win
        for source, translation in latest.items():
            message = catalog.get(source)
            if message is None or not translation:
                if message is None:
                    result.unmatched.append(source)
                continue
            message.string = translation
            message.flags.discard("fuzzy")
            result.imported += 1
        files[target] = po_bytes(catalog)
        results.append(result)
    not_configured = {
        code: len(entries) for code, entries in legacy.items() if code not in settings.locales
    }
    return LegacyImport(files, tuple(results), not_configured)


def describe(value: Any) -> str:
    text = str(value).replace("\n", "\\n")
    return shorten(text, 70)
