from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from aspects_assets.cli.main import cli
from aspects_assets.run.render_cache import CACHE_VARIABLE

TESTS = Path(__file__).parent
REPO = TESTS.parent
DATA = TESTS / "data"
BASE_PROJECT = DATA / "base"
# The real Aspects assets live beside the checkout, never inside it.
CORPUS = TESTS.parent.parent / "shared" / "corpus"

CORPUS_VARIABLES = {
    "DBT_PROFILE_TARGET_DATABASE": "reporting",
    "ASPECTS_XAPI_DATABASE": "xapi",
    "ASPECTS_EVENT_SINK_DATABASE": "event_sink",
    "SUPERSET_DB_NAME": "superset",
    "CLICKHOUSE_REPORT_SQLALCHEMY_URI": "clickhousedb://report:XXXXXXXXXX@clickhouse:8123/reporting",
    "SUPERSET_METADATA_SQLALCHEMY_URI": "postgresql://superset:XXXXXXXXXX@db:5432/superset",
    "SUPERSET_ROLES_MAPPING": {"instructor": "Instructor", "operator": "Operator"},
    "ASPECTS_COURSE_OVERVIEW_HELP_MARKDOWN": "<div>Course overview help</div>",
    "ASPECTS_INDIVIDUAL_LEARNER_HELP_MARKDOWN": "<div>Individual learner help</div>",
    "ASPECTS_LEARNER_GROUPS_HELP_MARKDOWN": "<div>Learner groups help</div>",
    "ASPECTS_OPERATOR_HELP_MARKDOWN": "<div>Operator help</div>",
    "ASPECTS_COURSE_COMPARISON_HELP_MARKDOWN": "<div>Course comparison help</div>",
}
# The one known defect of aspects-2026-07 (see the corpus README) and its fix.
DEFECT_UUID = "f89c07c4-aa3f-527e-84fb-3d4e71ffc777"
DEFECT_FIX_UUID = "f13a4d42-2f44-58a4-99d2-2f480d63fdf1"


@pytest.fixture(autouse=True, scope="session")
def render_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The render cache (`run.render_cache`) in a folder of the test session's own,
    never the user's."""
    os.environ[CACHE_VARIABLE] = str(tmp_path_factory.mktemp("render-cache"))


def legacy_locales(locale_yaml: Path) -> list[str]:
    """The locales of an Aspects `locale.yaml` (without its Tutor patch line)."""
    import yaml

    text = "".join(line for line in locale_yaml.read_text().splitlines(True)
                   if "patch(" not in line)
    return sorted(code for doc in yaml.safe_load_all(text) if doc for code in doc)


def corpus_with_catalogs(tmp_path: Path, locales: list[str] | None = None,
                         **settings: object) -> tuple[Path, list[str]]:
    """aspects-2024-08 with `.po` catalogs made from its `locale.yaml` through
    import-legacy, for `locales` (default: all 24 of them)."""
    from aspects_assets.core.i18n.extract import Planned, import_legacy
    from aspects_assets.project.settings import load_settings

    corpus = corpus_dir("aspects-2024-08")
    chosen = locales or legacy_locales(corpus / "locale.yaml")
    project = corpus_project(tmp_path, "aspects-2024-08", locales=chosen, **settings)
    loaded = load_settings(cwd=project, env={})
    Planned(import_legacy(loaded, corpus / "locale.yaml").files).write()
    return project, chosen


def render_into(project: Path, out: Path, env: dict[str, str] | None = None) -> Path:
    """The asset sources of the project in `project` rendered into `out` (same paths
    below it), as `tutor config save` renders Aspects' assets into Tutor's env: the
    templates' own Jinja resolved, Superset's `{% raw %}` blocks left bare."""
    from aspects_assets.project.render import jinja_environment, render_text, source_files
    from aspects_assets.project.settings import load_settings

    settings = load_settings(cwd=project, env=env or {})
    jinja = jinja_environment(settings.templates_dir)
    for _kind, path in source_files(settings):
        text, problem = render_text(jinja, path.read_text(), dict(settings.variables),
                                    str(path))
        assert problem is None and text is not None, problem
        target = out / path.relative_to(settings.assets_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return out


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in `cwd` as a user would, in-process."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def run_cli(project: Path, env: dict[str, str], *args: str) -> tuple[int, str, dict[str, Any]]:
    """Run the CLI in `project`: its exit code, its output, and its JSON when asked
    for with `--format` (and it did not fail); never a traceback."""
    result = run(list(args), project, env=env)
    assert "Traceback" not in result.output, result.output
    data = json.loads(result.stdout) if "--format" in args and result.exit_code < 2 else {}
    return result.exit_code, result.output, data


@pytest.fixture
def base_project(tmp_path: Path) -> Path:
    """A copy of the small valid test project, free to change."""
    target = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, target)
    return target


def repo_project(target: Path, project: str, locales: list[str]) -> Path:
    """A copy of the repository's own asset set in `target`, as `project`, in these
    locales."""
    import yaml

    target.mkdir()
    for name in ("assets", "templates", "translations"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, target / name)
    config = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    config["locales"] = locales
    config["project"] = project
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def configure(project: Path, **changes: object) -> Path:
    """`project` with these keys of its settings file changed."""
    import yaml

    config_file = project / "aspects-assets.yaml"
    config = yaml.safe_load(config_file.read_text())
    config.update(changes)
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True))
    return project


def corpus_dir(name: str) -> Path:
    path = CORPUS / name
    if not path.is_dir():
        pytest.skip(f"the real corpus is not here ({path}): a clone outside the workspace")
    return path


def corpus_project(tmp_path: Path, name: str, *, fixed: bool = True, **settings: object) -> Path:
    """A settings file that points at a corpus; for 2026-07 a temporary copy of
    its assets with the documented defect fixed (unless fixed=False)."""
    import yaml

    source = corpus_dir(name)
    assets = source / "assets"
    if name == "aspects-2026-07" and fixed:
        assets = tmp_path / "assets"
        shutil.copytree(source / "assets", assets)
        operator = assets / "dashboards" / "Operator_Dashboard.yaml"
        operator.write_text(operator.read_text().replace(DEFECT_UUID, DEFECT_FIX_UUID))
    config = {
        "assets_dir": str(assets),
        "templates_dir": str(source / "templates"),
        "project": f"corpus-{name}",
        "variables": CORPUS_VARIABLES,
        **settings,
    }
    (tmp_path / "aspects-assets.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


# -- the real local Superset (scripts/superset-local) -----------------------------------

SUPERSET_URL = os.environ.get("SUPERSET_URL", "http://127.0.0.1:8088")


@pytest.fixture(scope="session")
def superset_env() -> dict[str, str]:
    """The environment a CLI run needs to reach the test Superset; fails loudly
    when it is not up."""
    import requests

    try:
        requests.get(f"{SUPERSET_URL}/health", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        pytest.fail(f"no Superset at {SUPERSET_URL} ({exc}): start it with "
                    "`scripts/superset-local start` (make test does)")
    return {"SUPERSET_URL": SUPERSET_URL,
            "SUPERSET_USERNAME": os.environ.get("SUPERSET_USERNAME", "admin"),
            "SUPERSET_PASSWORD": os.environ.get("SUPERSET_PASSWORD", "admin"),
            "SUPERSET_DASHBOARD_LOCALES": "",
            # Our "Superset Metadata" database reads the test Superset's own
            # PostgreSQL, as in the demo (Superset 5.0 fails an import whose
            # PostgreSQL database it cannot reach).
            "ASPECTS_SUPERSET_METADATA_URI": _superset_local("metadata-uri").strip()}


def _superset_local(command: str) -> str:
    """Run scripts/superset-local for the test Superset (its port and version)."""
    import subprocess
    from urllib.parse import urlsplit

    env = {**os.environ, "SUPERSET_LOCAL_PORT": str(urlsplit(SUPERSET_URL).port or 8088)}
    if "ASPECTS_TEST_SUPERSET_VERSION" in os.environ:
        env["SUPERSET_VERSION"] = os.environ["ASPECTS_TEST_SUPERSET_VERSION"]
    result = subprocess.run([str(REPO / "scripts" / "superset-local"), command], env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"scripts/superset-local {command} failed: {result.stderr[-2000:]}")
    return result.stdout


@pytest.fixture(scope="module")
def superset_reset(superset_env: dict[str, str]) -> None:
    """An empty Superset for the module: asset sets of different modules share
    database names and slugs, which Superset keeps unique."""
    _superset_local("reset")


@pytest.fixture
def client(superset_env: dict[str, str]):  # type: ignore[no-untyped-def]
    from aspects_assets.superset.client import SupersetClient

    return SupersetClient(superset_env["SUPERSET_URL"], superset_env["SUPERSET_USERNAME"],
                          superset_env["SUPERSET_PASSWORD"])


@pytest.fixture(scope="session")
def aspects_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tutor-contrib-aspects 6.1.0 package from PyPI, unpacked: its
    `tutoraspects/` folder (roles, row-level security, retired uuids)."""
    import subprocess
    import sys
    import zipfile

    folder = tmp_path_factory.mktemp("aspects-wheel")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                    "--disable-pip-version-check", "tutor-contrib-aspects==6.1.0",
                    "-d", str(folder)], check=True, capture_output=True)
    wheel = next(folder.glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder / "unpacked")
    return folder / "unpacked" / "tutoraspects"


# -- the real Tutor with tutor-contrib-aspects 6.1.0 (no Docker) -----------------------

TUTOR_REQUIREMENTS = TESTS / "tutor" / "requirements.txt"
# Built once per checkout (a fresh clone builds it on its first run), outside git.
TUTOR_VENV = REPO / ".cache" / "tutor-aspects-6.1.0"
TUTOR_LOCALES = ["en", "fr_CA", "es_419"]
# A plugin of the test's own that fills the patch Aspects reads extra translations from.
EXTRA_TRANSLATIONS_PLUGIN = """\
name: aspects_assets_test
version: 0.0.1
patches:
  superset-extra-asset-translations: |
    fr_CA:
      Course Dashboard: Tableau de bord du cours (test)
"""


def _build_tutor_venv() -> Path:
    """The test virtualenv, made in place; the copy of the requirements in it, written
    last, says it is complete (and for which list), so a build cut short is redone."""
    import subprocess
    import sys

    marker = TUTOR_VENV / "requirements.txt"
    if marker.is_file() and marker.read_text() == TUTOR_REQUIREMENTS.read_text():
        return TUTOR_VENV / "bin"
    shutil.rmtree(TUTOR_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(TUTOR_VENV)],
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(TUTOR_VENV / "bin/python"),
                    "install", "-q", "--no-deps", "-r", str(TUTOR_REQUIREMENTS)], check=True)
    shutil.copy(TUTOR_REQUIREMENTS, marker)
    return TUTOR_VENV / "bin"


@pytest.fixture(scope="session")
def tutor_bin() -> Path:
    """The bin folder of a virtualenv with the real `tutor` and tutor-contrib-aspects."""
    return _build_tutor_venv()


def tutor(bin_dir: Path, root: Path, *args: str, plugins_root: Path | None = None) -> str:
    """Run the real `tutor` on `root`; its output."""
    import subprocess

    env = {**os.environ, "TUTOR_ROOT": str(root),
           "TUTOR_PLUGINS_ROOT": str(plugins_root or root.parent / "tutor-plugins")}
    done = subprocess.run([str(bin_dir / "tutor"), *args], env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_tutor_root(bin_dir: Path, where: Path, locales: list[str]) -> Path:
    """A Tutor root with Aspects enabled, rendered for `locales`, and the test
    plugin that fills the extra-translations patch."""
    import json

    plugins = where / "tutor-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "aspects_assets_test.yml").write_text(EXTRA_TRANSLATIONS_PLUGIN)
    root = where / "tutor-root"
    tutor(bin_dir, root, "plugins", "enable", "aspects", "aspects_assets_test",
          plugins_root=plugins)
    tutor(bin_dir, root, "config", "save", "--set",
          f"SUPERSET_DASHBOARD_LOCALES={json.dumps(locales)}", plugins_root=plugins)
    return root


@pytest.fixture(scope="session")
def tutor_root(tutor_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Tutor root for the session (read only: copy it to change it)."""
    return make_tutor_root(tutor_bin, tmp_path_factory.mktemp("tutor"), TUTOR_LOCALES)
