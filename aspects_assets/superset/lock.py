"""One import at a time per project and Superset: a lock beside the project record.

Two CI jobs may import into one Superset at once. The lock is a CSS template
named `aspects-assets-lock:<project>` (the record's neighbour, see record.py).
Superset has no compare-and-swap, so taking it is "create, then look": every
contender creates its own lock row, lists all rows of that name, and the one
with the lowest id holds the lock; the others delete theirs and wait. A lock
whose holder died expires after its time to live and may then be removed by
anyone.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aspects_assets.model.errors import LockTimeout, SupersetError
from aspects_assets.superset.client import SupersetClient

LOCK_PREFIX = "aspects-assets-lock:"
TTL_S = 15 * 60


def lock_name(project: str) -> str:
    return f"{LOCK_PREFIX}{project}"


def _holder() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"


def _parse(row: dict[str, Any]) -> dict[str, Any] | None:
    """The lock a row holds, or None when its text is not one of ours."""
    try:
        data = json.loads(str(row.get("css") or "").strip().removeprefix("/*").removesuffix("*/"))
    except ValueError:
        return None
    valid = isinstance(data, dict) and isinstance(data.get("until"), int | float)
    return data if valid else None


def _locks(client: SupersetClient, name: str) -> list[tuple[int, dict[str, Any]]]:
    """(id, lock) of every lock row of this name, oldest first. A row whose text is
    not a lock is no lock: it is neither obeyed nor ever deleted."""
    rows = client.list_all("css_template", ["id", "template_name", "css"],
                           [{"col": "template_name", "opr": "eq", "value": name}])
    locks = [(int(r["id"]), _parse(r)) for r in rows if r.get("template_name") == name]
    return sorted((pk, lock) for pk, lock in locks if lock is not None)


@contextmanager
def project_lock(client: SupersetClient, project: str, *, timeout_s: float,
                 on_wait: Callable[[str], None], poll_s: float = 2.0,
                 ttl_s: float = TTL_S) -> Iterator[None]:
    """Hold the project's lock for the duration of the block, waiting up to
    `timeout_s` for another holder; LockTimeout names the holder on timeout."""
    name = lock_name(project)
    token = str(uuid.uuid4())
    deadline = time.monotonic() + timeout_s
    told = False
    mine: int | None = None
    try:
        while True:
            now = time.time()
            locks = _locks(client, name)
            for pk, lock in locks:  # a holder that died: its lock expired
                if lock["until"] < now and pk != mine:
                    client.delete_css_template(pk)
            locks = [(pk, lock) for pk, lock in locks if lock["until"] >= now or pk == mine]
            if mine is None and not locks:
                css = json.dumps({"holder": _holder(), "token": token, "since": now,
                                  "until": now + ttl_s})
                mine = client.create_css_template(name, f"/*{css}*/")
                continue  # look again: another run may have created one at once
            if mine is not None and locks and locks[0][0] == mine:
                break
            if mine is not None:
                if mine in dict(locks):  # lost a simultaneous start: step back and wait
                    client.delete_css_template(mine)
                mine = None  # (or someone removed it): take a new one when it is free
            holder = locks[0][1] if locks else {}
            who = f"{holder.get('holder', 'unknown')}, since " + time.strftime(
                "%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(holder.get("since", 0))))
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"another import of project {project!r} holds the lock: {who}. Waited "
                    f"{timeout_s:.0f} s; run again when it is done (a lock whose holder died "
                    f"expires {ttl_s / 60:.0f} min after it was taken).")
            if not told and locks:
                on_wait(f"waiting for another import of project {project!r} to finish "
                        f"(lock held by {who})")
                told = True
            time.sleep(poll_s)
        yield
    finally:
        if mine is not None:
            # Should this fail, the lock expires on its own; the run's own error matters more.
            with contextlib.suppress(SupersetError):
                client.delete_css_template(mine)
