"""Locale codes: one normal form (POSIX, `es_419`, `pt_BR`) everywhere."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError


def normalize_locale(code: str) -> str:
    """`es-419` → `es_419`, `pt-br` → `pt_BR`; ValueError for a code that is no locale.

    The code keeps its own shape (`zh_CN` stays `zh_CN`, Babel would make it
    `zh_Hans_CN`), because slugs, role names and the LMS use the code as written.
    """
    parts = [p for p in code.strip().replace("-", "_").split("_")]
    if not parts or not all(p.isalnum() for p in parts):
        raise ValueError(f"{code!r} is not a valid locale code")
    shaped = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            shaped.append(part.title())
        else:
            shaped.append(part.upper())
    text = "_".join(shaped)
    try:
        Locale.parse(text, sep="_")
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(f"{code!r} is not a valid locale code") from exc
    return text
