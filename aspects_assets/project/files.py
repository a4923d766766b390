"""Reading the project's text files and writing what a run makes: every failure is an
InputError naming the file."""

from __future__ import annotations

import codecs
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
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


def _cannot_write(target: Path, exc: OSError, key: str | None) -> InputError:
    return InputError(f"cannot write here: {exc.strerror or exc} (nothing was written)",
                      file=str(target), key=key)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def replace_with(target: Path, fill: Callable[[Path], object], *, folder: bool,
                 shown: Path | None = None, key: str | None = "--out") -> None:
    """Make `target` (a file, or a folder when `folder`) anew through a temporary
    path beside it, renamed over it once `fill` has written everything: an error,
    a full disk or Ctrl-C leaves the old target as it was and no temporary behind.
    A folder is replaced whole, so no file of an earlier run stays in it. Errors
    name `shown` (the path the user gave), or the target, and the option `key`."""
    if target.is_dir() != folder and target.exists():
        what = "a folder" if target.is_dir() else "a file"
        raise InputError(f"is {what}; choose another path (nothing was written)",
                         file=str(shown or target), key=key)
    temporary: Path | None = None
    made = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        else:
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            os.close(handle)
            temporary = Path(name)
        fill(temporary)
        if folder and target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
            os.replace(target, old / target.name)
            os.replace(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.chmod(temporary, 0o644 if not folder else 0o755)
            os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        raise _cannot_write(shown or target, exc, key) from exc
    finally:
        if temporary is not None:
            _remove(temporary)
            for folder_made in made:  # deepest first: the folders this call created
                with contextlib.suppress(OSError):
                    folder_made.rmdir()
