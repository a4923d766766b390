"""The real aspects-2024-08 corpus, localized from its own locale.yaml, against a
real Superset: import, an empty diff, and a second import that sends nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from aspects_assets.superset.client import SupersetClient

from conftest import corpus_dir, corpus_project, corpus_with_catalogs, run

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LOCALES = ["ar", "de_DE", "es_419", "fr_CA", "pt_BR"]
PASSWORDS = {"databases": {"OpenedX Clickhouse": {"password_env": "CORPUS_DB_PASSWORD"},
                           "Superset Metadata": {"password_env": "CORPUS_DB_PASSWORD"}}}
# The instructor dashboards the LMS embeds, configured as Aspects does it: in the
# settings, by slug, not in the asset files.
LMS = ["http://local.openedx.io:8000"]
EMBEDDED = {"embedded_dashboards": {slug: {"allowed_domains": LMS} for slug in (
    "course-dashboard", "learner-groups", "individual-learner")}}


def lms_uuid(dashboard_uuid: str, locale: str) -> str:
    """What platform-plugin-aspects computes to embed a learner's dashboard."""
    return str(uuid.uuid5(uuid.uuid5(uuid.UUID(dashboard_uuid), "superset"), locale.lower()))


def test_corpus_in_five_locales_imports_diffs_clean_and_reimports_nothing(
    tmp_path: Path, superset_env: dict[str, str], superset_reset: None,
    client: SupersetClient,
) -> None:
    project, locales = corpus_with_catalogs(tmp_path, LOCALES, **PASSWORDS, **EMBEDDED)
    env = {**superset_env, "CORPUS_DB_PASSWORD": "not-a-real-password"}
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    created = report["created"]
    assert created["dashboard"] == 4 * (1 + len(locales))
    assert created["chart"] == 63 * (1 + len(locales))
    assert report["roles_set"] == created["dashboard"]
    assert report["embedding_set"] == 3 * (1 + len(locales))

    # The LMS finds each localized instructor dashboard by the uuid it computes.
    manifest = json.loads((project / "embedded-dashboards.json").read_text())
    course = next(e for e in manifest["ASPECTS_INSTRUCTOR_DASHBOARDS"]
                  if e["slug"] == "course-dashboard")
    assert manifest["embedded_uuids_match_dashboard_uuids"]
    for locale in locales:
        embedded = client.embedded_by_uuid(lms_uuid(course["uuid"], locale))
        assert embedded["allowed_domains"] == LMS

    result = run(["diff"], project, env=env)
    assert result.exit_code == 0, result.output
    assert "no difference" in result.stdout

    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["import_requests"] == 0
    assert not any(again["sent"].values())
    assert sum(again["unchanged"].values()) == sum(created.values())


TAG_LOCALES = ["es_419", "fr_CA"]


def custom_tags(client: SupersetClient, kind: str) -> dict[str, set[str]]:
    """uuid → the custom tags Superset holds (type 1: not its own type:/owner: tags)."""
    return {row["uuid"]: {t["name"] for t in row["tags"] if t["type"] == 1}
            for row in client.list_all(kind, ["uuid", "tags.name", "tags.type"])}


def test_aspects_6_1_assets_get_their_tags_and_diff_clean(
    tmp_path: Path, superset_env: dict[str, str], client: SupersetClient,
) -> None:
    """Aspects 6.1.0 writes `tags: [original]` into its assets, which Superset's assets
    import ignores: the tags are set through the tag API, a copy's as Aspects' rule
    says (its locale code instead of `original`), and diff finds nothing after."""
    import yaml

    from conftest import _superset_local

    _superset_local("reset")  # aspects-2024-08 above holds the same databases' names
    project = corpus_project(tmp_path, "aspects-2026-10", locales=TAG_LOCALES, **PASSWORDS)
    env = {**superset_env, "CORPUS_DB_PASSWORD": "not-a-real-password"}
    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["created"]["chart"] == 82 * 3 and report["created"]["dashboard"] == 9 * 3

    sources = {}
    for folder in ("charts", "dashboards"):
        for path in (corpus_dir("aspects-2026-10") / "assets" / folder).glob("*.yaml"):
            body = yaml.safe_load(path.read_text())
            sources[body["uuid"]] = set(body.get("tags") or ())
    assert sum(1 for t in sources.values() if t == {"original"}) == 81 + 9
    live = {**custom_tags(client, "chart"), **custom_tags(client, "dashboard")}
    for base, tags in sources.items():
        assert live[base] == tags, base
        for locale in TAG_LOCALES:
            assert live[lms_uuid(base, locale)] == {locale}, (base, locale)
    # Every chart and dashboard that is to have a tag: 90 originals, 2 x 91 copies.
    assert report["tags_set"] == 90 + 2 * 91

    result = run(["diff", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["access"] == []

    result = run(["import", "--format", "json"], project, env=env)
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["import_requests"] == 0 and again["tags_set"] == 0
