"""The four kinds of Superset's import bundle, in dependency order."""

from __future__ import annotations

from aspects_assets.core.kinds.base import BundleKind

DATABASE = BundleKind("database", ("id", "uuid", "changed_on", "database_name"),
                      title_column="database_name", cost_ms=40, unique_name="database_name")
DATASET = BundleKind("dataset", ("id", "uuid", "changed_on_utc", "table_name", "database.id",
                                 "catalog", "schema"),
                     title_column="table_name", cost_ms=36)
CHART = BundleKind("chart", ("id", "uuid", "changed_on_utc", "slice_name", "tags.name",
                            "tags.type"),
                   title_column="slice_name", cost_ms=9)
DASHBOARD = BundleKind("dashboard", ("id", "uuid", "changed_on_utc", "slug", "dashboard_title",
                                     "roles.id", "roles.name", "tags.name", "tags.type"),
                       title_column="slug", cost_ms=30, unique_name="slug")
