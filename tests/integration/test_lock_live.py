"""Two imports at once against one Superset: the project's lock in Superset."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
import yaml

from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import LEASE_ENV, list_locks, lock_name, project_lock

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


# -- a dead holder, a stale lease, and `unlock` ------------------------------------------


def set_locales(project: Path, locales: list[str]) -> None:
    config = project / "aspects-assets.yaml"
    settings = yaml.safe_load(config.read_text())
    settings["locales"] = locales
    config.write_text(yaml.safe_dump(settings, sort_keys=False))


def read_until(stream: IO[str], needle: str) -> str:
    """What a run printed on `stream` up to the line that holds `needle`."""
    seen = ""
    for line in iter(stream.readline, ""):
        seen += line
        if needle in line:
            return seen
    raise AssertionError(f"the run ended without saying {needle!r}:\n{seen}")


def holding_import(project: Path, env: dict[str, str],
                   client: SupersetClient) -> subprocess.Popen[str]:
    """An import that holds the lock and is at work: it waited for a holder in
    this test, which then let go, and said it took the lock."""
    released = threading.Event()
    holding = threading.Event()

    def hold() -> None:
        with project_lock(client, "lock-test", timeout_s=5, on_wait=print):
            holding.set()
            released.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    run = start_import(project, env)
    assert run.stderr is not None
    try:
        read_until(run.stderr, "waiting for another import of project 'lock-test'")
    finally:
        released.set()
        holder.join()
    read_until(run.stderr, "took the lock of project 'lock-test' after waiting")
    return run


def other_host_lock(client: SupersetClient, lease_s: float) -> int:
    """A lock row as a run on another machine writes it."""
    now = time.time()
    data = {"holder": "ci@runner-elsewhere (pid 4242)", "token": "t", "since": now,
            "renewed": now, "beat": 0, "lease_s": lease_s, "until": now + lease_s,
            "host": "runner-elsewhere", "pid": 4242, "started": "1", "boot": "b",
            "pidns": "pid:[1]"}
    return client.create_css_template(lock_name("lock-test"), f"/*{json.dumps(data)}*/")


def test_an_import_killed_while_holding_the_lock_is_taken_over_at_once(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    set_locales(project, ["es_419", "fr_CA", "ar"])  # a new locale: work to be killed in
    killed = holding_import(project, superset_env, client)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert killed.stderr is not None and killed.stdout is not None
    killed.stderr.close()
    killed.stdout.close()
    left = list_locks(client, "lock-test")
    assert [lock.data["pid"] for lock in left] == [killed.pid], "kill -9 leaves its row"
    again = start_import(project, superset_env)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert (f"note: took over the lock of project 'lock-test' from {left[0].who()}: its "
            f"process (pid {killed.pid}) on this host is gone") in err
    assert "waiting for another import" not in err, "it went on at once"
    assert json.loads(out)["import_requests"] > 0
    assert list_locks(client, "lock-test") == []


def test_a_frozen_holder_loses_its_lease(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    """A holder that stops renewing (stopped, as a machine cut off would be) keeps
    its process but loses the lock once its lease, set short here by
    ASPECTS_ASSETS_LOCK_LEASE, has passed without a renewal."""
    set_locales(project, ["es_419", "fr_CA", "ar", "pt_BR"])
    frozen = holding_import(project, {**superset_env, LEASE_ENV: "5"}, client)
    try:
        # Stopped right after it took the lock: however fast its import would have
        # been, it holds the lock and renews nothing (the renewals themselves are
        # tested in tests/test_lock.py, with a clock of the test's).
        frozen.send_signal(signal.SIGSTOP)
        [held] = list_locks(client, "lock-test")
        assert held.lease_s == 5 and held.data["pid"] == frozen.pid
        again = start_import(project, superset_env)
        out, err = again.communicate(timeout=300)
    finally:
        frozen.kill()
        frozen.communicate()
    assert again.returncode == 0, err
    assert "waiting for another import of project 'lock-test'" in err
    assert (f"note: took over the lock of project 'lock-test' from {held.who()}: its lease "
            "was not renewed for 5 s") in err
    assert json.loads(out)["import_requests"] > 0


def test_a_stale_lease_of_another_host_is_taken_after_its_lease(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    other_host_lock(client, lease_s=4)
    run = start_import(project, superset_env)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert "waiting for another import of project 'lock-test' to finish (lock held by " \
           "ci@runner-elsewhere (pid 4242)" in err
    assert "`aspects-assets unlock` removes a lock by hand" in err
    assert ("from ci@runner-elsewhere (pid 4242), since " in err
            and "its lease was not renewed for 4 s" in err)
    assert json.loads(out)["import_requests"] >= 0
    assert list_locks(client, "lock-test") == []


def unlock(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aspects_assets", "unlock", *args],
                          cwd=project, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def test_unlock_shows_the_holder_and_removes_the_lock_with_yes(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    pk = other_host_lock(client, lease_s=120)
    refused = unlock(project, superset_env)
    assert refused.returncode == 1, refused.stderr
    assert "ci@runner-elsewhere (pid 4242)" in refused.stderr and "lease 120 s" in refused.stderr
    assert "Not on a terminal: run again with --yes to remove the lock." in refused.stderr
    assert [lock.pk for lock in list_locks(client, "lock-test")] == [pk]

    done = unlock(project, superset_env, "--yes", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["removed"] == [pk] and report["project"] == "lock-test"
    assert report["locks"][0]["holder"] == "ci@runner-elsewhere (pid 4242)"
    assert report["locks"][0]["process_alive"] is None, "another machine's process: unknown"
    assert list_locks(client, "lock-test") == []

    nothing = unlock(project, superset_env)
    assert nothing.returncode == 0, nothing.stderr
    assert "project 'lock-test' holds no lock in" in nothing.stdout


def test_unlock_asks_on_a_terminal(
    project: Path, superset_env: dict[str, str], client: SupersetClient
) -> None:
    """Answered no, the lock stays (exit 1); answered yes, it goes."""
    pk = other_host_lock(client, lease_s=120)
    for answer, code, left in (("n", 1, [pk]), ("y", 0, [])):
        returncode, said = unlock_on_a_terminal(project, superset_env, answer)
        assert returncode == code, said
        assert "ci@runner-elsewhere (pid 4242)" in said
        assert [lock.pk for lock in list_locks(client, "lock-test")] == left
    assert "removed the lock of project 'lock-test'" in said


def unlock_on_a_terminal(project: Path, env: dict[str, str], answer: str) -> tuple[int, str]:
    """`unlock` run on a pseudo-terminal, given `answer` when it asks."""
    terminal, its_end = pty.openpty()
    run = subprocess.Popen([sys.executable, "-m", "aspects_assets", "unlock"], cwd=project,
                           env={**os.environ, **env, "NO_COLOR": "1"}, stdin=its_end,
                           stdout=its_end, stderr=its_end)
    os.close(its_end)
    said = b""
    while True:
        try:
            chunk = os.read(terminal, 1024)
        except OSError:  # EIO: the run ended and closed the terminal
            break
        if not chunk:
            break
        said += chunk
        if answer and b"Remove it?" in said:
            os.write(terminal, answer.encode() + b"\n")
            answer = ""
    os.close(terminal)
    return run.wait(timeout=60), said.decode()
