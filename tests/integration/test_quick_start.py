"""The README's quick start, as a person follows it: every command of its section,
in the order printed, in a fresh copy of the checkout (sharing its `.venv/` and
the local Superset's state), with nothing in the environment but what a shell
has and the local Superset's port. `make test` is left out: it is the suite this
test belongs to. A comment `# exit N` on a line is the exit code it must have
(0 otherwise)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO, SUPERSET_URL

pytestmark = pytest.mark.integration

NOT_RUN = {"make test"}
NOT_COPIED = {".git", ".venv", ".superset", "aspects-assets.env", "embedded-dashboards.json",
              "backups", ".aspects-assets", ".pytest_cache", ".mypy_cache", ".ruff_cache",
              "__pycache__"}


def quick_start_commands(readme: str) -> list[str]:
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [line for block in blocks for line in block.splitlines()
            if line.strip() and line.split("#")[0].strip() not in NOT_RUN]


def expected_exit(line: str) -> int:
    found = re.search(r"#\s*exit (\d)", line)
    return int(found.group(1)) if found else 0


def checkout_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "checkout"
    shutil.copytree(REPO, copy, ignore=lambda _d, names: [n for n in names if n in NOT_COPIED])
    # The checkout's virtualenv, seen from the copy (links), marked installed there
    # so that make does not reinstall it from the copy.
    venv = REPO / ".venv"
    for entry in venv.iterdir():
        if entry.name != "bin":
            (copy / ".venv" / entry.name).parent.mkdir(exist_ok=True)
            (copy / ".venv" / entry.name).symlink_to(entry)
    (copy / ".venv" / "bin").mkdir()
    for entry in (venv / "bin").iterdir():
        if entry.name != ".installed":
            (copy / ".venv" / "bin" / entry.name).symlink_to(entry)
    (copy / ".venv" / "bin" / ".installed").touch()
    return copy


def test_the_quick_start_works_as_printed(tmp_path: Path, superset_env: dict[str, str],
                                          superset_reset: None) -> None:
    commands = quick_start_commands((REPO / "README.md").read_text())
    assert commands[0].startswith("make demo")
    assert any("aspects-assets import" in c for c in commands)
    assert sum("aspects-assets diff" in c for c in commands) == 2
    copy = checkout_copy(tmp_path)
    env = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)),
        "SUPERSET_LOCAL_PORT": str(urlsplit(SUPERSET_URL).port or 8088),
        "SUPERSET_LOCAL_HOME": os.environ.get("SUPERSET_LOCAL_HOME", str(REPO / ".superset")),
    }
    exports: list[str] = []
    outputs: dict[str, str] = {}
    for line in commands:
        result = subprocess.run(["bash", "-c", "\n".join([*exports, line])], cwd=copy, env=env,
                                capture_output=True, text=True, timeout=900, check=False)
        output = result.stdout + result.stderr
        assert result.returncode == expected_exit(line), f"{line}\n{output[-3000:]}"
        outputs[line] = output
        if line.startswith("export "):
            exports.append(line)
    env_file = (copy / "aspects-assets.env").read_text()
    assert f"SUPERSET_URL={SUPERSET_URL}" in env_file
    metadata_password = urlsplit(superset_env["ASPECTS_SUPERSET_METADATA_URI"]).password
    assert metadata_password and metadata_password not in env_file
    assert "ASPECTS_SUPERSET_METADATA_URI=postgresql+psycopg2://postgres:XXXXXXXXXX@" in env_file
    assert "SUPERSET_PASSWORD=" not in env_file
    imported = next(o for c, o in outputs.items() if "aspects-assets import" in c)
    charts = next(line for line in imported.splitlines() if line.strip().startswith("charts"))
    assert re.search(r"updated\s+5\b", charts), imported  # the chart and its 4 copies
    # The new title has no translation yet: import and the diff after it say so.
    last_diff = outputs[commands[-1]]
    for locale in ("es_419", "fr_CA", "ar", "pt_BR"):
        said = f"{locale}: 1 text(s) will show in en (1 untranslated, 0 fuzzy)"
        assert said in imported.splitlines() and said in last_diff.splitlines()
