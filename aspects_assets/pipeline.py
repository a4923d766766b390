"""The offline pipeline, composed: settings → rendered assets → checked asset set."""

from __future__ import annotations

from dataclasses import dataclass

from aspects_assets.assets import AssetSet
from aspects_assets.errors import Problem, ValidationFailed
from aspects_assets.render import load_assets
from aspects_assets.settings import Settings
from aspects_assets.validate import errors_in, validate


@dataclass(frozen=True)
class Checked:
    """The asset set a run works on, and every problem found on the way."""

    assets: AssetSet
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def check(settings: Settings) -> Checked:
    """Render, then validate: all problems at once."""
    loaded = load_assets(settings)
    problems = list(loaded.problems)
    problems += validate(loaded.assets, settings.superset.version)
    return Checked(loaded.assets, tuple(problems))


def checked_or_fail(settings: Settings) -> Checked:
    """Like `check`, but an error stops here: nothing is built or sent."""
    result = check(settings)
    if result.errors:
        raise ValidationFailed(list(result.problems))
    return result
