"""Who may see a dashboard, and where it may be embedded: what the code asks for."""

from __future__ import annotations

from collections.abc import Mapping

from aspects_assets.model.assets import Asset
from aspects_assets.project.settings import Settings


def desired_roles(dashboard: Asset) -> tuple[str, ...] | None:
    """The role names a dashboard should have; None where the code says nothing.

    Localization has already turned `_roles` into per-locale names on copies and
    into `original_roles` on originals."""
    roles = dashboard.private.get("_roles")
    if roles is None:
        return None
    return tuple(sorted({str(r) for r in roles}))


def desired_domains(dashboard: Asset, originals: Mapping[str, Asset],
                    settings: Settings) -> tuple[str, ...] | None:
    """The embedding's allowed domains, for an original and all its copies:
    from the dashboard's `_embedded`, or from `embedded_dashboards` in settings
    keyed by the original's slug (as Aspects configures it)."""
    original = originals.get(dashboard.base_uuid, dashboard)
    embedded = original.private.get("_embedded")
    if isinstance(embedded, Mapping):
        return tuple(str(d) for d in embedded.get("allowed_domains") or [])
    slug = original.body.get("slug")
    if isinstance(slug, str) and slug in settings.embedded_dashboards:
        return tuple(settings.embedded_dashboards[slug])
    return None
