"""One exception hierarchy. Each class carries the exit code the CLI ends with.

Exit codes, the same for every command:
0 done, nothing to act on; 1 done, something needs acting on; 2 error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from aspects_assets.model.secrets import redact

EXIT_OK = 0
EXIT_ACTION_NEEDED = 1
EXIT_ERROR = 2


class AspectsAssetsError(Exception):
    """Base of every error the tool reports to the user: one sentence (or a few
    lines), no traceback, and the exit code the CLI ends with (2)."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


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
        super().__init__(message)
        self.file = file
        self.key = key
        self.line = line

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line) if p is not None)
        if self.key:
            where = f"{where} [{self.key}]" if where else f"[{self.key}]"
        return f"{where}: {self.message}" if where else self.message

    def as_problem(self) -> Problem:
        """This error as a validation finding, its location kept in fields."""
        return Problem("error", self.file or "", self.key or "", self.message, self.line)


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

    def redacted(self, secrets: Iterable[str]) -> Problem:
        """This problem with any secret in its key or message masked."""
        return replace(self, key=redact(self.key, secrets), message=redact(self.message, secrets))

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


class LockTimeout(AspectsAssetsError):
    """Another run held the project's lock for longer than the run would wait."""


class BadRecord(AspectsAssetsError):
    """The project record stored in Superset cannot be read (edited by hand, or
    written by an incompatible version)."""


class SupersetError(AspectsAssetsError):
    """Superset answered with an error, or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload
