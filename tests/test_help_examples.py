"""Every example of every `--help` runs: the offline ones fully, on a copy of the
demo project (the project the examples are written for: its locales, its
dashboard slugs, its variables); the live ones are parsed by click here and run
against the local Superset in tests/integration/test_help_examples_live.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from help_examples import Example, all_examples, commands

from aspects_assets.cli.main import cli

from conftest import REPO, run

EXAMPLES = all_examples()
OFFLINE = [e for e in EXAMPLES if not e.live]
LIVE = [e for e in EXAMPLES if e.live]
LEGACY_LOCALE_YAML = "es_419:\n  Pipeline health: Salud del flujo de datos\n"


def demo_copy(tmp_path: Path) -> Path:
    """The demo project (settings, assets, templates, catalogs) in a folder of its own,
    with an Aspects `locale.yaml` where the import-legacy example looks for it."""
    project = tmp_path / "demo"
    project.mkdir()
    shutil.copy(REPO / "aspects-assets.yaml", project)
    for folder in ("assets", "templates", "translations"):
        shutil.copytree(REPO / folder, project / folder)
    legacy = tmp_path / "tutor-contrib-aspects" / "locale.yaml"
    legacy.parent.mkdir()
    legacy.write_text(LEGACY_LOCALE_YAML)
    return project


def test_every_command_has_examples_and_some_run_offline() -> None:
    documented = {e.help_of for e in EXAMPLES}
    assert documented >= {name for name, _ in commands()} | {""}
    assert len(OFFLINE) >= 10 and len(LIVE) >= 6


@pytest.mark.parametrize("example", OFFLINE, ids=[e.line for e in OFFLINE])
def test_offline_example_runs(example: Example, tmp_path: Path,
                              request: pytest.FixtureRequest) -> None:
    project = demo_copy(tmp_path)
    env = {"SUPERSET_DASHBOARD_LOCALES": "", **example.env}
    if example.args[0] == "init":  # beside a real Tutor root, with `tutor` on the PATH
        root: Path = request.getfixturevalue("tutor_root")
        bin_dir: Path = request.getfixturevalue("tutor_bin")
        (tmp_path / "tutor-root").symlink_to(root)
        env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", TUTOR_ROOT=str(root),
                   TUTOR_PLUGINS_ROOT=str(root.parent / "tutor-plugins"))
    result = run(list(example.args), project, env=env)
    allowed = {0, 1} if example.may_exit_1 else {0}
    assert result.exit_code in allowed, f"{example.line}\n{result.output}"


@pytest.mark.parametrize("example", LIVE, ids=[e.line for e in LIVE])
def test_live_example_parses(example: Example, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Options and arguments as printed are the command's (or the global ones):
    the command itself is replaced, the parsing is click's."""
    reached: list[dict[str, object]] = []
    context = click.Context(cli)
    command = cli.get_command(context, example.args[0])
    assert command is not None
    monkeypatch.setattr(command, "callback", lambda **params: reached.append(params))
    project = demo_copy(tmp_path)
    result = run(list(example.args), project, env=example.env)
    assert result.exit_code == 0, f"{example.line}\n{result.output}"
    assert len(reached) == 1


def test_global_options_after_the_command_name(base_project: Path) -> None:
    """--config and --var after the command, for a command and a sub-command."""
    elsewhere = base_project.parent / "elsewhere"
    elsewhere.mkdir()
    config = str(base_project / "aspects-assets.yaml")
    for args in (["validate", "--config", config, "--var", "REPORTING=other"],
                 ["--config", config, "validate", "--var", "REPORTING=other"],
                 ["translations", "status", "--config", config, "--var", "DB_URI=x://h/d"],
                 ["translations", "--config", config, "check"]):
        result = run(args, elsewhere)
        assert result.exit_code == 0, (args, result.output)
        assert "No such option" not in result.output


def test_var_after_the_command_reaches_the_templates(base_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    result = run(["--var", "REPORTING=before", "build", "--out", str(out),
                  "--var", "REPORTING=after_the_command"], base_project)
    assert result.exit_code == 0, result.output
    dataset = next(out.rglob("datasets/**/*.yaml")).read_text()
    assert "after_the_command.fact_enrollments" in dataset  # the later value wins
    assert "before" not in dataset


def test_config_after_the_command_wins(base_project: Path) -> None:
    missing = base_project / "missing.yaml"
    result = run(["--config", "aspects-assets.yaml", "validate", "--config", str(missing)],
                 base_project)
    assert result.exit_code == 2
    assert "missing.yaml: settings file not found" in result.output


@pytest.mark.parametrize("where", ["before", "after"])
def test_var_nothing_uses_is_an_error_naming_it(base_project: Path, where: str) -> None:
    args = ["--var", "REPORTNG=x", "validate"] if where == "before" else \
        ["validate", "--var", "REPORTNG=x"]
    result = run(args, base_project)
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: --var [REPORTNG]: no asset template, included "
                                     "template or setting uses this variable; did you mean "
                                     "REPORTING?")
    assert "Traceback" not in result.output


def test_var_used_only_by_an_included_template(base_project: Path) -> None:
    """A name no settings value has, read only by a template that an asset includes."""
    sql = base_project / "templates" / "enrollments.sql"
    sql.write_text(sql.read_text().replace("enrollment_mode", "{{ MODE_COLUMN }}"))
    assert run(["validate"], base_project).exit_code == 2  # undefined without it
    result = run(["validate", "--var", "MODE_COLUMN=enrollment_mode"], base_project)
    assert result.exit_code == 0, result.output


def test_var_declared_in_settings_but_unused_is_accepted(base_project: Path) -> None:
    settings = base_project / "aspects-assets.yaml"
    settings.write_text(settings.read_text() + "variables_from_env: {SPARE: MY_SPARE}\n")
    assert run(["validate", "--var", "SPARE=1"], base_project).exit_code == 0


def test_help_lists_the_global_options_on_every_command() -> None:
    for name, _command in commands():
        result = CliRunner().invoke(cli, [*name.split(), "--help"])
        assert "--config" in result.output and "--var NAME=VALUE" in result.output, name
