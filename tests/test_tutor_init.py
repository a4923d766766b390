"""`init --from-tutor` on a real Tutor root (tutor 22 and tutor-contrib-aspects 6.1.0
from PyPI, no Docker): the project it writes, its values, `--check`."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.model.secrets import MASK
from aspects_assets.project.settings import load_settings
from aspects_assets.project.tutor import ASSET_LIST, CREATE_ASSETS, LMS_SETTINGS
from aspects_assets.run.pipeline import check

from conftest import TUTOR_LOCALES, corpus_dir, make_tutor_root, run, tutor

INIT = ["init", "--from-tutor"]


def _init(project: Path, root: Path, *more: str) -> Any:
    project.mkdir(parents=True, exist_ok=True)
    return run([*INIT, "--tutor-root", str(root), *more], project)


@pytest.fixture(scope="module")
def project(tutor_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project made from the session's Tutor root (read only)."""
    target = tmp_path_factory.mktemp("tutor-project") / "analytics"
    result = _init(target, tutor_root)
    assert result.exit_code == 0, result.output
    return target


def _aspects_localized_uuid(root: Path) -> Callable[[str, str], str]:
    """Aspects' own `get_localized_uuid`, taken from the script Tutor rendered."""
    tree = ast.parse((root / CREATE_ASSETS).read_text())
    function = next(n for n in tree.body
                    if isinstance(n, ast.FunctionDef) and n.name == "get_localized_uuid")
    namespace: dict[str, Any] = {}
    module = ast.fix_missing_locations(
        ast.Module([ast.Import([ast.alias("uuid")]), function], []))
    exec(compile(module, "create_assets.py", "exec"), namespace)
    found: Callable[[str, str], str] = namespace["get_localized_uuid"]
    return found


def test_init_writes_a_project_that_validates(project: Path, tutor_root: Path) -> None:
    result = run(["validate"], project)
    assert result.exit_code == 0, result.output
    assert " 0 error(s)" in result.output
    settings = load_settings(cwd=project, env={})
    assert settings.locales == tuple(TUTOR_LOCALES)
    assert [(layer.path, layer.rendered) for layer in settings.layers] == [
        (tutor_root / "env/plugins/aspects/build/aspects-superset/openedx-assets/assets", True),
        (project / "tutor/assets", True), (project / "overlay/assets", False)]
    assert settings.database_password_env == {
        "OpenedX Clickhouse": "ASPECTS_CLICKHOUSE_REPORT_PASSWORD",
        "Superset Metadata": "SUPERSET_DB_PASSWORD"}
    assert set(settings.embedded_dashboards) == {
        "course-dashboard", "learner-groups", "individual-learner", "in-context-course",
        "in-context-graded-subsection", "in-context-problem", "in-context-video"}
    assert settings.embedded_dashboards["course-dashboard"] == (
        "http://local.openedx.io", "http://studio.local.openedx.io",
        "http://apps.local.openedx.io")
    assert settings.variables["ASPECTS_XAPI_DATABASE"] == "openedx"
    assert settings.variables["DBT_PROFILE_TARGET_DATABASE"] == "reporting"
    assert settings.variables["ASPECTS_ENABLE_PII"] is False
    assert (project / "overlay/assets").is_dir()


def test_no_password_is_written(project: Path, tutor_root: Path) -> None:
    config = yaml.safe_load((tutor_root / "config.yml").read_text())
    passwords = {v for k, v in config.items() if "PASSWORD" in k and isinstance(v, str) and v}
    assert len(passwords) >= 5
    written = [p for p in project.rglob("*") if p.is_file()]
    assert len(written) >= 8
    for path in written:
        text = path.read_text()
        assert not [p for p in passwords if p in text], path
    databases = yaml.safe_load((project / "tutor/assets/databases/OpenedX_Clickhouse.yaml")
                               .read_text())
    # the password as Superset's own mask, which the import never sends as one
    assert databases["sqlalchemy_uri"] == \
        f"clickhousedb+connect://ch_report:{MASK}@clickhouse:8123/openedx"


def test_localized_uuids_are_aspects(project: Path, tutor_root: Path) -> None:
    aspects_uuid = _aspects_localized_uuid(tutor_root)
    assets = check(load_settings(cwd=project, env={})).assets
    copies = [a for a in assets if a.locale is not None]
    assert {a.locale for a in copies} == set(TUTOR_LOCALES)
    assert len(copies) == 3 * 136  # 47 datasets, 81 charts, 8 dashboards with PII off
    assert [a.uuid for a in copies] == [aspects_uuid(a.base_uuid, str(a.locale))
                                        for a in copies]


def test_pii_switch_leaves_aspects_pii_assets_out(project: Path, tutor_root: Path) -> None:
    """ASPECTS_ENABLE_PII is off by default: the PII chart (ASPECTS_PII_CHART_UUIDS)
    and the individual-learner dashboard (ASPECTS_PII_INSTRUCTOR_DASHBOARDS) are out."""
    pii = {"447a194b-dbed-4a82-a899-2df8e01e84b1", "abae8a25-1ba4-4653-81bd-d3937a162a11"}
    off = {a.base_uuid for a in check(load_settings(cwd=project, env={})).assets}
    on = {a.base_uuid for a in check(load_settings(
        cwd=project, env={}, var_overrides={"ASPECTS_ENABLE_PII": "true"})).assets}
    assert not pii & off
    assert pii <= on
    assert on - off == pii


def test_retired_uuids_are_aspects_unused_uuids(project: Path, tutor_root: Path) -> None:
    listed = yaml.safe_load((tutor_root / ASSET_LIST).read_text())["unused_uuids"]
    expected = [u for kind in ("datasets", "charts", "dashboards") for u in listed[kind] or []]
    assert len(expected) == 19
    assert list(load_settings(cwd=project, env={}).retired_uuids) == expected


def test_row_level_security_and_roles_come_from_the_plugin(project: Path) -> None:
    filters = {p.stem: yaml.safe_load(p.read_text())
               for p in (project / "tutor/assets/row_level_security").glob("*.yaml")}
    assert sorted(filters) == ["can_view_courses_event_sink", "can_view_courses_openedx",
                               "can_view_courses_reporting"]
    assert filters["can_view_courses_event_sink"] == {
        "name": "can_view_courses_event_sink", "filter_type": "Regular",
        "roles": ["Instructor"], "group_key": "xapi_course_id",
        "clause": '{{can_view_courses(current_username(), "course_key")}}',
        "datasets": {"schema": "event_sink", "exclude": ["user_pii"]}}
    roles = json.loads((project / "tutor/assets/roles/roles.json").read_text())
    assert {"Instructor", "Operator", "Instructor - fr_CA"} <= {r["name"] for r in roles}
    result = run(["validate"], project)
    assert "row_level_security" not in result.output, result.output


def test_extra_translations_patch_becomes_an_override_file(project: Path) -> None:
    settings = load_settings(cwd=project, env={})
    assert settings.extra_translations == (project / "tutor/extra-translations.yaml",)
    override = yaml.safe_load(settings.extra_translations[0].read_text())
    assert override == {"fr_CA": {"Course Dashboard": "Tableau de bord du cours (test)"}}
    titles = {a.body.get("dashboard_title") for a in check(settings).assets
              if a.locale == "fr_CA"}
    assert "Tableau de bord du cours (test)" in titles


def test_check_is_clean_right_after_init(project: Path, tutor_root: Path) -> None:
    result = run([*INIT, "--tutor-root", str(tutor_root), "--check"], project)
    assert result.exit_code == 0, result.output
    assert "in step with Tutor's configuration" in result.output
    assert f"the Tutor root {tutor_root} alone" in result.output


def test_check_then_update_after_tutor_config_save(tutor_bin: Path, tmp_path: Path) -> None:
    root = make_tutor_root(tutor_bin, tmp_path, ["en", "fr_CA"])
    target = tmp_path / "analytics"
    assert _init(target, root).exit_code == 0
    settings_file = target / "aspects-assets.yaml"
    settings_file.write_text("# ours\nproject: analytics-prod\n" + settings_file.read_text()
                             + "do_not_translate: [Aspects]\n")
    mine = target / "overlay/assets/charts/mine.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# the operator's\n")

    tutor(tutor_bin, root, "config", "save", "--set",
          'SUPERSET_DASHBOARD_LOCALES=["en", "de_DE", "ar"]', "--set", "ASPECTS_ENABLE_PII=true",
          plugins_root=tmp_path / "tutor-plugins")
    stale = _init(target, root, "--check")
    assert stale.exit_code == 1, stale.output
    assert "[locales]: en, fr_CA in the project, en, de_DE, ar in Tutor's configuration" \
        in stale.output
    assert "[variables.ASPECTS_ENABLE_PII]: False in the project, True" in stale.output
    assert "out of step" in stale.output

    updated = _init(target, root)
    assert updated.exit_code == 0, updated.output
    assert _init(target, root, "--check").exit_code == 0
    settings = load_settings(cwd=target, env={})
    assert settings.locales == ("en", "de_DE", "ar")
    assert settings.project == "analytics-prod"
    assert settings.do_not_translate == ("Aspects",)
    assert settings_file.read_text().startswith("# ours\n")
    assert mine.read_text() == "# the operator's\n"
    # PII on: the individual-learner dashboard stays (Aspects no longer retires it).
    assert "abae8a25-1ba4-4653-81bd-d3937a162a11" not in settings.retired_uuids
    # and it is still a PII asset: the LMS settings name it once PII is on.
    assert "individual-learner" in (root / LMS_SETTINGS).read_text()
    board = yaml.safe_load((target / "tutor/assets/dashboards/Individual_Learner.yaml")
                           .read_text())
    assert (board["slug"], board["_include_if"]) == ("individual-learner", "ASPECTS_ENABLE_PII")
    assert settings.variables["ASPECTS_ENABLE_PII"] is True


def test_the_tutor_command_is_used_when_no_root_is_given(tutor_bin: Path, tutor_root: Path,
                                                        tmp_path: Path) -> None:
    env = {"PATH": f"{tutor_bin}:/usr/bin:/bin", "TUTOR_ROOT": str(tutor_root),
           "TUTOR_PLUGINS_ROOT": str(tutor_root.parent / "tutor-plugins")}
    result = run(INIT, tmp_path, env=env)
    assert result.exit_code == 0, result.output
    assert f"the tutor command ({tutor_bin / 'tutor'}), root {tutor_root}" in result.output
    settings = load_settings(cwd=tmp_path, env={})
    # Values only the tutor command knows (config.yml does not set them).
    assert settings.variables["SUPERSET_ROLES_MAPPING"] == {
        "instructor": "Instructor", "operator": "Operator", "admin": "Admin",
        "student": "Student"}
    assert str(settings.variables["ASPECTS_OPERATOR_HELP_MARKDOWN"]).startswith("## Help<br>")
    without = run(INIT, tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert without.exit_code == 2
    assert "no `tutor` command on the PATH: give the Tutor root with --tutor-root" \
        in without.output


def test_root_alone_says_which_variables_it_cannot_know(project: Path, tutor_root: Path,
                                                        tmp_path: Path) -> None:
    result = _init(tmp_path / "p", tutor_root)
    assert "unknown without the tutor command: SUPERSET_ROLES_MAPPING" in result.output


def test_legacy_translations_become_catalogs(tutor_root: Path, tmp_path: Path) -> None:
    legacy = corpus_dir("aspects-2024-08") / "locale.yaml"
    result = _init(tmp_path / "p", tutor_root, "--translations", str(legacy))
    assert result.exit_code == 0, result.output
    for code in ("fr_CA", "es_419"):
        assert f"wrote translations/{code}/LC_MESSAGES/assets.po" in result.output
    status = run(["translations", "status", "--format", "json"], tmp_path / "p")
    counts = {item["locale"]: item["translated"]
              for item in json.loads(status.output)["locales"]}
    assert counts["fr_CA"] > 50, counts



def test_owners_are_written_as_the_owners_setting(tutor_bin: Path, tmp_path: Path,
                                                  project: Path) -> None:
    """SUPERSET_OWNERS (user names) becomes `owners: [...]`, the setting of the owners
    kind; nothing is written while it is empty (Aspects' default)."""
    root = make_tutor_root(tutor_bin, tmp_path, ["en"])
    tutor(tutor_bin, root, "config", "save", "--set", 'SUPERSET_OWNERS=["alice", "bob"]',
          plugins_root=tmp_path / "tutor-plugins")
    result = _init(tmp_path / "p", root)
    assert result.exit_code == 0, result.output
    assert "owners: alice, bob" in result.output
    written = yaml.safe_load((tmp_path / "p/aspects-assets.yaml").read_text())
    assert written["owners"] == ["alice", "bob"]
    assert "owners" not in yaml.safe_load((project / "aspects-assets.yaml").read_text())
