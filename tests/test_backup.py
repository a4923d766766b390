"""`import --prune` saves what it deletes: everything Superset exported, so the
file is its owner's only (0600, in a folder made 0700), created with that mode
rather than chmod-ed afterwards, never written over an existing file or a link."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from aspects_assets.project.settings import load_settings
from aspects_assets.run.importing import save_backup


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that takes nothing away: any privacy must come from the creation mode."""
    old = os.umask(0)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_backup_and_its_new_folder_are_the_owners_only(tmp_path: Path, open_umask: None) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    path = save_backup(settings, b"exported", Path("backups/nested"))
    assert path.read_bytes() == b"exported"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_two_backups_in_one_second_keep_both(tmp_path: Path, open_umask: None) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    first = save_backup(settings, b"one", Path("backups"))
    second = save_backup(settings, b"two", Path("backups"))
    third = save_backup(settings, b"three", Path("backups"))
    assert len({first, second, third}) == 3
    assert [p.read_bytes() for p in (first, second, third)] == [b"one", b"two", b"three"]
    assert {mode(p) for p in (first, second, third)} == {0o600}


def test_a_link_in_the_backups_place_is_not_followed(tmp_path: Path, open_umask: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    monkeypatch.setattr("time.strftime", lambda fmt: "20260101T000000")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("someone else's")
    (tmp_path / "backups").mkdir()
    planted = tmp_path / "backups" / f"prune-{settings.project}-20260101T000000.zip"
    planted.symlink_to(elsewhere)
    path = save_backup(settings, b"exported", Path("backups"))
    assert path != planted and path.read_bytes() == b"exported"
    assert elsewhere.read_text() == "someone else's"
