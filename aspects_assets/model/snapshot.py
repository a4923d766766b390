"""What one run read of a live Superset: an immutable snapshot (the `refresh` of
read → plan → apply). Planning takes it and never asks Superset anything itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aspects_assets.model.assets import Kind
from aspects_assets.model.record import ManagedAsset, ProjectRecord


@dataclass(frozen=True)
class ServerInfo:
    version: str  # "6.1.0"; "5.0" where the server does not say (older than 6.1)
    sparse_import: bool
    extension: bool  # our Superset-side extension is installed (embedded uuids)


@dataclass(frozen=True)
class LiveRow:
    """One asset as a list endpoint shows it."""

    kind: Kind
    uuid: str
    id: int
    changed_on: str
    title: str
    roles: tuple[str, ...] = ()
    # A chart's or dashboard's custom tags (not Superset's own `type:`/`owner:` ones), sorted.
    tags: tuple[str, ...] = ()
    # A dataset's, chart's or dashboard's owners: user ids, sorted.
    owners: tuple[int, ...] = ()
    # A dataset's table as Superset's import matches it: (database id, catalog, schema).
    table_of: tuple[int | None, str | None, str | None] = (None, None, None)


# An export's files: path without the top folder → the YAML Superset wrote, or (from
# our extension's export, `SupersetClient.export_data`) the data it would have written.
ExportFiles = Mapping[str, bytes | dict[str, Any]]

# uuid → (kind, normalized body): what an export says, for a field-by-field comparison.
Bodies = Mapping[str, tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Snapshot:
    """The live state a plan is computed from.

    `access` holds, per API kind (`core.kinds`), asset uuid → its live state as
    far as this run knows it: read from Superset, or, for an incremental import,
    what the project record says was set (those kinds do not move `changed_on`).
    `bodies` is filled only for a full comparison (`diff`, `import --verify`)."""

    rows: Mapping[str, LiveRow]  # uuid → row, every asset of the four bundle kinds
    record: ProjectRecord | None
    record_id: int | None
    info: ServerInfo
    access: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    bodies: Bodies | None = None
    # Object kind → its live objects (as the kind's `read` gives them), for the kinds
    # the record has and, once rendered, those the code declares.
    objects: Mapping[str, Any] = field(default_factory=dict)
    # Whether `rows` carry each asset's owners (`core.kinds.owners.listed`): a later
    # list of the same run asks for them alike.
    rows_with_owners: bool = False

    @property
    def managed(self) -> Mapping[str, ManagedAsset]:
        """What the project's record says it manages."""
        return self.record.managed if self.record else {}

    def with_objects(self, more: Mapping[str, Any]) -> Snapshot:
        """The snapshot with more object kinds' live objects read."""
        return replace(self, objects={**self.objects, **more})

    def with_access(self, kind: str, more: Mapping[str, Any]) -> Snapshot:
        """The snapshot with more of one API kind's live state read."""
        merged = {**self.access.get(kind, {}), **more}
        return replace(self, access={**self.access, kind: merged})
