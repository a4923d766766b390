"""The examples of the live commands' `--help` (adopt, diff, import, pull), run as
printed, in the order the help shows them, on a copy of the demo project against
the local Superset. The project name is this run's own, so that `adopt` meets a
Superset that has the code's assets but no record of this project (what its
example is for); the record is removed at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from help_examples import all_examples
from test_help_examples import demo_copy

from aspects_assets.superset.client import SupersetClient

from conftest import run

pytestmark = pytest.mark.integration


@pytest.fixture
def project(tmp_path: Path, superset_client: SupersetClient,
            superset_reset: None) -> Iterator[Path]:
    folder = demo_copy(tmp_path)
    settings = folder / "aspects-assets.yaml"
    name = f"help-examples-{uuid.uuid4().hex[:8]}"
    data = yaml.safe_load(settings.read_text())
    data["project"] = name
    data["lock_in_ui"] = False  # leave the demo's assets editable as they were
    settings.write_text(yaml.safe_dump(data, allow_unicode=True))
    yield folder
    record = superset_client.find_css_template(f"aspects-assets:{name}")
    if record is not None:
        superset_client.delete_css_template(record["id"])


def test_live_examples_run_as_printed(project: Path, superset_env: dict[str, str]) -> None:
    examples = [e for e in all_examples() if e.live]
    assert [e.args[0] for e in examples].count("adopt") == 2
    for example in examples:
        # The password an example shows ("...", or the local "admin") is the test's.
        env = {**example.env, **superset_env}
        result = run(list(example.args), project, env=env)
        allowed = {0, 1} if example.may_exit_1 else {0}
        assert result.exit_code in allowed, f"{example.line}\n{result.output}"
