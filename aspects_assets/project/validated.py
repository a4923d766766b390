"""A local note of input hashes that validated cleanly.

`import` must send nothing, not even a read, when the input is invalid; yet a
no-op import should not render everything only to learn that nothing changed.
Inputs whose hash validated before on this machine are known to be valid, so
for them the run may go to Superset first and render only if needed. The note
holds hashes only (no content, no secret), under `.aspects-assets/` beside the
settings; a fresh clone simply validates once.
"""

from __future__ import annotations

import json
from pathlib import Path

NOTE = Path(".aspects-assets") / "validated.json"
KEEP = 20  # the last few hashes: switching branches back and forth stays fast


def was_validated(root: Path, inputs_hash: str) -> bool:
    try:
        return inputs_hash in json.loads((root / NOTE).read_text())
    except (OSError, ValueError):
        return False


def note_validated(root: Path, inputs_hash: str) -> None:
    path = root / NOTE
    try:
        hashes = [h for h in json.loads(path.read_text()) if h != inputs_hash]
    except (OSError, ValueError):
        hashes = []
    try:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps([*hashes[-(KEEP - 1):], inputs_hash]))
    except OSError:
        pass  # a read-only checkout only loses the shortcut
