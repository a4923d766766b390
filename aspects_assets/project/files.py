"""Reading the project's text files: every failure is an InputError naming the file."""

from __future__ import annotations

import codecs
from pathlib import Path

from aspects_assets.model.errors import InputError

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def read_text(path: Path, shown: str) -> str:
    """A UTF-8 text file's content (an initial BOM is dropped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=shown) from exc
    if data.startswith(_UTF16_BOMS):
        raise InputError("is UTF-16 text: save it as UTF-8", file=shown)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be "
                         "decoded): save it as UTF-8", file=shown, line=line) from exc
