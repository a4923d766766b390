"""The plugin that docs/tutor.md gives operators to raise Superset's list page cap,
rendered by the real Tutor and tutor-contrib-aspects (no Docker): Aspects'
superset_config.py then sets it, after everything Aspects sets itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from conftest import REPO, tutor

SUPERSET_CONFIG = "env/plugins/aspects/apps/superset/pythonpath/superset_config.py"


def documented_plugin() -> tuple[str, str]:
    """(file name, YAML) of the plugin under "List pages" in docs/tutor.md."""
    text = (REPO / "docs/tutor.md").read_text()
    block = re.search(r"\*\*List pages\.\*\*.*?```yaml\n(.*?)```", text, re.S)
    assert block is not None, "docs/tutor.md: no plugin under **List pages.**"
    body = "\n".join(line.removeprefix("  ") for line in block.group(1).splitlines())
    name = re.search(r'printroot\)/([\w.-]+\.yml)"', body)
    assert name is not None
    return name.group(1), body


def test_the_documented_plugin_raises_the_page_cap(tutor_bin: Path, tmp_path: Path) -> None:
    file_name, plugin = documented_plugin()
    plugins, root = tmp_path / "plugins", tmp_path / "root"
    plugins.mkdir()
    (plugins / file_name).write_text(plugin)
    name = yaml.safe_load(plugin)["name"]
    tutor(tutor_bin, root, "plugins", "enable", "aspects", name, plugins_root=plugins)
    tutor(tutor_bin, root, "config", "save", plugins_root=plugins)
    config = (root / SUPERSET_CONFIG).read_text()
    tree = ast.parse(config)  # still Python
    assigned = [node for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", None) == "FAB_API_MAX_PAGE_SIZE" for t in node.targets)]
    assert [ast.literal_eval(node.value) for node in assigned] == [1000]
