"""aspects-assets.env beside the settings: the environment's gaps filled from a file
(what `scripts/demo` writes), never a password."""

from __future__ import annotations

from pathlib import Path

import pytest

from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import load_settings

from conftest import run

SETTINGS = ("variables: {URI: 'postgresql://u@h/db'}\n"
            "variables_from_env: {URI: MY_URI}\n"
            "superset: {url: 'http://from-settings:8088'}\n")


def project(tmp_path: Path, env_file: str) -> Path:
    (tmp_path / "aspects-assets.yaml").write_text(SETTINGS)
    (tmp_path / "aspects-assets.env").write_text(env_file)
    return tmp_path


def test_the_file_fills_what_the_environment_does_not_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project(tmp_path, "# the demo\nSUPERSET_URL=http://127.0.0.1:8095\n"
                               "SUPERSET_USERNAME=admin\n"
                               "MY_URI=postgresql://postgres:XXXXXXXXXX@127.0.0.1:54336/superset\n")
    monkeypatch.delenv("SUPERSET_URL", raising=False)
    monkeypatch.delenv("MY_URI", raising=False)
    monkeypatch.setenv("SUPERSET_USERNAME", "from-the-environment")
    settings = load_settings(cwd=folder)
    assert settings.superset.url == "http://127.0.0.1:8095"
    assert settings.superset.username == "from-the-environment"  # the environment wins
    assert settings.variables["URI"] == "postgresql://postgres:XXXXXXXXXX@127.0.0.1:54336/superset"
    assert "XXXXXXXXXX" not in settings.secrets  # a masked password is no secret


def test_an_explicit_environment_is_used_alone(tmp_path: Path) -> None:
    folder = project(tmp_path, "SUPERSET_URL=http://127.0.0.1:8095\n")
    assert load_settings(cwd=folder, env={}).superset.url == "http://from-settings:8088"


@pytest.mark.parametrize(("line", "key"), [
    ("SUPERSET_PASSWORD=admin", "SUPERSET_PASSWORD"),
    ("CLICKHOUSE_PASSWORD=x", "CLICKHOUSE_PASSWORD"),
    ("MY_URI=postgresql://postgres:secret@127.0.0.1/superset", "MY_URI"),
])
def test_a_password_in_the_file_is_an_error_naming_it(tmp_path: Path, line: str,
                                                      key: str) -> None:
    folder = project(tmp_path, f"SUPERSET_URL=http://h\n{line}\n")
    with pytest.raises(InputError) as caught:
        load_settings(cwd=folder)
    assert str(caught.value).startswith(f"aspects-assets.env [{key}]: a password does not "
                                        "belong in a file")
    result = run(["validate"], folder)
    assert result.exit_code == 2
    assert "secret" not in result.output and "Traceback" not in result.output
