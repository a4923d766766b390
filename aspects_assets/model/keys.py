"""Key paths into an asset's body, and how a message shows them."""

from __future__ import annotations

Key = str | int
KeyPath = tuple[Key, ...]


def key_text(path: KeyPath) -> str:
    """`("columns", 0, "verbose_name")` → `columns[0].verbose_name`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
