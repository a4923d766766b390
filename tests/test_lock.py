"""The lock's rules on rows a real server cannot be made to show on cue (the live
test, tests/integration/test_lock_live.py, runs two imports against Superset)."""

from __future__ import annotations

import json
import time
from typing import Any, cast

import pytest

from aspects_assets.model.errors import LockTimeout
from aspects_assets.superset.client import SupersetClient
from aspects_assets.superset.lock import lock_name, project_lock

NAME = lock_name("p")


class Templates:
    """CSS templates as Superset keeps them; `listing` may show more than the filter."""

    def __init__(self, rows: dict[int, tuple[str, str]], *, unfiltered: bool = False) -> None:
        self.rows = dict(rows)
        self.next_id = max(rows, default=0) + 1
        self.unfiltered = unfiltered
        self.deleted: list[int] = []

    def list_all(self, endpoint: str, columns: Any, filters: Any) -> list[dict[str, Any]]:
        wanted = filters[0]["value"]
        return [{"id": pk, "template_name": name, "css": css}
                for pk, (name, css) in self.rows.items()
                if self.unfiltered or name == wanted]

    def create_css_template(self, name: str, css: str) -> int:
        pk, self.next_id = self.next_id, self.next_id + 1
        self.rows[pk] = (name, css)
        return pk

    def delete_css_template(self, pk: int) -> None:
        self.deleted.append(pk)
        del self.rows[pk]


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
