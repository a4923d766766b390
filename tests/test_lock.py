"""The lock's rules on rows a real server cannot be made to show on cue (the live
test, tests/integration/test_lock_live.py, runs two imports against Superset)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, cast

import pytest

from aspects_assets.model.errors import InputError, LockTimeout, SupersetError
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import (
    LEASE_ENV,
    LEASE_S,
    Clock,
    Heartbeat,
    Process,
    Processes,
    lease_from_env,
    list_locks,
    lock_name,
    project_lock,
)

NAME = lock_name("p")


class Templates:
    """CSS templates as Superset keeps them; `listing` may show more than the filter."""

    def __init__(self, rows: dict[int, tuple[str, str]], *, unfiltered: bool = False) -> None:
        self.rows = dict(rows)
        self.next_id = max(rows, default=0) + 1
        self.unfiltered = unfiltered
        self.deleted: list[int] = []
        self.renewed = threading.Event()

    def list_all(self, endpoint: str, columns: Any, filters: Any) -> list[dict[str, Any]]:
        wanted = filters[0]["value"]
        return [{"id": pk, "template_name": name, "css": css}
                for pk, (name, css) in self.rows.items()
                if self.unfiltered or name == wanted]

    def create_css_template(self, name: str, css: str) -> int:
        pk, self.next_id = self.next_id, self.next_id + 1
        self.rows[pk] = (name, css)
        return pk

    def update_css_template(self, pk: int, name: str, css: str) -> None:
        if pk not in self.rows:
            raise SupersetError("Superset answered 404 to PUT", status=404)
        self.rows[pk] = (name, css)
        self.renewed.set()

    def delete_css_template(self, pk: int) -> None:
        if pk not in self.rows:
            raise SupersetError("Superset answered 404 to DELETE", status=404)
        self.deleted.append(pk)
        del self.rows[pk]

    def lock(self, pk: int) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.rows[pk][1][2:-2])
        return data


def lock_css(holder: str, until: float) -> str:
    return "/*" + json.dumps({"holder": holder, "since": 0, "until": until}) + "*/"


def hold(templates: Templates, **kwargs: Any) -> list[str]:
    said: list[str] = []
    client = cast(SupersetClient, templates)
    with project_lock(client, "p", timeout_s=kwargs.pop("timeout_s", 5), on_wait=said.append,
                      poll_s=0.01, **kwargs):
        said.append(f"held {sorted(pk for pk, (n, _) in templates.rows.items() if n == NAME)}")
    return said


def test_takes_a_free_lock_and_leaves_nothing_behind() -> None:
    templates = Templates({})
    assert hold(templates) == ["held [1]"]
    assert templates.rows == {}


def test_never_deletes_a_row_that_is_not_a_lock() -> None:
    """Not the record beside it, even if a listing showed it; not a row of the lock's
    name whose text is no lock (it is ignored)."""
    record = ("aspects-assets:p", "/* aspects-assets record */ {}")
    odd = (NAME, "body { color: red }")
    templates = Templates({3: record, 4: odd}, unfiltered=True)
    assert hold(templates) == ["held [4, 5]"]
    assert templates.rows == {3: record, 4: odd}
    assert templates.deleted == [5]


def test_an_expired_lock_is_removed_and_a_live_one_waited_for() -> None:
    templates = Templates({1: (NAME, lock_css("dead@ci (pid 1)", time.time() - 1)),
                           2: (NAME, lock_css("alive@ci (pid 2)", time.time() + 60))})
    with pytest.raises(LockTimeout, match=r"holds the lock: alive@ci \(pid 2\)"):
        hold(templates, timeout_s=0.05)
    assert templates.deleted == [1], "only the expired lock"
    assert list(templates.rows) == [2]


def test_its_own_row_removed_by_someone_else_is_taken_anew() -> None:
    templates = Templates({})
    original = templates.create_css_template
    made: list[int] = []

    def vanishing_once(name: str, css: str) -> int:
        pk = original(name, css)
        made.append(pk)
        if len(made) == 1:
            del templates.rows[pk]  # someone deleted it before the run looked again
        return pk

    templates.create_css_template = vanishing_once  # type: ignore[method-assign]
    said = hold(templates)
    assert said == ["held [2]"], "no waiting message naming an unknown holder"
    assert made == [1, 2]


# -- dead holders: the lease, and a process gone from this machine ---------------------


class FakeClock:
    """Time that passes only when the lock sleeps; `on_sleep` lets a live holder act."""

    def __init__(self) -> None:
        self.t = 0.0
        self.on_sleep: list[Callable[[float], None]] = []

    def clock(self) -> Clock:
        return Clock(monotonic=lambda: self.t, wall=lambda: 1_700_000_000 + self.t,
                     sleep=self.sleep)

    def sleep(self, seconds: float) -> None:
        self.t += seconds
        for act in self.on_sleep:
            act(self.t)


HERE = Process("ci-7", 100, "5000", "boot-a", "pid:[1]")


class FakeProcesses(Processes):
    """This machine is HERE; `running` maps the pids alive on it to their start."""

    def __init__(self, running: dict[int, str]) -> None:
        self.running = {HERE.pid: str(HERE.started), **running}

    def me(self) -> Process:
        return HERE

    def alive(self, pid: int) -> bool:
        return pid in self.running

    def started(self, pid: int) -> str | None:
        return self.running.get(pid)


def row(process: Process, *, lease_s: float = LEASE_S, beat: int = 0) -> str:
    data = {"holder": f"ci@{process.host} (pid {process.pid})", "token": "t", "since": 0,
            "renewed": 0, "beat": beat, "lease_s": lease_s, "until": 1e12, **process.as_dict()}
    return "/*" + json.dumps(data) + "*/"


def hold_at(templates: Templates, fake: FakeClock, *, running: dict[int, str] | None = None,
            timeout_s: float = 600, lease_s: float = LEASE_S) -> list[str]:
    said: list[str] = []
    with project_lock(cast(SupersetClient, templates), "p", timeout_s=timeout_s,
                      on_wait=said.append, poll_s=2, lease_s=lease_s, clock=fake.clock(),
                      processes=FakeProcesses(running or {})):
        said.append(f"held at {fake.t:.0f} s")
    return said


def test_a_lease_not_renewed_is_free_after_the_lease_with_a_note() -> None:
    elsewhere = Process("ci-9", 4242, "1", "boot-b", "pid:[1]")
    templates = Templates({1: (NAME, row(elsewhere, lease_s=120))})
    said = hold_at(templates, FakeClock())
    assert said[1:] == ["note: took over the lock of project 'p' from ci@ci-9 (pid 4242), "
                        "since 1970-01-01 00:00:00 UTC: its lease was not renewed for 120 s",
                        "took the lock of project 'p' after waiting 120 s",
                        "held at 120 s"], "taken at the first look after the lease, not before"
    assert said[0].startswith("waiting for another import of project 'p' to finish")
    assert templates.deleted[0] == 1 and templates.rows == {}


def test_the_lease_is_the_one_the_holder_declared() -> None:
    elsewhere = Process("ci-9", 4242, "1", "boot-b", "pid:[1]")
    templates = Templates({1: (NAME, row(elsewhere, lease_s=10))})
    assert hold_at(templates, FakeClock(), lease_s=300)[-1] == "held at 10 s"


def test_a_lease_renewed_in_time_is_never_taken() -> None:
    """A holder elsewhere that renews every 100 s of a 120 s lease keeps the lock for
    as long as it runs: the waiting run times out naming it."""
    elsewhere = Process("ci-9", 4242, "1", "boot-b", "pid:[1]")
    templates = Templates({1: (NAME, row(elsewhere))})
    fake = FakeClock()
    fake.on_sleep.append(lambda t: templates.update_css_template(
        1, NAME, row(elsewhere, beat=int(t // 100))) if t % 100 == 0 else None)
    with pytest.raises(LockTimeout) as timeout:
        hold_at(templates, fake, timeout_s=1000)
    assert str(timeout.value) == (
        "another import of project 'p' holds the lock: ci@ci-9 (pid 4242), since 1970-01-01 "
        "00:00:00 UTC. Waited 1000 s; run again when it is done (it is free once not renewed "
        "for 120 s, or at once when its process on this host is gone); `aspects-assets "
        "unlock` removes a lock by hand.")
    assert templates.deleted == [] and list(templates.rows) == [1]


def test_a_dead_process_on_this_machine_is_taken_over_at_once() -> None:
    gone = Process(HERE.host, 4242, "4000", HERE.boot, HERE.pidns)
    templates = Templates({1: (NAME, row(gone))})
    said = hold_at(templates, FakeClock())
    assert said == ["note: took over the lock of project 'p' from ci@ci-7 (pid 4242), since "
                    "1970-01-01 00:00:00 UTC: its process (pid 4242) on this host is gone",
                    "held at 0 s"]


def test_a_reused_pid_is_a_dead_holder() -> None:
    """Pid 4242 runs again, but a process that started later than the holder."""
    gone = Process(HERE.host, 4242, "4000", HERE.boot, HERE.pidns)
    templates = Templates({1: (NAME, row(gone))})
    said = hold_at(templates, FakeClock(), running={4242: "4900"})
    assert "its process (pid 4242) on this host is gone" in said[0]
    assert said[-1] == "held at 0 s"


def test_a_live_process_on_this_machine_is_waited_for_and_unlock_named() -> None:
    alive = Process(HERE.host, 4242, "4000", HERE.boot, HERE.pidns)
    templates = Templates({1: (NAME, row(alive))})
    fake = FakeClock()
    fake.on_sleep.append(lambda t: templates.update_css_template(
        1, NAME, row(alive, beat=int(t))))
    said: list[str] = []
    with (pytest.raises(LockTimeout, match="`aspects-assets unlock` removes a lock by hand"),
          project_lock(cast(SupersetClient, templates), "p", timeout_s=600,
                       on_wait=said.append, poll_s=2, clock=fake.clock(),
                       processes=FakeProcesses({4242: "4000"}))):
        pass
    assert said == ["waiting for another import of project 'p' to finish (lock held by "
                    "ci@ci-7 (pid 4242), since 1970-01-01 00:00:00 UTC); if that run is "
                    "gone, `aspects-assets unlock` removes a lock by hand"]
    assert templates.deleted == []


@pytest.mark.parametrize("holder", [
    Process("ci-8", 4242, "4000", HERE.boot, HERE.pidns),  # another machine
    Process(HERE.host, 4242, "4000", "boot-b", HERE.pidns),  # same name, another machine
    Process(HERE.host, 4242, "4000", HERE.boot, "pid:[2]"),  # another container
    Process(HERE.host, 4242, "4000", None, None),  # a system without /proc
], ids=["other-host", "other-boot", "other-pid-namespace", "unknown-machine"])
def test_a_pid_not_of_this_machine_is_judged_by_its_lease_only(holder: Process) -> None:
    templates = Templates({1: (NAME, row(holder))})
    with pytest.raises(LockTimeout):
        hold_at(templates, FakeClock(), timeout_s=100)
    assert templates.deleted == []
    assert "lease was not renewed for 120 s" in hold_at(templates, FakeClock())[1]


def test_a_lock_of_a_version_without_heartbeat_lasts_until_it_expires() -> None:
    """Such a holder never renews: only its `until` (taken + 15 min) frees it."""
    fake = FakeClock()
    templates = Templates({1: (NAME, lock_css("old@ci (pid 1)", 1_700_000_000 + 900))})
    with pytest.raises(LockTimeout):
        hold_at(templates, fake, timeout_s=800)
    assert templates.deleted == []
    said = hold_at(templates, FakeClock(), timeout_s=1000)
    assert "it expired 15 min after it was taken" in said[1]
    assert said[-1] == "held at 902 s"


def test_a_dead_holder_freed_by_another_run_first_is_no_error() -> None:
    gone = Process(HERE.host, 4242, "4000", HERE.boot, HERE.pidns)
    templates = Templates({1: (NAME, row(gone))})
    original = templates.delete_css_template

    def raced(pk: int) -> None:
        if pk == 1 and pk in templates.rows:
            del templates.rows[pk]  # the other run's DELETE came first
        original(pk)

    templates.delete_css_template = raced  # type: ignore[method-assign]
    assert hold_at(templates, FakeClock()) == ["held at 0 s"]


def test_the_holder_writes_where_it_runs_and_its_lease() -> None:
    templates = Templates({})
    seen: list[dict[str, Any]] = []
    with project_lock(cast(SupersetClient, templates), "p", timeout_s=5, on_wait=print,
                      lease_s=30, clock=FakeClock().clock(), processes=FakeProcesses({})):
        seen.append(templates.lock(1))
    assert seen[0] | {"token": "t"} == {
        "holder": seen[0]["holder"], "token": "t", "since": 1_700_000_000,
        "renewed": 1_700_000_000, "beat": 0, "lease_s": 30, "until": 1_700_000_030,
        "host": "ci-7", "pid": 100, "started": "5000", "boot": "boot-a", "pidns": "pid:[1]"}
    assert seen[0]["holder"].endswith("@ci-7 (pid 100)")


def test_after_waiting_it_says_it_took_the_lock() -> None:
    alive = Process(HERE.host, 4242, "4000", HERE.boot, HERE.pidns)
    templates = Templates({1: (NAME, row(alive))})
    fake = FakeClock()
    fake.on_sleep.append(lambda t: templates.rows.pop(1) if t == 6 else None)  # it ended
    said = hold_at(templates, fake, running={4242: "4000"})
    assert said[1:] == ["took the lock of project 'p' after waiting 6 s", "held at 6 s"]


# -- the heartbeat ---------------------------------------------------------------------


def heartbeat(templates: Templates, said: list[str], *, lease_s: float = 120) -> Heartbeat:
    return Heartbeat(cast(SupersetClient, templates), "p", 1,
                     lambda beat: row(HERE, beat=beat, lease_s=lease_s), lease_s, said.append)


def test_a_renewal_rewrites_the_row() -> None:
    templates = Templates({1: (NAME, row(HERE))})
    said: list[str] = []
    beats = heartbeat(templates, said)
    beats.beat()
    beats.beat()
    assert templates.lock(1)["beat"] == 2 and said == [] and not beats.lost


def test_a_failed_renewal_is_reported_and_retried() -> None:
    templates = Templates({1: (NAME, row(HERE))})
    said: list[str] = []
    beats = heartbeat(templates, said)
    update = templates.update_css_template

    def unreachable(pk: int, name: str, css: str) -> None:
        raise SupersetError("cannot reach Superset at http://x after 4 attempts")

    templates.update_css_template = unreachable  # type: ignore[method-assign]
    beats.beat()
    assert said == ["warning: could not renew the lock of project 'p' (cannot reach Superset "
                    "at http://x after 4 attempts); another run takes it over if it stays "
                    "unrenewed for 120 s"]
    templates.update_css_template = update  # type: ignore[method-assign]
    beats.beat()
    assert templates.lock(1)["beat"] == 1 and not beats.lost and len(said) == 1


def test_a_removed_row_is_reported_once_and_the_renewals_stop() -> None:
    templates = Templates({})
    said: list[str] = []
    beats = heartbeat(templates, said)
    beats.beat()
    assert beats.lost
    assert said == ["warning: the lock of project 'p' was removed while this import held it "
                    "(by `aspects-assets unlock`, or by a run that found its lease not "
                    "renewed): another import may run at the same time"]


def test_the_lock_is_renewed_while_the_block_runs_and_removed_after() -> None:
    templates = Templates({})
    said: list[str] = []
    with project_lock(cast(SupersetClient, templates), "p", timeout_s=5, on_wait=said.append,
                      lease_s=0.04):
        assert templates.renewed.wait(10), "no renewal while holding"
        assert templates.lock(1)["beat"] >= 1
    assert templates.rows == {} and said == []


def test_a_failed_removal_at_the_end_is_reported_not_raised() -> None:
    templates = Templates({})
    said: list[str] = []

    def unreachable(pk: int) -> None:
        raise SupersetError("cannot reach Superset at http://x after 4 attempts")

    templates.delete_css_template = unreachable  # type: ignore[method-assign]
    with project_lock(cast(SupersetClient, templates), "p", timeout_s=5, on_wait=said.append):
        pass
    assert said == ["warning: could not remove the lock of project 'p' (cannot reach Superset "
                    "at http://x after 4 attempts): the next run on this host takes it over "
                    "at once, one elsewhere after 120 s; `aspects-assets unlock` removes a "
                    "lock by hand"]


# -- the parts that read the real system -----------------------------------------------


def test_this_process_is_known_by_its_start_and_a_zombie_is_not_alive() -> None:
    processes = Processes()
    me = processes.me()
    assert me.pid == os.getpid() and me.started == processes.started(os.getpid())
    assert me.same_machine(processes.me())
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    started = processes.started(child.pid)
    assert processes.alive(child.pid)
    assert started is not None and started != me.started
    assert child.stdin is not None
    child.stdin.close()  # it ends; unreaped, it stays a zombie
    for _ in range(1000):
        if not processes.alive(child.pid):
            break
        time.sleep(0.01)
    assert not processes.alive(child.pid), "a zombie is no live holder"
    assert processes.started(child.pid) == started, "its pid is not free yet"
    assert child.poll() == 0
    assert not processes.alive(child.pid)


def test_a_process_that_proc_hides_is_asked_for_by_signal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc mounted with hidepid shows no other user's process: it may still run."""
    monkeypatch.setattr("aspects_assets.superset.lock._stat", lambda pid: None)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert Processes().alive(os.getpid()) and not Processes().alive(child.pid)
    assert Processes().started(os.getpid()) is None


def test_the_rows_of_other_names_are_not_listed_as_locks() -> None:
    templates = Templates({1: ("aspects-assets:p", "{}"), 2: (NAME, row(HERE))},
                          unfiltered=True)
    assert [lock.pk for lock in list_locks(cast(SupersetClient, templates), "p")] == [2]


def test_the_lease_comes_from_the_environment() -> None:
    assert lease_from_env({}) == LEASE_S == 120
    assert lease_from_env({LEASE_ENV: "6"}) == 6
    for bad in ("soon", "2", "-5", "nan", "inf"):
        with pytest.raises(InputError, match=f"{LEASE_ENV}='{bad}': expected the lock's lease"):
            lease_from_env({LEASE_ENV: bad})
