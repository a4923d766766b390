"""The text and JSON of a plan and of an import report, against what the version
before the registry of kinds printed for the same plan (tests/data/golden/
reporting.json, written by that version): the registry changes no output. The
tags and owners kinds, added later, only added their own words (`tags_set`,
"tags set on ...", "roles/embedding/tags/owners", and the same for owners), and
each access change's JSON its asset's `kind` (tags and owners are set on charts and
datasets too); the diff's JSON then took `vouched_by_record` (how many assets the
project record vouched for without their export)."""

from __future__ import annotations

import json
from typing import Any

from aspects_assets.cli.reporting import plan_json, plan_lines, plan_summary, report_summary
from aspects_assets.core.kinds import API_KINDS
from aspects_assets.model.plan import AccessChange, Action, AssetChange, FieldChange, Plan
from aspects_assets.model.report import Report

from conftest import DATA


def _outputs() -> dict[str, Any]:
    report = Report.for_access((k.name, k.creates) for k in API_KINDS.values())
    report.access_set.update(roles=2, embedding=3)
    report.access_created["roles"].extend(["a", "b", "c", "d", "e"])
    report.requests = 4
    report.seconds = {"assets": 1.23, "total": 2.5}
    report.backup = "backups/x.zip"
    report.created["chart"] = 3
    report.deleted["dataset"] = 1
    report.sent["chart"] = ["u1"]
    plan = Plan(
        (AssetChange("chart", "u1", "Chart one", None, Action.CREATE, reason="not in Superset"),
         AssetChange("chart", "u2", "Chart two", "fr_CA", Action.UPDATE,
                     (FieldChange("params.x", 1, "a" * 100),)),
         AssetChange("dataset", "u3", "ds", None, Action.UNCHANGED),
         AssetChange("dashboard", "u4", "Dash", None, Action.DELETE)),
        (AccessChange("roles", "u5", "D5", None, None, ("Instructor",)),
         AccessChange("roles", "u6", "D6", "es_419", ("A",), ("B", "C")),
         AccessChange("embedding", "u5", "D5", None, None, ("http://x",), None, "u5"),
         AccessChange("embedding", "u6", "D6", "es_419", ("http://y",), ("http://x",), "e6",
                      "e6")))
    # Through JSON, as the commands print it (an Action is its string there).
    data: dict[str, Any] = json.loads(json.dumps({
        "lines": list(plan_lines(plan)), "summary": plan_summary(plan), "json": plan_json(plan),
        "report": report_summary(report), "report_json": report.as_dict(),
        "keys": list(report.as_dict())}))
    return data


def test_plan_and_report_print_as_before() -> None:
    golden = json.loads((DATA / "golden" / "reporting.json").read_text())
    assert _outputs() == golden


def test_the_report_names_each_api_kind_of_the_registry() -> None:
    keys = _outputs()["keys"]
    assert keys == ["created", "updated", "unchanged", "deleted", "sent", "import_requests",
                    "roles_set", "roles_created", "embedding_set", "tags_set", "owners_set",
                    "seconds", "backup"]
