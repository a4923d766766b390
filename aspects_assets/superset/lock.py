"""One import at a time per project and Superset: a lock beside the project record.

Two CI jobs may import into one Superset at once. The lock is a CSS template
named `aspects-assets-lock:<project>` (the record's neighbour, see live.py).
Superset has no compare-and-swap, so taking it is "create, then look": every
contender creates its own lock row, lists all rows of that name, and the one
with the lowest id holds the lock; the others delete theirs and wait.

The holder renews its row (a lease) every quarter of the lease while it works.
A waiting run frees a lock, with a note naming the holder, when
- its row has not changed for the lease it declares (LEASE_S, two minutes
  unless ASPECTS_ASSETS_LOCK_LEASE says otherwise), as this waiting run sees it
  on its own monotonic clock: host clocks may disagree, so no holder's
  timestamp is compared with ours; or
- its holder ran on this machine, in this pid namespace, since this boot, and
  that process is gone (its pid is free, a zombie, or started at another time:
  the pid was reused). A holder elsewhere, or whose machine cannot be told
  apart from ours, is judged by its lease only.
A live holder, one that renews, is never freed; `aspects-assets unlock`
removes a lock by hand (remove_lock).
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aspects_assets.model.errors import InputError, LockTimeout, SupersetError
from aspects_assets.superset.client import SupersetClient

LOCK_PREFIX = "aspects-assets-lock:"
LEASE_S = 120.0
LEASE_ENV = "ASPECTS_ASSETS_LOCK_LEASE"
MIN_LEASE_S = 4.0  # renewed every quarter of it: a second at least
LEGACY_TTL_S = 15 * 60  # rows of versions without a heartbeat expire by their `until`
UNLOCK_HINT = "`aspects-assets unlock` removes a lock by hand"


def lock_name(project: str) -> str:
    return f"{LOCK_PREFIX}{project}"


def lease_from_env(environ: dict[str, str] | None = None) -> float:
    """The lease a run declares: ASPECTS_ASSETS_LOCK_LEASE seconds, else LEASE_S."""
    raw = (os.environ if environ is None else environ).get(LEASE_ENV, "").strip()
    if not raw:
        return LEASE_S
    try:
        lease = float(raw)
    except ValueError:
        lease = -1.0
    if not lease >= MIN_LEASE_S or lease == float("inf"):
        raise InputError(f"{LEASE_ENV}={raw!r}: expected the lock's lease in seconds, a "
                         f"number of at least {MIN_LEASE_S:.0f} (default {LEASE_S:.0f})")
    return lease


# -- time and processes, passed in so that tests need neither wait nor kill ----------


@dataclass(frozen=True)
class Clock:
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Process:
    """Where a holder runs. `boot` and `pidns` tell one machine's kernel and pid
    namespace from another's (two containers may share a host name, two CI
    machines too); `started` tells a process from a later one given its pid.
    Each is None where the system does not say (no /proc)."""

    host: str
    pid: int
    started: str | None
    boot: str | None
    pidns: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"host": self.host, "pid": self.pid, "started": self.started,
                "boot": self.boot, "pidns": self.pidns}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Process | None:
        host, pid = data.get("host"), data.get("pid")
        if not isinstance(host, str) or not isinstance(pid, int) or pid <= 0:
            return None
        text = {k: v if isinstance(v := data.get(k), str) else None
                for k in ("started", "boot", "pidns")}
        return cls(host, pid, text["started"], text["boot"], text["pidns"])

    def same_machine(self, other: Process) -> bool:
        """True only when both know they share a kernel boot and pid namespace."""
        return (self.host == other.host and self.boot is not None
                and self.boot == other.boot and self.pidns is not None
                and self.pidns == other.pidns)


class Processes:
    """This machine's processes, read from /proc (Linux)."""

    def me(self) -> Process:
        pid = os.getpid()
        try:
            pidns: str | None = os.readlink("/proc/self/ns/pid")
        except OSError:
            pidns = None
        return Process(socket.gethostname(), pid, self.started(pid),
                       _read("/proc/sys/kernel/random/boot_id"), pidns)

    def alive(self, pid: int) -> bool:
        """Whether process `pid` runs (its zombie does not)."""
        stat = _stat(pid)
        if stat is not None:
            return stat[0] not in ("Z", "X")  # field 3 of proc(5), the state
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:  # another user's, which /proc may hide (hidepid)
            return True
        return True

    def started(self, pid: int) -> str | None:
        """When process `pid` started (clock ticks after boot), None if unknown."""
        stat = _stat(pid)
        return stat[19] if stat is not None else None  # field 22 of proc(5)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the process's name (which may hold
    spaces and parentheses)."""
    stat = _read(f"/proc/{pid}/stat")
    fields = stat.rpartition(")")[2].split() if stat else []
    return fields if len(fields) > 19 else None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


# -- lock rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class LockRow:
    """One lock row of the project's name: its text changes at every renewal."""

    pk: int
    text: str
    data: dict[str, Any]

    @property
    def holder(self) -> str:
        return str(self.data.get("holder", "unknown"))

    @property
    def since(self) -> float:
        since = self.data.get("since")
        return float(since) if isinstance(since, int | float) else 0.0

    @property
    def lease_s(self) -> float | None:
        """The lease its holder renews within; None for a row without a heartbeat."""
        lease = self.data.get("lease_s")
        return float(lease) if isinstance(lease, int | float) and lease > 0 else None

    @property
    def process(self) -> Process | None:
        return Process.from_dict(self.data)

    def who(self) -> str:
        return f"{self.holder}, since {_utc(self.since)}"

    def as_dict(self) -> dict[str, Any]:
        renewed = self.data.get("renewed")
        return {"id": self.pk, "holder": self.holder, "since": _utc(self.since),
                "renewed": _utc(float(renewed)) if isinstance(renewed, int | float) else None,
                "lease_s": self.lease_s, "process": (p.as_dict() if (p := self.process)
                                                     else None)}


def _utc(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def _parse(pk: int, row: dict[str, Any]) -> LockRow | None:
    """The lock a row holds, or None when its text is not one of ours."""
    text = str(row.get("css") or "")
    try:
        data = json.loads(text.strip().removeprefix("/*").removesuffix("*/"))
    except ValueError:
        return None
    valid = isinstance(data, dict) and isinstance(data.get("until"), int | float)
    return LockRow(pk, text, data) if valid else None


def list_locks(client: SupersetClient, project: str) -> list[LockRow]:
    """Every lock row of the project, oldest first. A row whose text is not a lock
    is no lock: it is neither obeyed nor ever deleted."""
    name = lock_name(project)
    rows = client.list_all("css_template", ["id", "template_name", "css"],
                           [{"col": "template_name", "opr": "eq", "value": name}])
    locks = [_parse(int(r["id"]), r) for r in rows if r.get("template_name") == name]
    return sorted((lock for lock in locks if lock is not None), key=lambda lock: lock.pk)


def remove_lock(client: SupersetClient, pk: int) -> bool:
    """Delete a lock row; False when it was already gone (another run freed it)."""
    try:
        client.delete_css_template(pk)
    except SupersetError as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _text(me: Process, token: str, since: float, now: float, beat: int, lease_s: float) -> str:
    # `until` is what versions without a heartbeat obey: renewed with the lease,
    # it keeps them waiting while this holder lives.
    data = {"holder": f"{_user()}@{me.host} (pid {me.pid})", "token": token, "since": since,
            "renewed": now, "beat": beat, "lease_s": lease_s, "until": now + lease_s,
            **me.as_dict()}
    return f"/*{json.dumps(data)}*/"


def process_alive(row: LockRow, processes: Processes) -> bool | None:
    """Whether the row's holder still runs, where this machine can tell (None:
    written elsewhere, or by a version that did not say where)."""
    holder = row.process
    here = processes.me()
    if holder is None or not holder.same_machine(here):
        return None
    if not processes.alive(holder.pid):
        return False
    started = processes.started(holder.pid)  # another start: the pid was reused
    return started is None or holder.started is None or started == holder.started


class _Judge:
    """Tells, over successive looks, which rows hold the lock no more."""

    def __init__(self, clock: Clock, processes: Processes) -> None:
        self.clock = clock
        self.processes = processes
        self.here = processes.me()
        self.unchanged_since: dict[int, tuple[str, float]] = {}

    def why_free(self, row: LockRow) -> str | None:
        now = self.clock.monotonic()
        text, since = self.unchanged_since.get(row.pk, ("", now))
        if text != row.text:
            self.unchanged_since[row.pk] = (row.text, now)
            since = now
        if process_alive(row, self.processes) is False:
            return f"its process (pid {row.data['pid']}) on this host is gone"
        lease = row.lease_s
        if lease is None:
            if float(row.data["until"]) < self.clock.wall():
                return f"it expired {LEGACY_TTL_S // 60} min after it was taken"
        elif now - since >= lease:
            return f"its lease was not renewed for {lease:.0f} s"
        return None


class Heartbeat:
    """Renews the holder's row every quarter of its lease, on a thread of its own;
    a failed renewal is reported, and the loss of the row once."""

    def __init__(self, client: SupersetClient, project: str, pk: int,
                 text: Callable[[int], str], lease_s: float,
                 report: Callable[[str], None]) -> None:
        self.client = client
        self.project = project
        self.pk = pk
        self.text = text
        self.lease_s = lease_s
        self.report = report
        self.beats = 0
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lock-{project}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        # A renewal in flight may outlast this; it reports nothing once stopped.
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 4) and not self.lost:
            self.beat()

    def beat(self) -> None:
        """One renewal."""
        try:
            self.client.update_css_template(self.pk, lock_name(self.project),
                                            self.text(self.beats + 1))
        except SupersetError as exc:
            if self._stop.is_set():
                return
            if exc.status == 404:
                self.lost = True
                self.report(f"warning: the lock of project {self.project!r} was removed while "
                            "this import held it (by `aspects-assets unlock`, or by a run "
                            "that found its lease not renewed): another import may run at "
                            "the same time")
            else:
                self.report(f"warning: could not renew the lock of project {self.project!r} "
                            f"({exc}); another run takes it over if it stays unrenewed for "
                            f"{self.lease_s:.0f} s")
            return
        self.beats += 1


@contextmanager
def project_lock(client: SupersetClient, project: str, *, timeout_s: float,
                 on_wait: Callable[[str], None], poll_s: float = 2.0,
                 lease_s: float | None = None, clock: Clock | None = None,
                 processes: Processes | None = None) -> Iterator[None]:
    """Hold the project's lock for the duration of the block, waiting up to
    `timeout_s` for another holder; LockTimeout names the holder on timeout.

    `on_wait` is told what the lock does besides holding: waiting, taking over
    a dead holder's lock, a failed renewal. `lease_s` defaults to
    lease_from_env()."""
    lease = lease_from_env() if lease_s is None else lease_s
    clock = clock or Clock()
    judge = _Judge(clock, processes or Processes())
    name = lock_name(project)
    token = str(uuid.uuid4())
    deadline = clock.monotonic() + timeout_s
    told = False
    mine: int | None = None
    since = 0.0
    try:
        while True:
            locks = []
            for lock in list_locks(client, project):
                reason = None if lock.pk == mine else judge.why_free(lock)
                if reason is None:
                    locks.append(lock)
                elif remove_lock(client, lock.pk):
                    on_wait(f"note: took over the lock of project {project!r} from "
                            f"{lock.who()}: {reason}")
            if mine is None and not locks:
                since = clock.wall()
                mine = client.create_css_template(
                    name, _text(judge.here, token, since, since, 0, lease))
                continue  # look again: another run may have created one at once
            if mine is not None and locks and locks[0].pk == mine:
                break
            if mine is not None:
                if any(lock.pk == mine for lock in locks):
                    remove_lock(client, mine)  # lost a simultaneous start: step back, wait
                mine = None  # (or someone removed it): take a new one when it is free
            who = locks[0].who() if locks else "unknown"
            if clock.monotonic() >= deadline:
                held = locks[0].lease_s if locks else None
                free = (f"it is free once not renewed for {held:.0f} s" if held else
                        f"it expires {LEGACY_TTL_S // 60} min after it was taken")
                raise LockTimeout(
                    f"another import of project {project!r} holds the lock: {who}. Waited "
                    f"{timeout_s:.0f} s; run again when it is done ({free}, or at once "
                    f"when its process on this host is gone); {UNLOCK_HINT}.")
            if not told and locks:
                on_wait(f"waiting for another import of project {project!r} to finish "
                        f"(lock held by {who}); if that run is gone, {UNLOCK_HINT}")
                told = True
            clock.sleep(poll_s)
        assert mine is not None  # the loop ends only holding it
        if told:
            on_wait(f"took the lock of project {project!r} after waiting "
                    f"{clock.monotonic() - deadline + timeout_s:.0f} s")
        heartbeat = Heartbeat(client, project, mine,
                              lambda beat: _text(judge.here, token, since, clock.wall(), beat,
                                                 lease),
                              lease, on_wait)
        heartbeat.start()
        try:
            yield
        finally:
            heartbeat.stop()
    finally:
        if mine is not None:
            try:
                remove_lock(client, mine)
            except SupersetError as exc:  # the run's own error, if any, matters more
                on_wait(f"warning: could not remove the lock of project {project!r} ({exc}): "
                        "the next run on this host takes it over at once, one elsewhere "
                        f"after {lease:.0f} s; {UNLOCK_HINT}")
