"""What Open edX Aspects 6.1.0's Superset init job does, run on the local Superset.

The job (`jobs/init/superset/init-superset.sh` of the plugin, in Aspects' Superset
image) runs `superset db upgrade` and `superset init` (scripts/superset-local did),
creates the admin and LMS users of Tutor's configuration (`create_assets.py` imports
as that admin), runs `superset fab import-roles -p /app/security/roles.json`, then
`scripts/import-assets.sh`: a `metadata.yaml` under `/app/assets/superset/` and
`python /app/pythonpath/create_assets.py`. The script reads fixed paths, mounted by
Tutor's docker-compose from its env: `/app/pythonpath` (itself and its `openedx/`
package), `/app/openedx-assets/assets` (the rendered assets), `/app/security`, and
`/app/localization/{locale.yaml,datasets_strings.yaml}` (baked into the image:
`locale.yaml` from openedx-translations through `atlas pull`, which needs the
network, so here the legacy file of the corpus stands in). Here `/app` is laid out
the same way with links into a Tutor root that `tutor config save` rendered, and the
script runs with the local Superset's Python and configuration (the same metadata
database as the Superset on the test port), with what it imports beyond Superset
(`sqlfmt`, `ruamel.yaml`) from a folder of its own on PYTHONPATH, never installed
into Superset's virtualenv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

APP = Path("/app")
TESTS = Path(__file__).parent
REQUIREMENTS = TESTS / "tutor" / "aspects-init-requirements.txt"


def superset_home() -> Path:
    return Path(os.environ.get("SUPERSET_LOCAL_HOME", TESTS.parent / ".superset"))


def superset_python(version: str = "6.1.0") -> Path:
    return superset_home() / f"venv-{version}" / "bin" / "python"


def superset_config(port: int, version: str = "6.1.0") -> Path:
    """The configuration scripts/superset-local wrote for the Superset on `port`
    (PostgreSQL metadata): its metadata URI and secret key."""
    return superset_home() / f"state-{version}-{port}" / "superset_config.py"


def script_site(cache: Path, python: Path) -> Path:
    """A folder with the script's own imports for `python`, built once per list
    (the copy of the requirements in it, written last, says it is complete)."""
    site = cache / "aspects-init-site"
    marker = site / "requirements.txt"
    if marker.is_file() and marker.read_text() == REQUIREMENTS.read_text():
        return site
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--no-deps", "--target", str(site), "-r", str(REQUIREMENTS)], check=True)
    shutil.copy(REQUIREMENTS, marker)
    return site


def lay_out_app(tutor_root: Path, locale_yaml: Path) -> None:
    """/app as the init job's container sees it. Refuses an /app it did not make,
    so that the test never writes over a real one."""
    if APP.exists() and not (APP / ".aspects-assets-test").exists():
        raise RuntimeError(f"{APP} exists and is not this test's: not touching it")
    clear_app()
    plugin = tutor_root / "env" / "plugins" / "aspects"
    superset = plugin / "apps" / "superset"
    APP.mkdir()
    (APP / ".aspects-assets-test").write_text("made by tests/aspects_init_job.py\n")
    for name in ("pythonpath", "security", "scripts"):
        (APP / name).symlink_to(superset / name)
    (APP / "openedx-assets").symlink_to(plugin / "build" / "aspects-superset" / "openedx-assets")
    localization = APP / "localization"
    localization.mkdir()
    built = plugin / "build" / "aspects-superset" / "localization"
    shutil.copy(built / "datasets_strings.yaml", localization / "datasets_strings.yaml")
    # compile_translations.py's output is this legacy format; the corpus file ends
    # with a Tutor patch placeholder, which that compilation would have filled.
    text = "".join(line for line in locale_yaml.read_text().splitlines(True)
                   if "patch(" not in line)
    (localization / "locale.yaml").write_text(text)


def clear_app() -> None:
    if (APP / ".aspects-assets-test").exists():
        shutil.rmtree(APP)


def run_init_job(tutor_root: Path, locale_yaml: Path, *, port: int, cache: Path) -> str:
    """import-roles, then import-assets.sh's steps; the output of both. /app is
    removed afterwards, whatever happened."""
    python = superset_python()
    site = script_site(cache, python)
    env = {**os.environ, "SUPERSET_CONFIG_PATH": str(superset_config(port)),
           "FLASK_APP": "superset", "PYTHONPATH": f"/app/pythonpath:{site}"}
    superset = str(python.parent / "superset")
    config = yaml.safe_load((tutor_root / "config.yml").read_text())
    lay_out_app(tutor_root, locale_yaml)
    try:
        out = ""
        # Tutor's SUPERSET_ADMIN_EMAIL and SUPERSET_LMS_EMAIL defaults (plugin.py).
        for user, first, email in (("ADMIN", "Superset", "admin@openedx.org"),
                                   ("LMS", "LMS", "superset/lms-admin@aspects.invalid")):
            out += _run([superset, "fab", "create-admin",
                         "--username", config[f"SUPERSET_{user}_USERNAME"],
                         "--password", config[f"SUPERSET_{user}_PASSWORD"],
                         "--firstname", first, "--lastname", "Admin",
                         "--email", email], env, cwd=APP)
        out += _run([superset, "fab", "import-roles", "-p", "/app/security/roles.json"],
                    env, cwd=APP)
        assets = APP / "assets" / "superset"
        assets.mkdir(parents=True)
        (assets / "metadata.yaml").write_text(
            "version: 1.0.0\ntype: assets\ntimestamp: '2026-10-21T00:00:00.000000+00:00'\n")
        out += _run([str(python), "/app/pythonpath/create_assets.py"], env, cwd=APP / "assets")
        return out
    finally:
        clear_app()


def _run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n"
                           f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return done.stdout + done.stderr
