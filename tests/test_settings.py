from __future__ import annotations

from pathlib import Path

import pytest

from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import load_settings, parse_locale_list


def test_defaults_without_a_settings_file(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    assert settings.config_file is None
    assert settings.assets_dir == tmp_path.resolve() / "assets"
    assert settings.templates_dir == tmp_path.resolve()
    assert settings.source_locale == "en"
    assert settings.project == tmp_path.name
    assert settings.superset.version == "6.1"


def test_paths_are_relative_to_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "aspects-assets.yaml"
    config.write_text("assets_dir: ../src/assets\ntranslations_dir: i18n\n")
    settings = load_settings(config, cwd=tmp_path / "conf", env={})
    assert settings.assets_dir == (tmp_path / "src" / "assets").resolve()
    assert settings.translations_dir == (tmp_path / "conf" / "i18n").resolve()


def test_environment_overrides(tmp_path: Path) -> None:
    (tmp_path / "aspects-assets.yaml").write_text(
        "locales: [fr_CA]\nsuperset: {url: http://file, username: fileuser}\n"
        "variables: {URI: 'clickhousedb://u@h/db', OTHER: x}\n"
        "variables_from_env: {URI: MY_URI}\n")
    env = {"SUPERSET_URL": "http://env:8088", "SUPERSET_USERNAME": "envuser",
           "SUPERSET_PASSWORD": "pw", "SUPERSET_DASHBOARD_LOCALES": "es-419, ar",
           "MY_URI": "clickhousedb://u:secret@h/db"}
    settings = load_settings(cwd=tmp_path, env=env, var_overrides={"OTHER": "y"})
    assert settings.locales == ("es_419", "ar")
    assert settings.superset.url == "http://env:8088"
    assert settings.superset.username == "envuser"
    assert settings.superset.password == "pw"
    assert settings.variables["URI"] == "clickhousedb://u:secret@h/db"
    assert settings.variables["OTHER"] == "y"
    assert settings.secrets == {"secret": "the password in variable URI (environment variable MY_URI)"}
    assert "pw" not in repr(settings.superset)


@pytest.mark.parametrize(("text", "expected"), [
    ('["es-419", "fr_CA", "pt-br"]', ("es_419", "fr_CA", "pt_BR")),
    ("es_419,fr_CA", ("es_419", "fr_CA")),
    ("  ", ()),
    ("ar, ar", ("ar",)),
])
def test_dashboard_locales_forms(text: str, expected: tuple[str, ...]) -> None:
    assert parse_locale_list(text, source="SUPERSET_DASHBOARD_LOCALES") == expected


@pytest.mark.parametrize("text", ['["es"', '{"es": 1}', "es, zz_QQ", "[1]"])
def test_dashboard_locales_errors(text: str) -> None:
    with pytest.raises(InputError, match="SUPERSET_DASHBOARD_LOCALES"):
        parse_locale_list(text, source="SUPERSET_DASHBOARD_LOCALES")


@pytest.mark.parametrize(("content", "key"), [
    ("superset: {url: x, token: y}\n", "superset.token"),
    ("databases: {ClickHouse: {password: x}}\n", "databases.ClickHouse.password"),
    ("locale_role_format: '{role}'\n", "locale_role_format"),
    ("lock_in_ui: maybe\n", "lock_in_ui"),
    ("variables: [a]\n", "variables"),
    ("superset: {version: latest}\n", "superset.version"),
])
def test_bad_settings_name_the_key(tmp_path: Path, content: str, key: str) -> None:
    (tmp_path / "aspects-assets.yaml").write_text(content)
    with pytest.raises(InputError) as info:
        load_settings(cwd=tmp_path, env={})
    assert f"[{key}]" in str(info.value)
    assert "aspects-assets.yaml" in str(info.value)


def test_missing_config_file_given_explicitly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="settings file not found"):
        load_settings(tmp_path / "nope.yaml", cwd=tmp_path, env={})


def test_superset_url_with_userinfo_is_refused_without_echoing_it(tmp_path: Path) -> None:
    env = {"SUPERSET_URL": "https://admin:hunter2@superset.example.com"}
    with pytest.raises(InputError) as info:
        load_settings(cwd=tmp_path, env=env)
    assert str(info.value).startswith("SUPERSET_URL: ")
    assert "SUPERSET_PASSWORD" in str(info.value)
    assert "hunter2" not in str(info.value) and "admin" not in str(info.value)


def test_secrets_of_a_run_and_where_each_came_from(tmp_path: Path) -> None:
    (tmp_path / "aspects-assets.yaml").write_text(
        "variables_from_env: {TOKEN: TEST_TOKEN, URI: TEST_URI, PW: TEST_DB_PW, "
        "ADMIN: SUPERSET_PASSWORD, PLAIN: TEST_PLAIN, LATER: TEST_LATER}\n"
        "secret_variables: [TOKEN, LATER]\n"
        "databases: {ClickHouse: {password_env: TEST_DB_PW}}\n")
    env = {"TEST_TOKEN": "tok-123456", "TEST_URI": "clickhousedb://u:p%40ss-9@h/db",
           "TEST_DB_PW": "db-pw-4321", "SUPERSET_PASSWORD": "admin-pw", "TEST_PLAIN": "plain",
           "TEST_LATER": "from-env"}
    settings = load_settings(cwd=tmp_path, env=env, var_overrides={"LATER": "from-var-1"})
    assert settings.secrets["tok-123456"] == "secret variable TOKEN (environment variable TEST_TOKEN)"
    # a URI's password, decoded and as written
    assert settings.secrets["p@ss-9"] == settings.secrets["p%40ss-9"] == (
        "the password in variable URI (environment variable TEST_URI)")
    # a variable that reads a database's or Superset's password is secret by itself
    assert settings.secrets["db-pw-4321"] == "secret variable PW (environment variable TEST_DB_PW)"
    assert settings.secrets["admin-pw"] == (
        "secret variable ADMIN (environment variable SUPERSET_PASSWORD)")
    # a secret variable set with --var is still secret; the environment's value is unused
    assert settings.secrets["from-var-1"] == "secret variable LATER (--var)"
    assert "from-env" not in settings.secrets
    assert "plain" not in settings.secrets


def test_database_password_is_a_secret_without_any_variable(tmp_path: Path) -> None:
    (tmp_path / "aspects-assets.yaml").write_text(
        "databases: {ClickHouse: {password_env: TEST_DB_PW}}\n")
    settings = load_settings(cwd=tmp_path, env={"TEST_DB_PW": "db-pw-4321"})
    assert settings.secrets == {
        "db-pw-4321": "the password of database 'ClickHouse' (environment variable TEST_DB_PW)"}


def test_any_site_embedding_is_said_by_name(tmp_path: Path) -> None:
    (tmp_path / "aspects-assets.yaml").write_text(
        "embedded_dashboards: {open: {allow_any_domain: true}, lms: {allowed_domains: [a]}}\n")
    settings = load_settings(cwd=tmp_path, env={})
    assert settings.embedded_dashboards == {"open": (), "lms": ("a",)}
