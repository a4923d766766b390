"""The embedding manifest: which embedded uuid serves which localized dashboard.

Superset chooses embedded uuids itself unless our extension aligns them with
the dashboard uuids; either way the LMS needs to know them. The manifest also
carries the `ASPECTS_INSTRUCTOR_DASHBOARDS` entries that Open edX's setting of
that name takes (the LMS localizes each uuid itself with the uuid5 rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aspects_assets.core.kinds.embedding import desired_domains
from aspects_assets.model.assets import AssetSet
from aspects_assets.project.settings import Settings


def build_manifest(assets: AssetSet, embedded: Mapping[str, Mapping[str, Any]],
                   settings: Settings, *, aligned: bool) -> dict[str, Any]:
    originals = {a.uuid: a for a in assets.of_kind("dashboard") if a.locale is None}
    entries = []
    for dashboard in assets.of_kind("dashboard"):
        domains = desired_domains(dashboard, originals, settings)
        if domains is None:
            continue
        live = embedded.get(dashboard.uuid) or {}
        entries.append({
            "slug": dashboard.body.get("slug"),
            "locale": dashboard.locale,
            "dashboard_title": dashboard.title,
            "dashboard_uuid": dashboard.uuid,
            "embedded_uuid": live.get("uuid"),
            "allowed_domains": list(live.get("allowed_domains") or domains),
        })
    instructor = [
        {"name": d.title, "slug": d.body.get("slug"), "uuid": d.uuid, "allow_translations": True}
        for d in originals.values() if desired_domains(d, originals, settings) is not None
    ]
    return {
        "project": settings.project,
        "embedded_uuids_match_dashboard_uuids": aligned,
        "dashboards": sorted(entries, key=lambda e: (str(e["slug"]), e["locale"] or "")),
        "ASPECTS_INSTRUCTOR_DASHBOARDS": sorted(instructor, key=lambda e: str(e["slug"])),
    }
