"""One exception hierarchy. Each class carries the exit code the CLI ends with.

Exit codes, the same for every command:
0 done, nothing to act on; 1 done, something needs acting on; 2 error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

EXIT_OK = 0
EXIT_ACTION_NEEDED = 1
EXIT_ERROR = 2


class AspectsAssetsError(click.ClickException):
    """Base of every error the tool reports to the user (exit 2)."""

    exit_code = EXIT_ERROR


class InputError(AspectsAssetsError):
    """Bad input: a settings file, an asset, a catalog. Names the file and key."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (file, line) if p is not None)
        if key:
            where = f"{where} [{key}]" if where else f"[{key}]"
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.key = key
        self.line = line


def yaml_error(exc: Exception, file: str) -> InputError:
    """A YAML parser's error as an InputError naming the file and line."""
    mark = getattr(exc, "problem_mark", None)
    return InputError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
                      line=mark.line + 1 if mark else None)


@dataclass(frozen=True)
class Problem:
    """One finding of validation: an error stops the run, a warning does not."""

    severity: str  # "error" or "warning"
    file: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        key = f" [{self.key}]" if self.key else ""
        return f"{self.severity}: {where}{key}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "key": self.key,
            "line": self.line,
            "message": self.message,
        }


class ValidationFailed(AspectsAssetsError):
    """The asset set has errors; nothing was built or sent."""

    def __init__(self, problems: list[Problem]) -> None:
        errors = [p for p in problems if p.severity == "error"]
        lines = [str(p) for p in problems]
        lines.append(f"{len(errors)} error(s): nothing was built or sent.")
        super().__init__("\n".join(lines))
        self.problems = problems


class SupersetError(AspectsAssetsError):
    """Superset answered with an error, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload
