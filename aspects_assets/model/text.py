"""Text shown to a person: long values cut to a width, the same way everywhere."""

from __future__ import annotations


def shorten(text: str, width: int) -> str:
    """`text` if it fits in `width` characters, else its start and an ellipsis (so
    that it still fits)."""
    return text if len(text) <= width else text[:width - 1] + "…"
