"""Who may see a dashboard, and where it may be embedded: what the code asks for.

An empty list of allowed domains is what Superset takes as "any site may embed";
the code gets it only by asking for it by name (`allow_any_domain: true`), so
that a typo or a missing key never opens a dashboard to every site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aspects_assets.model.assets import Asset
from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import Settings, domains_problem


def embedding_problem(embedded: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, message) when a dashboard's `_embedded` does not say which sites may
    embed it, or says two things."""
    domains = embedded.get("allowed_domains") or []
    allow_any = embedded.get("allow_any_domain", False)
    if not isinstance(allow_any, bool):
        return "allow_any_domain", f"must be true or false, not {type(allow_any).__name__}"
    if not isinstance(domains, list):
        return "allowed_domains", f"must be a list, not {type(domains).__name__}"
    return domains_problem(tuple(str(d) for d in domains), allow_any)


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
        domains = tuple(str(d) for d in embedded.get("allowed_domains") or [])
        problem = embedding_problem(embedded)
        if problem:  # validation reports it first; never taken for "any site"
            raise InputError(problem[1], file=original.source, key=f"_embedded.{problem[0]}")
        return domains
    slug = original.body.get("slug")
    if isinstance(slug, str) and slug in settings.embedded_dashboards:
        return tuple(settings.embedded_dashboards[slug])
    return None
