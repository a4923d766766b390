"""The template sandbox's limits stop blowups (tests/data/invalid/jinja_*.yaml),
never ordinary templates: big numbers, loops, macros, formats and includes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aspects_assets.project.render import AssetEnvironment, render_text

ORDINARY = {
    "{{ 1700000000000 | string }}": "1700000000000",
    "{{ '%d' | format(1700000000000) }}": "1700000000000",
    "{{ '%08.2f' % 3.14159 }}": "00003.14",
    "{{ '{:>6}'.format('ab') }}": "    ab",
    "{{ 'a-b' | replace('-', '__') }}": "a__b",
    "{{ ('x' * 1000) | length }}": "1000",
    "{{ 2 ** 64 }}": "18446744073709551616",
    "{% for i in range(3) %}{{ loop.index }}{{ loop.revindex }}{% endfor %}": "132231",
    "{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{% else %}-{% endfor %}": "a=1",
    "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}": "empty",
    "{% for x in [1, 2, 3] if x > 1 %}{{ x }}{% endfor %}": "23",
    "{% macro f(n) %}{% if n %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}": "54321",
    "{% for row in range(300) %}{% for col in range(300) %}{% endfor %}{% endfor %}ok": "ok",
    "{% include 'part.sql' %}": "SELECT 1\n",
}


@pytest.mark.parametrize("template", sorted(ORDINARY))
def test_ordinary_templates_render(template: str, tmp_path: Path) -> None:
    (tmp_path / "part.sql").write_text("SELECT 1\n")
    rendered, problem = render_text(AssetEnvironment(tmp_path), template, {}, "x.yaml")
    assert problem is None, problem
    assert rendered == ORDINARY[template]


def test_the_budgets_are_per_file(tmp_path: Path) -> None:
    env = AssetEnvironment(tmp_path)
    template = "{% for i in range(600000) %}{% endfor %}ok"
    for _ in range(3):  # 1.8 million steps in all, 600,000 in each file
        assert render_text(env, template, {}, "x.yaml") == ("ok", None)
