"""Fixtures for tests against the real local Superset (scripts/superset-local).

This folder is a package (it has an `__init__.py`) so that this conftest and
`tests/conftest.py` do not both import as the module `conftest`: test modules
here still say `from conftest import ...` and get `tests/conftest.py`.
"""

from __future__ import annotations

import os

import pytest

from aspects_assets.model.errors import SupersetError
from aspects_assets.superset.client import SupersetClient


@pytest.fixture(scope="session")
def superset_client() -> SupersetClient:
    """A logged-in client of the Superset at SUPERSET_URL (default the local one).

    Fails, never skips, when that Superset is not there: the integration tests are
    part of the suite, and a missing server must not pass as a green run.
    """
    url = os.environ.get("SUPERSET_URL", "http://127.0.0.1:8088")
    client = SupersetClient(url, os.environ.get("SUPERSET_USERNAME", "admin"),
                            os.environ.get("SUPERSET_PASSWORD", "admin"))
    try:
        client.login()
    except SupersetError as exc:
        pytest.fail(f"no usable Superset at {url}: {exc.message}\n"
                    "Start the local one with `scripts/superset-local start` (or set "
                    "SUPERSET_URL, SUPERSET_USERNAME and SUPERSET_PASSWORD).", pytrace=False)
    return client
