"""`unlock`: remove the project's lock by hand, as `terraform force-unlock` does."""

from __future__ import annotations

import sys

import click

from aspects_assets.cli.options import FORMAT_OPTION, AppContext, pass_app
from aspects_assets.cli.output import echo_json
from aspects_assets.model.errors import EXIT_ACTION_NEEDED
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import LockRow, Processes, list_locks, process_alive, remove_lock


def _describe(lock: LockRow, alive: bool | None) -> str:
    lease = f"lease {lock.lease_s:.0f} s" if lock.lease_s else "no heartbeat (an older version)"
    renewed = lock.as_dict()["renewed"]
    state = {True: "; its process is still running on this host",
             False: "; its process on this host is gone", None: ""}[alive]
    return (f"  lock {lock.pk}: {lock.who()}, {lease}"
            f"{', last renewed ' + renewed if renewed else ''}{state}")


@click.command()
@click.option("--yes", is_flag=True, help="Do not ask (needed when not on a terminal).")
@FORMAT_OPTION
@pass_app
def unlock(app: AppContext, yes: bool, output_format: str) -> None:
    """Remove the project's lock in Superset, left by an import that is gone.

    An import holds the lock while it runs and renews it; a waiting import takes
    over a lock whose lease was not renewed (two minutes) or whose process on
    the same host is gone. Use this when a lock must go at once: it shows the
    holder and asks first. Removing the lock of an import that still runs lets
    the next import run beside it.

    \b
    Exit codes:
      0  removed, or there was no lock
      1  not removed: answered no, or not on a terminal without --yes
      2  error

    \b
    Example:
      aspects-assets unlock
      aspects-assets unlock --yes --format json
    """
    settings = app.settings
    client = SupersetClient.from_settings(settings)
    locks = list_locks(client, settings.project)
    processes = Processes()
    alive = {lock.pk: process_alive(lock, processes) for lock in locks}
    removed: list[int] = []
    go = True
    if locks:
        click.echo(f"project {settings.project!r} is locked in {client.url}:", err=True)
        for lock in locks:
            click.echo(_describe(lock, alive[lock.pk]), err=True)
        go = yes
        if not yes and not sys.stdin.isatty():
            click.echo("Not on a terminal: run again with --yes to remove the lock.", err=True)
        elif not yes:
            go = click.confirm("Remove it? An import that still runs would then run beside "
                               "the next one", err=True)
        if go:
            removed = [lock.pk for lock in locks if remove_lock(client, lock.pk)]
    if output_format == "json":
        echo_json({"project": settings.project,
                   "locks": [{**lock.as_dict(), "process_alive": alive[lock.pk]}
                             for lock in locks],
                   "removed": removed})
    elif not locks:
        click.echo(f"project {settings.project!r} holds no lock in {client.url}")
    elif go:
        click.echo(f"removed the lock of project {settings.project!r}" if removed else
                   f"the lock of project {settings.project!r} was gone meanwhile")
    if not go:
        sys.exit(EXIT_ACTION_NEEDED)
