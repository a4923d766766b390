"""The Jinja a source file carries, as pull must respect it."""

from __future__ import annotations

import re

_JINJA_MARK = re.compile(r"\{\{|\{%|\{#")
# Jinja statements that can wrap keys or change what follows: a file with one at the
# start of a line (outside {% raw %}) has a structure its YAML text does not show.
_CONTROL_LINE = re.compile(
    r"^\s*\{%-?\s*(if|elif|else|endif|for|endfor|macro|endmacro|call|endcall|block|"
    r"endblock|set|endset|with|endwith|import|from|extends)\b")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}")
_RAW_END = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def has_jinja(text: str) -> bool:
    return bool(_JINJA_MARK.search(text))


def control_lines(text: str) -> list[int]:
    """Line numbers of Jinja statements at line level outside {% raw %}."""
    found = []
    in_raw = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_raw:
            in_raw = not _RAW_END.search(line)
            continue
        start = _RAW_START.search(line)
        if start is not None:
            in_raw = not _RAW_END.search(line, start.end())
            continue
        if _CONTROL_LINE.match(line):
            found.append(number)
    return found
