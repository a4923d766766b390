"""The import requests of a run, all built before the first is sent (pure).

Assets go in dependency order, in chunks whose estimated server time stays under
CHUNK_BUDGET_MS, so that each POST stays far below a 30 s gunicorn or proxy
timeout, even on a server several times slower. Every chunk's bundle is built
before anything is sent: an asset that cannot be serialized stops the run before
the first request, not after some chunks are in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aspects_assets.core.bundle import build_bundle, managed_fields
from aspects_assets.core.kinds import BUNDLE_KINDS
from aspects_assets.model.assets import KINDS, Asset, AssetSet
from aspects_assets.model.snapshot import ServerInfo

CHUNK_BUDGET_MS = 4000


@dataclass(frozen=True)
class Chunk:
    """One import request: its assets, the ZIP and the database passwords."""

    assets: tuple[Asset, ...]
    bundle: bytes
    passwords: dict[str, str]


def chunks(assets: Iterable[Asset]) -> list[list[Asset]]:
    """Dependency order (databases → dashboards), each chunk within the time budget."""
    out: list[list[Asset]] = []
    current: list[Asset] = []
    spent = 0
    order = {k: i for i, k in enumerate(KINDS)}
    for asset in sorted(assets, key=lambda a: order[a.kind]):
        cost = BUNDLE_KINDS[asset.kind].cost_ms
        if current and spent + cost > CHUNK_BUDGET_MS:
            out.append(current)
            current, spent = [], 0
        current.append(asset)
        spent += cost
    if current:
        out.append(current)
    return out


def import_requests(to_send: Iterable[Asset], context: AssetSet, *, lock_in_ui: bool,
                    passwords: Mapping[str, str], info: ServerInfo) -> list[Chunk]:
    """Every request of the import, built: chunked where the server takes sparse
    bundles; otherwise the whole set in one (every reference must be inside it)."""
    extra = managed_fields(lock_in_ui)
    batches = chunks(to_send) if info.sparse_import else [list(context)]
    out = []
    for batch in batches:
        assets = AssetSet.of(batch)
        bundle = build_bundle(assets, context=context, extra_fields=extra,
                              superset_version=info.version)
        out.append(Chunk(tuple(batch), bundle.zip_bytes(), bundle.passwords(assets, passwords)))
    return out
