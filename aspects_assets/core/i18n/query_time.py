"""Translations for Superset to use at query time, from the project's catalogs.

Two ways to hand them over, for two kinds of Superset:

- `legacy_locale_yaml`: Aspects' own `locale.yaml`, for a Superset image that
  Aspects built. Its `translate_column` macro (`openedx_jinja_filters.py`) and
  `create_assets.py` read `/app/localization/locale.yaml` with
  `openedx/localization.py`: the text is split on the exact line `---`, each
  part read with `yaml.safe_load` as `{locale: {source: translation}}`, later
  parts updating earlier ones; a lookup is `table[locale].get(text) or text`,
  with the locale exactly as the user's Open edX language, `-` made `_`.
  `translate_column` itself only knows the columns of the image's
  `/app/localization/datasets_strings.yaml` (`dataset_strings_yaml` writes one
  from the project's `extra_strings`).
- `translation_table`: the compact table the import stores in Superset for the
  aspects-assets Superset extension (`model/query_translations.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from aspects_assets.model.query_translations import QueryTranslations
from aspects_assets.project.catalogs import Catalogs

LEGACY_HEADER = (
    "# Aspects locale.yaml written by `aspects-assets translations export-legacy` from the\n"
    "# project's .po catalogs: translate there, not here.\n"
)


class _LegacyDumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks: every line of a text stays indented, so
    that no line of a translation can read as the `---` that Aspects splits on."""


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_LegacyDumper.add_representer(str, _represent_text)


def _dump(data: Any) -> str:
    # No folding of long lines (Aspects writes its file the same way).
    return yaml.dump(data, Dumper=_LegacyDumper, allow_unicode=True, sort_keys=True,
                     default_flow_style=False, width=2**31 - 1)


def translations_of(catalogs: Catalogs, locale: str, texts: Iterable[str]) -> dict[str, str]:
    """The texts that have a translation in `locale` (override, else a catalog
    msgstr that is neither fuzzy nor empty) → that translation."""
    table = catalogs[locale].table
    return {text: table[text] for text in texts if table.get(text)}


def legacy_locale_yaml(catalogs: Catalogs, locales: Sequence[str], sources: Iterable[str]) -> str:
    """One YAML document `{locale: {source: translation}}` per locale, sorted: the
    same catalogs give the same bytes."""
    wanted = sorted(set(sources))
    documents = [f"---\n{_dump({code: translations_of(catalogs, code, wanted)})}"
                 for code in locales]
    return LEGACY_HEADER + "".join(documents)


def dataset_strings_yaml(columns: Mapping[str, Sequence[str]]) -> str:
    """Aspects' `datasets_strings.yaml`: column name → its values."""
    return _dump({name: list(values) for name, values in columns.items()})


def translation_table(project: str, role_format: str, columns: Mapping[str, Sequence[str]],
                      catalogs: Catalogs, locales: Sequence[str],
                      inputs: str = "") -> QueryTranslations:
    """The project's query-time values and their translations in every locale."""
    values = sorted({value for column in columns.values() for value in column})
    return QueryTranslations(
        project=project,
        role_format=role_format,
        columns={name: tuple(column) for name, column in columns.items()},
        locales={code: translations_of(catalogs, code, values) for code in locales},
        inputs=inputs,
    )
