"""The real aspects-2024-08 corpus, localized from its own locale.yaml, against a
real Superset: import, an empty diff, and a second import that sends nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import corpus_with_catalogs, run

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LOCALES = ["ar", "de_DE", "es_419", "fr_CA", "pt_BR"]
PASSWORDS = {"databases": {"OpenedX Clickhouse": {"password_env": "CORPUS_DB_PASSWORD"},
                           "Superset Metadata": {"password_env": "CORPUS_DB_PASSWORD"}}}


def test_corpus_in_five_locales_imports_diffs_clean_and_reimports_nothing(
    tmp_path: Path, superset_env: dict[str, str], superset_reset: None
) -> None:
    project, locales = corpus_with_catalogs(tmp_path, LOCALES, **PASSWORDS)
    env = {**superset_env, "CORPUS_DB_PASSWORD": "not-a-real-password"}
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    created = report["created"]
    assert created["dashboard"] == 4 * (1 + len(locales))
    assert created["chart"] == 63 * (1 + len(locales))
    assert report["roles_set"] == created["dashboard"]

    result = run(["diff"], project, env=env)
    assert result.exit_code == 0, result.output
    assert "no difference" in result.stdout

    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["import_requests"] == 0
    assert not any(again["sent"].values())
    assert sum(again["unchanged"].values()) == sum(created.values())
