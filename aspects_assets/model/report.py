"""What an import did, for the summary line and `--format json`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aspects_assets.model.assets import KINDS, Kind


def _per_kind() -> dict[Kind, int]:
    return dict.fromkeys(KINDS, 0)


@dataclass
class Report:
    sent: dict[Kind, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})
    created: dict[Kind, int] = field(default_factory=_per_kind)
    updated: dict[Kind, int] = field(default_factory=_per_kind)
    unchanged: dict[Kind, int] = field(default_factory=_per_kind)
    deleted: dict[Kind, int] = field(default_factory=_per_kind)
    requests: int = 0
    # API kind (`core.kinds`) → on how many assets it was set; and what it had to
    # create first (the roles kind creates missing roles): JSON `<kind>_set`,
    # `<kind>_created`.
    access_set: dict[str, int] = field(default_factory=dict)
    access_created: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    backup: str | None = None
    # Object kind (row-level security, ...) → action → how many.
    objects: dict[str, dict[str, int]] = field(default_factory=dict)
    # What --prune was asked to do but must not (a role users still hold): exit 1.
    blocked: list[str] = field(default_factory=list)

    @classmethod
    def for_access(cls, kinds: Iterable[tuple[str, bool]]) -> Report:
        """A report with a count for each API kind (name, whether it creates things)."""
        report = cls()
        for name, creates in kinds:
            report.access_set[name] = 0
            if creates:
                report.access_created[name] = []
        return report

    def as_dict(self) -> dict[str, Any]:
        access: dict[str, Any] = {}
        for name, count in self.access_set.items():
            access[f"{name}_set"] = count
            if name in self.access_created:
                access[f"{name}_created"] = self.access_created[name]
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "deleted": self.deleted,
                "sent": self.sent, "import_requests": self.requests,
                **access, **({"objects": self.objects} if self.objects else {}),
                **({"blocked": self.blocked} if self.blocked else {}),
                "seconds": self.seconds, "backup": self.backup}
