"""The offline pipeline, composed: settings → rendered assets → localized copies →
checked asset set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aspects_assets.core.conditional import include_conditions
from aspects_assets.core.i18n.fallbacks import LocaleFallbacks, fallbacks, text_uses
from aspects_assets.core.i18n.localize import label_problems, localize, make_context
from aspects_assets.core.kinds import OBJECT_KINDS
from aspects_assets.core.kinds.objects import parse_layers
from aspects_assets.core.validate import check_private, errors_in, validate
from aspects_assets.model.assets import AssetSet
from aspects_assets.model.errors import InputError, Problem, ValidationFailed
from aspects_assets.project.catalogs import load_catalogs
from aspects_assets.project.extra_strings import strings_problems
from aspects_assets.project.layers import Stacked, attributed
from aspects_assets.project.render import load_assets
from aspects_assets.project.settings import CONFIG_FILE_NAME, Settings, parse_locale_list
from aspects_assets.project.sources import render_folder


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


def check(settings: Settings, locales: Iterable[str] | None = None) -> Checked:
    """Render, localize (one copy per locale), then validate all: all problems at once.

    `locales` narrows the copies to some of the configured locales."""
    chosen = selected_locales(settings, locales)
    loaded = load_assets(settings)
    assets, conditions = include_conditions(loaded.assets, settings.variables)
    problems = [*loaded.problems, *conditions, *strings_problems(settings)]
    problems += check_private(loaded.assets, settings.embedded_dashboards,
                              settings.display(settings.config_file or Path(CONFIG_FILE_NAME)))
    objects = {}
    for kind in OBJECT_KINDS.values():
        rendered = render_folder(settings, kind.folder, kind.patterns)
        objects[kind.name], found = parse_layers(kind, rendered.documents, assets)
        problems += [*rendered.problems, *found]
    falling_back: list[LocaleFallbacks] = []
    if settings.locales:
        context = make_context(assets)
        problems += label_problems(assets, context.labels)
        catalogs = load_catalogs(settings, chosen, problems)
        falling_back = fallbacks(text_uses(assets, context.texts), catalogs, chosen)
        assets = localize(assets, chosen, catalogs, settings, context)
    problems += _without_repeats(validate(assets, settings.superset.version))
    problems = attributed(problems, loaded.stacked)
    # A message may quote a value; a secret in one is never shown.
    return Checked(assets, tuple(p.redacted(settings.secrets) for p in problems),
                   tuple(falling_back), objects, loaded.stacked)


def checked_or_fail(settings: Settings, locales: Iterable[str] | None = None) -> Checked:
    """Like `check`, but an error stops here: nothing is built or sent."""
    result = check(settings, locales)
    if result.errors:
        raise ValidationFailed(list(result.problems))
    return result
