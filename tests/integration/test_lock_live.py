"""Two imports at once against one Superset: the project's lock in Superset."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import project_lock

from conftest import REPO

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, superset_reset: None) -> Path:
    target = tmp_path_factory.mktemp("lock") / "project"
    target.mkdir()
    for name in ("assets", "templates", "translations"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, target / name)
    config = yaml.safe_load((REPO / "aspects-assets.yaml").read_text())
    config.update(locales=["es_419"], project="lock-test")
    (target / "aspects-assets.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def start_import(project: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aspects_assets", "import", "--format", "json", *args],
        cwd=project, env={**os.environ, **env}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def asset_count(client: SupersetClient) -> int:
    return sum(len(client.list_all(kind, ["id"]))
               for kind in ("database", "dataset", "chart", "dashboard"))


def test_an_import_waits_for_the_holder_then_completes(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    released = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with project_lock(client, "lock-test", timeout_s=5, on_wait=print):
            holding.set()
            released.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    run = start_import(project, superset_env)
    time.sleep(4)
    assert run.poll() is None, "the import must wait while another holds the lock"
    released.set()
    holder.join()
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "waiting for another import of project 'lock-test'" in err
    assert json.loads(out)["import_requests"] > 0
    leftover = client.list_all("css_template", ["template_name"])
    assert not [r for r in leftover if r["template_name"].startswith("aspects-assets-lock:")]


def test_a_held_lock_times_out_naming_the_holder(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    with project_lock(client, "lock-test", timeout_s=5, on_wait=print):
        run = start_import(project, superset_env, "--lock-timeout", "3")
        _out, err = run.communicate(timeout=120)
    assert run.returncode == 2
    assert "holds the lock" in err and "pid" in err and "Waited 3 s" in err
    assert "Traceback" not in err


def test_two_imports_started_together_end_like_one(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    config = project / "aspects-assets.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["locales"] = ["es_419", "fr_CA"]
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    runs = [start_import(project, superset_env) for _ in range(2)]
    results = [(r.wait(timeout=600), *r.communicate()) for r in runs]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    sent = sorted(json.loads(out)["import_requests"] for _, out, _ in results)
    assert sent[0] == 0, "the second run found nothing left to send"
    count = asset_count(client)
    diff = subprocess.run([sys.executable, "-m", "aspects_assets", "diff"], cwd=project,
                          env={**os.environ, **superset_env}, capture_output=True, text=True)
    assert diff.returncode == 0, diff.stdout + diff.stderr
    again = start_import(project, superset_env)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert json.loads(out)["import_requests"] == 0
    assert asset_count(client) == count
