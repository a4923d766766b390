"""Dashboard embedding: where a dashboard may be embedded, under which uuid.

Asked for by `_embedded` on a dashboard or by `embedded_dashboards` in the
settings (keyed by the original's slug, as Aspects configures it). Read with
GET /api/v1/dashboard/<id>/embedded (one request a dashboard, so an incremental
import trusts the record and reads only what the record does not know), set with
PUT on the same path, or, with our Superset-side extension, on
/api/v1/aspects_assets/embedded/<id> so that the embedded uuid is the
dashboard's uuid, which the Open edX LMS asks for."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aspects_assets.core.kinds.base import ApiKind, Applied, Applier
from aspects_assets.model.api import SupersetApi
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.model.plan import AccessChange
from aspects_assets.model.record import ProjectRecord
from aspects_assets.model.snapshot import LiveRow, ServerInfo
from aspects_assets.project.settings import Settings, domains_problem


def embedding_problem(embedded: Mapping[str, Any]) -> tuple[str, str] | None:
    """(key, message) when a dashboard's `_embedded` does not say which sites may
    embed it, or says two things. An empty list of allowed domains is what Superset
    takes as "any site may embed": the code gets it only by asking for it by name
    (`allow_any_domain: true`), so that a typo or a missing key never opens a
    dashboard to every site."""
    domains = embedded.get("allowed_domains") or []
    allow_any = embedded.get("allow_any_domain", False)
    if not isinstance(allow_any, bool):
        return "allow_any_domain", f"must be true or false, not {type(allow_any).__name__}"
    if not isinstance(domains, list):
        return "allowed_domains", f"must be a list, not {type(domains).__name__}"
    return domains_problem(tuple(str(d) for d in domains), allow_any)


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


def _entry(embedding: Mapping[str, Any]) -> dict[str, Any]:
    """What the record keeps of an embedding."""
    return {"uuid": embedding.get("uuid"),
            "allowed_domains": list(embedding.get("allowed_domains") or [])}


class Embedding(ApiKind):
    name = "embedding"
    record_field = "embedded"

    def wanted(self, asset: Asset, originals: Mapping[str, Asset],
               settings: Settings) -> tuple[str, ...] | None:
        return desired_domains(asset, originals, settings)

    def read(self, api: SupersetApi, rows: Mapping[str, LiveRow],
             uuids: Collection[str]) -> dict[str, Any]:
        ids = [(u, rows[u].id) for u in uuids if u in rows]

        def one(item: tuple[str, int]) -> tuple[str, dict[str, Any] | None]:
            return item[0], api.embedded(item[1])

        with ThreadPoolExecutor(api.workers) as pool:
            return {u: e for u, e in pool.map(one, ids) if e is not None}

    def recorded(self, record: ProjectRecord | None) -> Mapping[str, Any] | None:
        return {u: dict(e) for u, e in (record.embedded if record else {}).items()}

    def to_read(self, wanted: Mapping[str, tuple[str, ...]],
                known: Mapping[str, Any]) -> list[str]:
        # An embedding the record does not know of may exist already: ask for it.
        return [u for u in wanted if u not in known]

    def compare(self, asset: Asset, wanted: tuple[str, ...], live: Any,
                info: ServerInfo) -> AccessChange | None:
        align = info.extension
        live_domains = tuple(live.get("allowed_domains") or ()) if live else None
        live_uuid = str(live.get("uuid")) if live else None
        wanted_uuid = asset.uuid if align else live_uuid
        if live_domains == wanted and not (align and live_uuid != wanted_uuid):
            return None
        return AccessChange(self.name, asset.uuid, asset.title, asset.locale,
                            live_domains, wanted, old_uuid=live_uuid, new_uuid=wanted_uuid)

    def applier(self, api: SupersetApi, info: ServerInfo) -> Applier:
        def apply(change: AccessChange, dashboard_id: int) -> Applied:
            # An empty list is what the code asked for by name (`allow_any_domain`).
            return Applied(api.set_embedded(
                dashboard_id, list(change.new),
                embedded_uuid=change.new_uuid if info.extension else None,
                allow_any_domain=not change.new))

        return apply

    def after(self, record: ProjectRecord | None, known: Mapping[str, Any],
              local: AssetSet, settings: Settings,
              applied: Mapping[str, Applied]) -> dict[str, Any]:
        out: dict[str, Any] = {u: dict(e) for u, e in known.items()}
        out.update({u: _entry(a.value) for u, a in applied.items()})
        return out

    def line(self, change: AccessChange, where: str) -> str:
        old = list(change.old) if change.old is not None else "none"
        text = f"  ~ embedding of dashboard {where}: allowed domains {old} → {list(change.new)}"
        if change.old_uuid != change.new_uuid:
            text += f"; embedded uuid {change.old_uuid} → {change.new_uuid}"
        return text

    def summary(self, count: int, created: list[str]) -> str:
        return f"embedding set on {count} dashboard(s)"
