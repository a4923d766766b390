"""Text and JSON forms of a Plan and of an import's Report (pure: returns lines)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aspects_assets.core.kinds import API_KINDS, OBJECT_KINDS
from aspects_assets.model.assets import FOLDER_OF_KIND, KINDS
from aspects_assets.model.plan import Action, Plan
from aspects_assets.model.report import Report

CREATE, UPDATE, DELETE = Action.CREATE, Action.UPDATE, Action.DELETE
MARK = {CREATE: "+", UPDATE: "~", DELETE: "-"}
ACTION_TEXT = {CREATE: "new (not in Superset)", UPDATE: "changed",
               DELETE: "only in Superset (managed by this project, no longer in the code)"}


def plan_lines(plan: Plan) -> Iterator[tuple[str, str]]:
    """(colour, line) per difference, grouped by kind and locale."""
    groups: dict[tuple[str, str], list[Any]] = {}
    for change in plan.assets:
        if change.action in MARK:
            groups.setdefault((change.kind, change.locale or ""), []).append(change)
    order: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
    for kind, locale in sorted(groups, key=lambda g: (order[g[0]], g[1])):
        yield "", f"{FOLDER_OF_KIND[kind]} ({locale or 'original'}):"
        for change in groups[(kind, locale)]:
            colour = {CREATE: "green", UPDATE: "yellow", DELETE: "red"}[change.action]
            reason = f" ({change.reason})" if change.reason else ""
            yield colour, (f"  {MARK[change.action]} {change.title} [{change.uuid}]: "
                           f"{ACTION_TEXT[change.action]}{reason}")
            for field_change in change.changes:
                yield "", f"      {field_change.as_text()}"
    for access in plan.access:
        where = f"{access.title} [{access.uuid}] ({access.locale or 'original'})"
        yield "yellow", API_KINDS[access.what].line(access, where)
    for obj in plan.object_changes:
        colour = {CREATE: "green", UPDATE: "yellow", DELETE: "red"}[obj.action]
        for number, line in enumerate(obj.line.splitlines()):
            yield colour if number == 0 else "", line
    for object_kind in OBJECT_KINDS.values():
        for note in object_kind.notes([c for c in plan.objects if c.kind == object_kind.name]):
            yield "yellow", note


def plan_summary(plan: Plan) -> str:
    counts = plan.counts()
    parts = []
    for kind in KINDS:
        c = counts[kind]
        bits = [f"{c[a]} {n}" for a, n in ((CREATE, "new"), (UPDATE, "changed"),
                                          (DELETE, "only in Superset")) if c[a]]
        if bits:
            parts.append(f"{FOLDER_OF_KIND[kind]}: {', '.join(bits)}")
    if plan.access:
        parts.append(f"{'/'.join(API_KINDS)}: {len(plan.access)} to set")
    for name in OBJECT_KINDS:
        changed = [c for c in plan.object_changes if c.kind == name]
        if changed:
            parts.append(f"{name}: {len(changed)} to set")
    return "; ".join(parts) if parts else "no difference"


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "differences": plan.has_differences,
        "counts": plan.counts(),
        "vouched_by_record": len(plan.vouched),
        "assets": [
            {"kind": c.kind, "uuid": c.uuid, "title": c.title, "locale": c.locale,
             "action": c.action,
             "changes": [{"path": f.path, "old": f.old, "new": f.new} for f in c.changes]}
            for c in plan.assets if c.action in MARK
        ],
        "access": [
            {"what": a.what, "kind": a.kind, "uuid": a.uuid, "title": a.title,
             "locale": a.locale,
             "old": list(a.old) if a.old is not None else None, "new": list(a.new),
             "old_embedded_uuid": a.old_uuid, "new_embedded_uuid": a.new_uuid}
            for a in plan.access
        ],
        **{name: [c.as_dict() for c in plan.objects if c.kind == name]
           for name in OBJECT_KINDS if any(c.kind == name for c in plan.objects)},
    }


def report_summary(report: Report) -> str:
    lines = []
    for kind in KINDS:
        lines.append(f"  {FOLDER_OF_KIND[kind]:<11} created {report.created[kind]:>4}  "
                     f"updated {report.updated[kind]:>4}  unchanged {report.unchanged[kind]:>4}  "
                     f"deleted {report.deleted[kind]:>4}")
    access = [kind.summary(report.access_set.get(kind.name, 0),
                           report.access_created.get(kind.name, []))
              for kind in API_KINDS.values()]
    lines.append(f"  {'; '.join(access)}")
    for name, counts in report.objects.items():
        done = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
        lines.append(f"  {name}: {done}")
    if report.backup:
        lines.append(f"  backup of what was deleted: {report.backup}")
    if report.touched:
        lines.append(f"  {report.touched} moved in Superset (changed_on) with the content "
                     "last sent: not sent again")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    lines.append(f"  {report.requests} import request(s); {timing}")
    return "import done:\n" + "\n".join(lines)
