"""What cannot be read under the asset folders is an error naming the path, also
when a run would otherwise trust the note of inputs that validated before (an
unreadable folder is missing from the hash as from the listing, and `--prune`
would delete everything it held)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from aspects_assets.model.errors import ValidationFailed
from aspects_assets.model.plan import Scope
from aspects_assets.project.inputs import inputs_hash
from aspects_assets.project.settings import load_settings
from aspects_assets.project.validated import note_validated
from aspects_assets.run.planning import prepare

from conftest import run


def test_a_folder_that_cannot_be_listed_is_an_error(base_project: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # The tests run as root, whom permissions do not stop: the refusal is injected.
    scandir = os.scandir

    def refusing(path: Any) -> Any:
        if str(path).endswith("dashboards"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = run(["validate"], base_project)
    assert result.exit_code == 2, result.output
    assert ("error: assets/dashboards: cannot read this folder: Permission denied"
            in result.output)


def test_the_validated_note_does_not_skip_an_unreadable_source(base_project: Path) -> None:
    shutil.rmtree(base_project / "assets" / "dashboards")
    (base_project / "assets" / "dashboards").symlink_to("../gone")
    settings = load_settings(cwd=base_project, env={})
    # This very input noted as validated (as an earlier run without the folder would have).
    note_validated(settings.root, inputs_hash(settings, Scope().key()))
    with pytest.raises(ValidationFailed, match="assets/dashboards: cannot read this folder"):
        prepare(settings, [], [], verify=False, warn=lambda p: None)
