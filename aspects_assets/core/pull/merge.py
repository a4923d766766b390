"""A three-way line merge: an edit's lines into a file's own text."""

from __future__ import annotations

import difflib


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"]


def merge_lines(base: str, ours: str, theirs: str) -> str:
    """`theirs`' changes of `base` applied to `ours`.

    `base` is ruamel's dump of the unchanged file, `ours` the file as it is,
    `theirs` the dump after the edits: the differences between base and ours are
    ruamel's own way of writing things (line folding, escapes), kept; where both
    change the same lines, the edit wins.
    """
    if base == ours:
        return theirs
    b = base.splitlines(keepends=True)
    tagged = sorted([(i1, i2, "o", lines) for i1, i2, lines in _hunks(b, ours.splitlines(True))]
                    + [(i1, i2, "t", lines) for i1, i2, lines in
                       _hunks(b, theirs.splitlines(True))],
                    key=lambda h: (h[0], h[1]))
    groups: list[list[tuple[int, int, str, list[str]]]] = []
    for hunk in tagged:
        if groups:
            start = groups[-1][0][0]
            end = max(h[1] for h in groups[-1])
            if hunk[0] < end or (hunk[0] == end and start == end == hunk[1]):
                groups[-1].append(hunk)
                continue
        groups.append([hunk])
    out: list[str] = []
    pos = 0
    for group in groups:
        start = min(h[0] for h in group)
        end = max(h[1] for h in group)
        sides = {h[2] for h in group}
        chosen = [h for h in group if h[2] == ("t" if "t" in sides else "o")]
        out.extend(b[pos:start])
        cursor = start
        for i1, i2, _, lines in chosen:
            out.extend(b[cursor:i1])
            out.extend(lines)
            cursor = i2
        out.extend(b[cursor:end])
        pos = end
    out.extend(b[pos:])
    return "".join(out)
