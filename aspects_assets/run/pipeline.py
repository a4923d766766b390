"""The offline pipeline, composed: settings → rendered assets → localized copies →
checked asset set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aspects_assets.core.bundle import fingerprint, managed_fields
from aspects_assets.core.conditional import include_conditions
from aspects_assets.core.i18n.fallbacks import LocaleFallbacks, fallbacks, text_uses
from aspects_assets.core.i18n.localize import (
    label_problems,
    locale_copies,
    make_context,
    with_original_roles,
)
from aspects_assets.core.kinds import OBJECT_KINDS
from aspects_assets.core.kinds.objects import parse_layers
from aspects_assets.core.validate import across_assets, check_private, each_asset, errors_in
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import InputError, Problem, ValidationFailed
from aspects_assets.project.catalogs import Catalogs, catalog_sources, load_locale_catalog
from aspects_assets.project.extra_strings import strings_problems
from aspects_assets.project.inputs import render_keys
from aspects_assets.project.layers import Stacked, attributed
from aspects_assets.project.render import Loaded, load_assets
from aspects_assets.project.settings import CONFIG_FILE_NAME, Settings, parse_locale_list
from aspects_assets.project.sources import render_folder
from aspects_assets.run import render_cache
from aspects_assets.run.render_cache import LocalePart, RenderedFiles, cache_dir


@dataclass(frozen=True)
class Checked:
    """The asset set a run works on, and every problem found on the way."""

    assets: AssetSet
    problems: tuple[Problem, ...]
    # Per locale, the texts its copies show in the source language.
    fallbacks: tuple[LocaleFallbacks, ...] = ()
    # Object kind (`core.kinds.OBJECT_KINDS`) → what the code declares of it.
    objects: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    # How the asset layers made each original (`validate --layers`).
    stacked: tuple[Stacked, ...] = ()
    # uuid → fingerprint (`core.bundle.fingerprint`) of the copies, where the render
    # cache was used (`check(cache=True)`).
    fingerprints: Mapping[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def selected_locales(settings: Settings, locales: Iterable[str] | None) -> tuple[str, ...]:
    """The configured locales, or the ones asked for (`--locale`), which must be among them."""
    if locales is None:
        return settings.locales

    wanted = parse_locale_list(",".join(locales), source="--locale")
    unknown = [code for code in wanted if code not in settings.locales]
    if unknown:
        configured = ", ".join(settings.locales) or "none"
        raise InputError(
            f"locale {unknown[0]} is not in the settings' locales (configured: {configured})",
            file="--locale",
        )
    return wanted


def _without_repeats(problems: list[Problem]) -> list[Problem]:
    """A problem of a localized copy that its original has too is said once."""
    seen = {(p.severity, p.file, p.key, p.message) for p in problems}
    out = []
    for problem in problems:
        base, marker, _ = problem.message.rpartition(" (in the ")
        if marker and (problem.severity, problem.file, problem.key, base) in seen:
            continue
        out.append(problem)
    return out


def check(settings: Settings, locales: Iterable[str] | None = None, *,
          cache: bool = False) -> Checked:
    """Render, localize (one copy per locale), then validate all: all problems at once.

    `locales` narrows the copies to some of the configured locales. With `cache`,
    a locale whose copies the render cache has (`run.render_cache`: same originals,
    same catalog, same code) is not localized or validated again, and the copies
    made anew are kept there with their fingerprints (`Checked.fingerprints`)."""
    chosen = selected_locales(settings, locales)
    base, keys = render_keys(settings, chosen) if cache and cache_dir() else ("", {})
    loaded = load_originals(settings, base)
    assets, conditions = include_conditions(loaded.assets, settings.variables)
    problems = [*loaded.problems, *conditions, *strings_problems(settings)]
    problems += check_private(loaded.assets, settings.embedded_dashboards,
                              settings.display(settings.config_file or Path(CONFIG_FILE_NAME)))
    objects = {}
    for kind in OBJECT_KINDS.values():
        rendered = render_folder(settings, kind.folder, kind.patterns)
        objects[kind.name], found = parse_layers(kind, rendered.documents, assets)
        problems += [*rendered.problems, *found]
    parts: dict[str, LocalePart] = {}
    if settings.locales:
        parts = locale_parts(assets, settings, chosen, problems, keys)
        assets = AssetSet.of([*with_original_roles(assets, settings),
                              *(a for part in parts.values() for a in part.copies)])
    known = {u: found for part in parts.values() for u, found in part.asset_problems.items()}
    each = each_asset(assets, settings.superset.version, known)
    problems += _without_repeats([p for _, found in each for p in found] + across_assets(assets))
    if cache:
        parts = keep_new_parts(parts, each, settings)
    problems = attributed(problems, loaded.stacked)
    # A message may quote a value; a secret in one is never shown.
    return Checked(assets, tuple(p.redacted(settings.secrets) for p in problems),
                   tuple(part.fallbacks for part in parts.values()), objects, loaded.stacked,
                   {u: fp for part in parts.values() for u, fp in part.fingerprints.items()})


def load_originals(settings: Settings, key: str) -> Loaded:
    """The originals rendered; with the render cache's `key` (`project.inputs.
    render_keys`), the files it kept of the same inputs are taken as they are
    (`Loaded.reusable`), and kept when some were rendered anew."""
    kept = render_cache.load(f"{key}-originals", RenderedFiles) if key else None
    loaded = load_assets(settings, kept.files if kept else None)
    if key and (kept is None or loaded.reusable.keys() != kept.files.keys()):
        render_cache.store(f"{key}-originals", RenderedFiles(loaded.reusable))
    return loaded


def locale_parts(originals: AssetSet, settings: Settings, chosen: Iterable[str],
                 problems: list[Problem], keys: Mapping[str, str]) -> dict[str, LocalePart]:
    """Each chosen locale's copies, fallbacks and catalog problems (added to
    `problems` in the locales' order): from the render cache where it has them
    (`keys`: locale → its key there; empty without the cache), else made (a part
    made anew has its key and no fingerprints yet: validated, it is kept by
    `keep_new_parts`)."""
    context = make_context(originals)
    problems += label_problems(originals, context.labels)
    sources = catalog_sources(settings, problems)
    uses = text_uses(originals, context.texts)
    parts = {}
    for locale in chosen:
        part = render_cache.load(keys[locale], LocalePart) if keys else None
        if part is None:
            found: list[Problem] = []
            catalog = load_locale_catalog(settings, locale, sources, found)
            part = LocalePart(
                copies=tuple(locale_copies(originals, locale, catalog, settings, context)),
                fingerprints={}, catalog_problems=tuple(found),
                fallbacks=fallbacks(uses, Catalogs({locale: catalog}), [locale])[0],
                asset_problems={}, key=keys.get(locale, ""))
        problems += part.catalog_problems
        parts[locale] = part
    return parts


def keep_new_parts(parts: Mapping[str, LocalePart],
                   each: Iterable[tuple[Asset, list[Problem]]], settings: Settings
                   ) -> dict[str, LocalePart]:
    """The parts, those made anew and without errors with their copies' fingerprints
    and problems (secrets masked, as they are shown), and so put into the render
    cache."""
    new = {locale for locale, part in parts.items() if part.key and not part.fingerprints}
    found = {asset.uuid: found for asset, found in each if asset.locale in new}
    extra = managed_fields(settings.lock_in_ui)
    out = dict(parts)
    for locale in new:
        part = parts[locale]
        own = {a.uuid: tuple(p.redacted(settings.secrets) for p in found.get(a.uuid, ()))
               for a in part.copies}
        if errors_in([*part.catalog_problems, *(p for ps in own.values() for p in ps)]):
            continue
        out[locale] = replace(
            part, fingerprints={a.uuid: fingerprint(a, extra) for a in part.copies},
            catalog_problems=tuple(p.redacted(settings.secrets) for p in part.catalog_problems),
            asset_problems=own)
        render_cache.store(part.key, out[locale])
    return out


def checked_or_fail(settings: Settings, locales: Iterable[str] | None = None, *,
                    cache: bool = False) -> Checked:
    """Like `check`, but an error stops here: nothing is built or sent."""
    result = check(settings, locales, cache=cache)
    if result.errors:
        raise ValidationFailed(list(result.problems))
    return result
