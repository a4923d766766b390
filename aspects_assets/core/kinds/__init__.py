"""The registry of kinds of Superset objects (see `base` for the two shapes).

Adding an API kind: one module with an `ApiKind` subclass, and its entry in
`API_KINDS`; diff, import (incremental and --verify), the record and the text and
JSON output follow from the entry."""

from __future__ import annotations

from aspects_assets.core.kinds.base import ApiKind, BundleKind
from aspects_assets.core.kinds.bundle import CHART, DASHBOARD, DATABASE, DATASET
from aspects_assets.core.kinds.embedding import Embedding
from aspects_assets.core.kinds.objects import ObjectKind
from aspects_assets.core.kinds.rls import Rls
from aspects_assets.core.kinds.role_permissions import RolePermissions
from aspects_assets.core.kinds.roles import Roles
from aspects_assets.core.kinds.themes import Themes
from aspects_assets.model.assets import Kind

# In dependency order (model.assets.KINDS): imported in this order, deleted in reverse.
BUNDLE_KINDS: dict[Kind, BundleKind] = {k.name: k for k in (DATABASE, DATASET, CHART,
                                                             DASHBOARD)}

# In the order they are compared and set on each dashboard.
API_KINDS: dict[str, ApiKind] = {k.name: k for k in (Roles(), Embedding())}

# Objects of their own, in files of their own (`objects.py`): read, planned and
# applied after the assets (before the API kinds where `before_access`, else
# after them and the prune), in this order: roles before the filters that name them.
OBJECT_KINDS: dict[str, ObjectKind] = {k.name: k for k in (RolePermissions(), Themes(),
                                                           Rls())}

__all__ = ["API_KINDS", "BUNDLE_KINDS", "OBJECT_KINDS", "ApiKind", "BundleKind", "ObjectKind"]
