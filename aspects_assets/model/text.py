"""Text: long values cut to a width the same way everywhere, and which characters
a text of ours may hold."""

from __future__ import annotations

import re

# C0 and C1 control characters other than tab, line feed and carriage return
# (and NEL, which YAML treats as a line break), surrogates and non-characters:
# what the YAML parser refuses as raw bytes in an asset file; an escape in YAML
# or a catalog's msgstr must not bring them in either.
CONTROL_CHARACTER = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)


def control_character(text: str) -> str | None:
    """The first control character of `text`, shown as an escape, or None."""
    match = CONTROL_CHARACTER.search(text)
    return None if match is None else repr(match.group())[1:-1]


def shorten(text: str, width: int) -> str:
    """`text` if it fits in `width` characters, else its start and an ellipsis (so
    that it still fits)."""
    return text if len(text) <= width else text[:width - 1] + "…"
