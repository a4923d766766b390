"""Superset-side extension for aspects-assets.

Adds, under ``/api/v1/aspects_assets/``:

* ``GET  info``                              -> extension and Superset versions
* ``GET  export/[?kind=chart&ids=1,2]``      -> Superset's export as data (admin only)
* ``PUT  embedded/<dashboard id|uuid|slug>`` -> create or update the dashboard's
  embedded configuration with a caller-chosen embedded uuid (admin only)

and the Jinja macros ``translate_column`` / ``translate_column_bool`` of Open
edX Aspects, answered from the translation tables that the aspects-assets
import stores (``jinja_macros.py``).

Enable it from ``superset_config.py`` with either::

    from aspects_assets_superset_ext import FLASK_APP_MUTATOR

or by calling :func:`init_app` from your own ``FLASK_APP_MUTATOR``.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.3.0"

__all__ = ["FLASK_APP_MUTATOR", "__version__", "init_app"]


def init_app(app: Any) -> None:
    """Register the extension's API and Jinja macros on a Superset app (idempotent)."""
    if app.extensions.get("aspects_assets_superset_ext"):
        return
    from .api import AspectsAssetsApi
    from .jinja_macros import register

    appbuilder = app.appbuilder
    appbuilder.add_api(AspectsAssetsApi)
    register(app)
    app.extensions["aspects_assets_superset_ext"] = True


# Superset calls FLASK_APP_MUTATOR(app) inside the app context, after
# Flask-AppBuilder is configured and before Superset's own views are added.
FLASK_APP_MUTATOR = init_app
