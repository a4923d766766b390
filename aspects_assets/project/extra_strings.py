"""`extra_strings`: the data values that dashboards translate at query time.

Files like Aspects' `datasets_strings.yaml`: a mapping of name → list of values,
where the name is the column that a dataset or chart passes to Superset's
`translate_column('name')` macro and the values are what that column holds.
The values are extracted into the catalogs like any text (`core/i18n/extract`)
and handed to Superset with their translations (`core/i18n/query_time`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import yaml

from aspects_assets.model.errors import InputError, Problem
from aspects_assets.project import strict_yaml
from aspects_assets.project.files import read_text
from aspects_assets.project.settings import Settings


@dataclass(frozen=True)
class StringsFile:
    """One `extra_strings` file: name → values as written (numbers as text)."""

    display: str
    columns: Mapping[str, tuple[str, ...]]


def read_strings_file(text: str, display: str) -> StringsFile:
    try:
        data = strict_yaml.load(text)
    except yaml.YAMLError as exc:
        raise strict_yaml.input_error(exc, display) from exc
    if data is None:
        return StringsFile(display, {})
    if not isinstance(data, dict):
        raise InputError("must be a mapping of name → list of strings", file=display)
    columns: dict[str, tuple[str, ...]] = {}
    for name, values in data.items():
        if not isinstance(values, list):
            raise InputError("must be a list of strings", file=display, key=str(name))
        for i, value in enumerate(values):
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise InputError("must be a string", file=display, key=f"{name}[{i}]")
        columns[str(name)] = tuple(str(value) for value in values)
    return StringsFile(display, columns)


def load_extra_strings(settings: Settings) -> list[StringsFile]:
    """The settings' `extra_strings` files, in order."""
    out = []
    for path in settings.extra_strings:
        display = settings.display(path)
        out.append(read_strings_file(read_text(path, display), display))
    return out


def strings_problems(settings: Settings) -> list[Problem]:
    """Each `extra_strings` file that cannot be read, as a problem of validation:
    a bad file stops an import before anything is sent, not in its last step."""
    problems = []
    for path in settings.extra_strings:
        try:
            load_extra_strings(replace(settings, extra_strings=(path,)))
        except InputError as exc:
            problems.append(exc.as_problem())
    return problems


def merged_columns(files: Iterable[StringsFile]) -> dict[str, list[str]]:
    """name → its values over all files: first occurrence first, no repeats, no
    blank values (a blank is nothing to translate)."""
    out: dict[str, list[str]] = {}
    for file in files:
        for name, values in file.columns.items():
            merged = out.setdefault(name, [])
            for value in values:
                if value.strip() and value not in merged:
                    merged.append(value)
    return out
