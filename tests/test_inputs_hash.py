"""The inputs hash is stored in the project record in Superset (a CSS template
Alpha users can read) and is not salted: no secret may enter it, or a dictionary
attack over the record's hash recovers the secret."""

from __future__ import annotations

from pathlib import Path

from aspects_assets.project.inputs import inputs_hash
from aspects_assets.project.settings import load_settings

REAL = "Winter2026!"
# The attacker's dictionary, the real password among the candidates.
DICTIONARY = ["123456", "password", "admin", "letmein", REAL, "Summer2025!", "qwerty"]


def _project(base_project: Path) -> Path:
    config = base_project / "aspects-assets.yaml"
    config.write_text(config.read_text() + (
        "variables_from_env: {DB_URI: TEST_DB_URI, TOKEN: TEST_TOKEN, REGION: TEST_REGION}\n"
        "secret_variables: [TOKEN]\n"
        "databases: {ClickHouse: {password_env: TEST_DB_PASSWORD}}\n"))
    return base_project


def _hash(project: Path, password: str, region: str = "eu") -> str:
    env = {"TEST_DB_URI": f"clickhousedb://report:{password}@clickhouse:8123/reporting",
           "TEST_TOKEN": f"tok-{password}", "TEST_DB_PASSWORD": password,
           "TEST_REGION": region, "SUPERSET_PASSWORD": password}
    return inputs_hash(load_settings(cwd=project, env=env), ["all"])


def test_a_dictionary_attack_on_the_hash_recovers_no_password(base_project: Path) -> None:
    project = _project(base_project)
    stored = _hash(project, REAL)  # what the record in Superset holds
    # The attacker knows every other input (the repository) and tries each word.
    matches = [word for word in DICTIONARY if _hash(project, word) == stored]
    # Every word matches: the hash says nothing about the password.
    assert matches == DICTIONARY


def test_the_hash_still_follows_every_input_that_is_not_a_secret(base_project: Path) -> None:
    project = _project(base_project)
    assert _hash(project, REAL, region="eu") != _hash(project, REAL, region="us")
    chart = project / "assets" / "charts" / "enrollments.yaml"
    before = _hash(project, REAL)
    chart.write_text(chart.read_text().replace("Enrollments per day.", "Per day."))
    assert _hash(project, REAL) != before


def test_a_password_written_in_a_rendered_layer_does_not_enter_the_hash(
        base_project: Path) -> None:
    """Tutor's env is a rendered layer: its database files hold the URI with the
    password in clear (init's generated layer replaces them, but they are read
    and hashed)."""
    env_layer = base_project / "env"
    (env_layer / "databases").mkdir(parents=True)
    database = env_layer / "databases" / "clickhouse.yaml"
    config = base_project / "aspects-assets.yaml"
    config.write_text(config.read_text()
                      + "assets_dir: [{path: env, rendered: true}, {path: assets}]\n")

    def stored(password: str) -> str:
        database.write_text("database_name: ClickHouse\nsqlalchemy_uri: "
                            f"clickhousedb://report:{password}@clickhouse:8123/r?x=1\n")
        return inputs_hash(load_settings(cwd=base_project, env={}), ["all"])

    record = stored(REAL)
    assert [word for word in DICTIONARY if stored(word) == record] == DICTIONARY
    database.write_text(database.read_text().replace("clickhouse:8123", "other:8123"))
    assert inputs_hash(load_settings(cwd=base_project, env={}), ["all"]) != record


def test_a_roles_file_and_a_json_template_count_but_not_the_embedding_manifest(
        base_project: Path) -> None:
    def hashed() -> str:
        return inputs_hash(load_settings(cwd=base_project, env={}), ["all"])

    before = hashed()
    (base_project / "embedded-dashboards.json").write_text('{"dashboards": []}')
    assert hashed() == before, "the import writes the manifest: it is no input"
    roles = base_project / "assets" / "roles"
    roles.mkdir()
    (roles / "roles.json").write_text("[]")
    with_roles = hashed()
    assert with_roles != before
    partial = base_project / "templates" / "partials" / "permissions.json"
    partial.parent.mkdir(parents=True)
    partial.write_text("[]")
    assert hashed() != with_roles
