"""Catalogs: `.po` files read with Babel, overrides from YAML, and the fallback rule.

The translation of a source text in a locale is, in this order: an override
(`extra_translations`, later files and documents win), the catalog's msgstr
(unless fuzzy or empty), the source text itself.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, PoFileParser

from aspects_assets.model.errors import InputError, Problem, yaml_error
from aspects_assets.model.locales import normalize_locale
from aspects_assets.model.text import control_character
from aspects_assets.project.settings import Settings

DOMAIN = "assets"
TEMPLATE_NAME = f"{DOMAIN}.pot"
# The last line of Aspects' locale.yaml: a Tutor template placeholder.
_TUTOR_PATCH = re.compile(r"^\s*\{\{-?\s*patch\(.*\)\s*-?\}\}\s*$")


def catalog_path(translations_dir: Path, locale: str) -> Path:
    return translations_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass(frozen=True)
class Entry:
    """One translation and where it was written."""

    source: str
    translation: str
    file: str
    line: int | None
    fuzzy: bool = False


def read_catalog(path: Path, display: str, locale: str | None = None) -> Catalog:
    """A `.po` file as a Babel Catalog; a syntax error is an InputError with file:line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=display) from exc
    _check_quotes(data, display)
    catalog = Catalog(locale=locale, domain=DOMAIN)
    try:
        _CheckingParser(catalog, display).parse(io.BytesIO(data))
    except PoFileError as exc:
        # Babel counts lines from 0 and says "on <n>"
        message = re.sub(r" on \d+$", "", str(exc))
        raise InputError(f"invalid .po file: {message}", file=display, line=exc.lineno + 1) from exc
    except (ValueError, UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"invalid .po file: {exc}", file=display) from exc
    _check_strings(catalog, display)
    return catalog


class _CheckingParser(PoFileParser):
    """Babel's parser, refusing a message written twice (Babel keeps the first
    translation and drops the other in silence). Reads the parser's state of the
    message being added, as Babel's own `_add_message` does."""

    def __init__(self, catalog: Catalog, display: str) -> None:
        super().__init__(catalog, ignore_obsolete=False, abort_invalid=True)
        self.display = display
        self.seen: dict[tuple[str, str | None], int] = {}

    def _add_message(self) -> None:
        if not self.obsolete and self.messages:
            msgid = self.messages[0].denormalize()
            context = self.context.denormalize() if self.context else None
            line = self.offset + 1
            if (msgid, context) in self.seen and msgid:
                raise InputError(f"msgid {msgid!r} is written twice (first at line "
                                 f"{self.seen[msgid, context]})", file=self.display, line=line)
            self.seen[msgid, context] = line
        super()._add_message()


def _check_strings(catalog: Catalog, display: str) -> None:
    """No control character in a msgstr: it would reach the bundle (an asset file
    with the same byte is refused)."""
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        for string in strings:
            shown = control_character(string or "")
            if shown:
                raise InputError(f"control character {shown} in the translation of "
                                 f"{message.id!r}", file=display, line=message.lineno)


_STRING_LINE = re.compile(r'^\s*(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"')
_CLOSED = re.compile(r'(?<!\\)(?:\\\\)*"\s*$')


def _check_quotes(data: bytes, display: str) -> None:
    """A string that does not end with a quote (Babel would read it silently short)."""
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        end = line.rstrip()
        if (
            not end
            or end[0] == "#"
            or (end[-1] == '"' and end[-2:-1] != "\\" and end.count('"') > 1)
        ):
            continue  # the common case, decided without a regular expression
        match = _STRING_LINE.match(line)
        if match and not _CLOSED.search(line[match.end() :]):
            raise InputError(
                "invalid .po file: a string is not closed by a quote", file=display, line=number
            )


def catalog_entries(catalog: Catalog, display: str) -> list[Entry]:
    """The entries of a catalog that carry a translation (fuzzy ones flagged)."""
    out = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or message.context:
            continue  # the extraction writes no msgctxt: such an entry is never ours
        string = message.string if isinstance(message.string, str) else ""
        if string:
            out.append(Entry(message.id, string, display, message.lineno, message.fuzzy))
    return out


def catalog_folders(settings: Settings) -> dict[str, Path]:
    """locale → catalog file of every catalog folder under `translations_dir`.

    A folder whose name is not a locale in its normal form is an error."""
    folders: dict[str, Path] = {}
    root = settings.translations_dir
    if not root.is_dir():
        return folders
    try:
        listing = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError as exc:
        raise InputError(f"cannot read this folder: {exc.strerror or exc}",
                         file=settings.display(root)) from exc
    for folder in listing:
        shown = settings.display(folder)
        try:
            code = normalize_locale(folder.name)
        except ValueError as exc:
            raise InputError(
                f"catalog folder {folder.name!r} is not named after a locale ({exc})", file=shown
            ) from exc
        if code != folder.name:
            raise InputError(
                f"catalog folder {folder.name!r}: write the locale as {code!r}", file=shown
            )
        folders[code] = catalog_path(root, code)
    return folders


def strip_tutor_patch(text: str) -> str:
    """Drop Tutor patch placeholder lines (`{{ patch('...') }}`) from a YAML text."""
    return "".join(line for line in text.splitlines(keepends=True) if not _TUTOR_PATCH.match(line))


def _scalar(node: yaml.Node, display: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise InputError(
            f"{what} must be a text, not a {type(node).__name__.removesuffix('Node').lower()}",
            file=display,
            line=node.start_mark.line + 1,
        )
    return str(node.value)


def _no_repeats(mapping: yaml.MappingNode, display: str, what: str) -> None:
    """A key written twice in one mapping (YAML would keep the last in silence)."""
    seen: dict[str, int] = {}
    for key, _ in mapping.value:
        if isinstance(key, yaml.ScalarNode):
            line = key.start_mark.line + 1
            if key.value in seen:
                raise InputError(f"the {what} {key.value!r} is written twice (first at line "
                                 f"{seen[key.value]})", file=display, line=line)
            seen[key.value] = line


def parse_translation_yaml(text: str, display: str) -> list[tuple[str, list[Entry]]]:
    """`{locale: {source: translation}}` documents → [(locale key as written, entries)].

    Empty source keys (`'': ''`) are skipped; `{{ }}` in keys is kept as text.
    """
    try:
        documents = list(yaml.compose_all(strip_tutor_patch(text), Loader=yaml.CSafeLoader))
    except yaml.YAMLError as exc:
        raise yaml_error(exc, display) from exc
    out: list[tuple[str, list[Entry]]] = []
    for document in documents:
        if document is None:
            continue
        if not isinstance(document, yaml.MappingNode):
            raise InputError(
                "must be a mapping {locale: {source text: translation}}",
                file=display,
                line=document.start_mark.line + 1,
            )
        _no_repeats(document, display, "locale")
        for locale_node, strings_node in document.value:
            locale_key = _scalar(locale_node, display, "a locale key")
            if isinstance(strings_node, yaml.ScalarNode) and strings_node.tag.endswith(":null"):
                out.append((locale_key, []))
                continue
            if not isinstance(strings_node, yaml.MappingNode):
                raise InputError(
                    f"locale {locale_key!r} must map source texts to translations",
                    file=display,
                    line=strings_node.start_mark.line + 1,
                )
            entries = []
            _no_repeats(strings_node, display, "source text")
            for source_node, target_node in strings_node.value:
                source = _scalar(source_node, display, "a source text")
                if isinstance(target_node, yaml.ScalarNode) and target_node.tag.endswith(":null"):
                    continue
                target = _scalar(target_node, display, f"the translation of {source!r}")
                if shown := control_character(target):
                    raise InputError(f"control character {shown} in the translation of "
                                     f"{source!r}", file=display,
                                     line=target_node.start_mark.line + 1)
                if source:
                    entries.append(Entry(source, target, display, source_node.start_mark.line + 1))
            out.append((locale_key, entries))
    return out


def locale_key(key: str, display: str) -> str:
    try:
        return normalize_locale(key)
    except ValueError as exc:
        raise InputError(f"{exc} (a top-level key must be a locale)", file=display) from exc


def load_overrides(paths: Iterable[Path], settings: Settings) -> dict[str, dict[str, Entry]]:
    """locale → source text → override; later files and documents win."""
    out: dict[str, dict[str, Entry]] = {}
    for path in paths:
        display = settings.display(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read overrides: {exc}", file=display) from exc
        for key, entries in parse_translation_yaml(text, display):
            strings = out.setdefault(locale_key(key, display), {})
            for entry in entries:
                if entry.translation:
                    strings[entry.source] = entry
    return out


@dataclass(frozen=True)
class LocaleCatalog:
    """What one locale's copies are translated with."""

    locale: str
    file: str | None  # the .po file shown to the user, if there is one
    entries: Mapping[str, Entry] = field(default_factory=dict)  # from the .po, fuzzy included
    overrides: Mapping[str, Entry] = field(default_factory=dict)
    table: Mapping[str, str] = field(default_factory=dict)  # effective: source → translation

    def translate(self, text: str) -> str:
        return self.table.get(text) or text


def locale_catalog(
    locale: str,
    catalog: Catalog | None,
    file: str | None,
    overrides: Mapping[str, Entry],
) -> LocaleCatalog:
    entries = {e.source: e for e in catalog_entries(catalog, file or "")} if catalog else {}
    table = {source: e.translation for source, e in entries.items() if not e.fuzzy}
    table.update({source: e.translation for source, e in overrides.items()})
    return LocaleCatalog(locale, file, entries, dict(overrides), table)


@dataclass(frozen=True)
class Catalogs:
    by_locale: Mapping[str, LocaleCatalog]

    def __getitem__(self, locale: str) -> LocaleCatalog:
        return self.by_locale.get(locale) or LocaleCatalog(locale, None)


@dataclass(frozen=True)
class CatalogSources:
    """Where each locale's catalog is, and the overrides of every locale."""

    folders: Mapping[str, Path]
    overrides: Mapping[str, Mapping[str, Entry]]


def _reporter(problems: list[Problem] | None) -> Callable[[InputError], None]:
    def fail(exc: InputError) -> None:
        if problems is None:
            raise exc
        problems.append(exc.as_problem())

    return fail


def catalog_sources(settings: Settings, problems: list[Problem] | None = None
                    ) -> CatalogSources:
    """The catalog folders and the overrides (see `load_catalogs` for `problems`)."""
    fail = _reporter(problems)
    try:
        folders = catalog_folders(settings)
    except InputError as exc:
        fail(exc)
        folders = {}
    try:
        overrides = load_overrides(settings.extra_translations, settings)
    except InputError as exc:
        fail(exc)
        overrides = {}
    return CatalogSources(folders, overrides)


def load_locale_catalog(settings: Settings, locale: str, sources: CatalogSources,
                        problems: list[Problem] | None = None) -> LocaleCatalog:
    """One locale's catalog and overrides (see `load_catalogs` for `problems`)."""
    path = sources.folders.get(locale)
    catalog = None
    display = settings.display(path) if path else None
    if path and os.path.lexists(path) and display:
        try:
            catalog = read_catalog(path, display, locale)
        except InputError as exc:
            _reporter(problems)(exc)
    return locale_catalog(locale, catalog, display, sources.overrides.get(locale, {}))


def load_catalogs(
    settings: Settings,
    locales: Iterable[str],
    problems: list[Problem] | None = None,
) -> Catalogs:
    """Catalogs and overrides of `locales`. With `problems`, a bad catalog is
    reported there (and its locale falls back to the source texts); without,
    it raises InputError."""
    sources = catalog_sources(settings, problems)
    return Catalogs({locale: load_locale_catalog(settings, locale, sources, problems)
                     for locale in locales})

