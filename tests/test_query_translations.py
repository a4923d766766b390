"""The query-time translation table: what the import builds and stores, and how
the Superset extension (superset_ext/, loaded here without Superset) reads it
and answers `translate_column`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from aspects_assets.core.i18n.query_time import translation_table
from aspects_assets.model.query_translations import QueryTranslations, stored_inputs, table_name
from aspects_assets.project.catalogs import Catalogs, LocaleCatalog
from aspects_assets.project.settings import load_settings
from aspects_assets.run.query_translations import project_table, table_inputs

from conftest import DATA, REPO, configure, run

sys.path.insert(0, str(REPO / "superset_ext"))
from aspects_assets_superset_ext import query_translations as ext


def table(**locales: dict[str, str]) -> QueryTranslations:
    return QueryTranslations("demo", "{role} - {locale}",
                             {"enrollment_mode": ("audit", "verified"),
                              "passed": ("passed", "failed")}, locales)


def tables(*items: QueryTranslations) -> ext.Tables:
    return ext.Tables([ext.parse_table(t.to_css()) for t in items])


def test_the_extension_reads_what_the_tool_writes() -> None:
    written = table(es_419={"audit": "oyente */ no end", "passed": "aprobado"}, fr_CA={})
    read = ext.parse_table(written.to_css())
    assert read.project == "demo"
    assert read.role_format == "{role} - {locale}"
    assert read.columns == {"enrollment_mode": ("audit", "verified"),
                            "passed": ("passed", "failed")}
    assert read.locales == {"es_419": {"audit": "oyente */ no end", "passed": "aprobado"},
                            "fr_CA": {}}
    assert ext.TABLE_FORMAT == 1 and table_name("demo").startswith(ext.TABLE_PREFIX)


@pytest.mark.parametrize("css", [
    "body {}",
    "/*{not json*/",
    '/*{"a": 1}*/ /*[1, 2]*/',
    '/*{"format": 2, "columns": {}, "locales": {}, "role_format": "{locale}"}*/',
    '/*{"format": 1, "columns": {"a": "b"}, "locales": {}, "role_format": "{locale}"}*/',
    '/*{"format": 1, "columns": {}, "locales": {"es": {"a": 1}}, "role_format": "{locale}"}*/',
    '/*{"format": 1, "columns": {}, "locales": {}, "role_format": "{role}"}*/',
])
def test_a_template_that_is_no_table_is_refused(css: str) -> None:
    with pytest.raises(ValueError):
        ext.parse_table(css)


def test_case_sql_is_aspects_expression_with_quoted_literals() -> None:
    t = tables(table(fr_CA={"audit": "d'audit", "verified": "vérifié"}))
    sql = ext.case_sql("enrollment_mode", t.values("enrollment_mode") or (),
                       lambda v: t.translate("fr_CA", v))
    # Aspects' format (openedx_jinja_filters.translate_column), texts quoted.
    assert sql == ("CASE \n WHEN enrollment_mode = 'audit' THEN 'd''audit'\n"
                   "WHEN enrollment_mode = 'verified' THEN 'vérifié' \n"
                   " ELSE enrollment_mode \n END")
    source = ext.case_sql("enrollment_mode", ("audit",), lambda v: t.translate(None, v))
    assert "THEN 'audit'" in source
    assert ext.case_sql("c", (), str) == "c"


def test_a_backslash_is_never_written() -> None:
    sql = ext.case_sql("c", ("a\\b", "ok"), lambda v: "x\\y" if v == "ok" else v)
    assert "\\" not in sql
    assert "WHEN c = 'ok' THEN 'ok'" in sql
    assert ext.bool_sql("c", ("p\\", "f"), str) == "c"


def test_bool_sql() -> None:
    t = tables(table(es_419={"passed": "aprobado", "failed": "reprobado"}))
    sql = ext.bool_sql("passed", t.values("passed") or (), lambda v: t.translate("es_419", v))
    assert " ".join(sql.split()) == "CASE WHEN passed = true THEN 'aprobado' ELSE 'reprobado' END"
    assert ext.bool_sql("passed", ("only one",), str) == "passed"


def test_the_locale_is_the_first_found() -> None:
    t = tables(table(es_419={}, pt_BR={}))

    def resolve(explicit: str | None = None, preference: str | None = None,
                roles: tuple[str, ...] = (), ui: str | None = None) -> str | None:
        return ext.resolve_locale(t, explicit=explicit, preference=lambda: preference,
                                  roles=lambda: roles, ui_locale=lambda: ui)

    assert resolve(explicit="pt-br", preference="es_419") == "pt_BR"
    assert resolve(explicit="de") is None  # asked for, not there: the source texts
    assert resolve(preference="pt_br", roles=("Instructor - es_419",)) == "pt_BR"
    assert resolve(preference="de", roles=("Instructor - es_419", "Gamma")) == "es_419"
    # Roles of two locales say nothing: then the interface language.
    assert resolve(roles=("Instructor - es_419", "Instructor - pt_BR"), ui="pt_BR") == "pt_BR"
    assert resolve(roles=("Instructor - es_419 x",), ui="en") is None
    assert resolve() is None


def test_projects_are_merged_in_order() -> None:
    first = QueryTranslations("a", "{locale}/{role}", {"m": ("x", "y")}, {"fr": {"x": "X1"}})
    second = QueryTranslations("b", "{role} - {locale}", {"m": ("y", "z")},
                               {"fr": {"x": "X2", "z": "Z2"}, "de": {}})
    t = tables(first, second)
    assert t.values("m") == ("x", "y", "z")
    assert t.values("other") is None
    assert [t.translate("fr", v) for v in ("x", "y", "z")] == ["X1", "y", "Z2"]
    assert t.locales_of_roles(["fr/Admin"]) == {"fr"}
    assert t.locales_of_roles(["Admin - de"]) == {"de"}


def test_project_table_from_extra_strings_and_catalogs(base_project: Path) -> None:
    shutil.copy(DATA / "i18n" / "strings.yaml", base_project / "strings.yaml")
    configure(base_project, locales=["es_419", "fr_CA"], extra_strings=["strings.yaml"],
              extra_translations=["overrides.yaml"], locale_role_format="{locale}: {role}")
    (base_project / "overrides.yaml").write_text("fr_CA:\n  registered: inscrit\n")
    assert run(["extract-translations"], base_project).exit_code == 0
    po = base_project / "translations" / "es_419" / "LC_MESSAGES" / "assets.po"
    po.write_text(po.read_text()
                  .replace('msgid "audit"\nmsgstr ""', 'msgid "audit"\nmsgstr "oyente"')
                  .replace('msgid "verified"\nmsgstr ""',
                           '#, fuzzy\nmsgid "verified"\nmsgstr "verificado"'))
    settings = load_settings(cwd=base_project, env={})
    inputs = table_inputs(settings)
    assert inputs
    built = project_table(settings, inputs)
    assert built == QueryTranslations(
        "test-base", "{locale}: {role}",
        {"enrollment_mode": ("audit", "verified"), "enrollment_status": ("registered",)},
        {"es_419": {"audit": "oyente"}, "fr_CA": {"registered": "inscrit"}}, inputs)
    assert stored_inputs(built.to_css()) == inputs
    # Any of its files changed, the table's inputs change.
    po.write_text(po.read_text() + "\n")
    assert table_inputs(settings) not in (None, inputs)


def test_no_table_without_strings_or_locales(base_project: Path) -> None:
    configure(base_project, locales=["es_419"])
    assert table_inputs(load_settings(cwd=base_project, env={})) is None
    shutil.copy(DATA / "i18n" / "strings.yaml", base_project / "strings.yaml")
    configure(base_project, locales=[], extra_strings=["strings.yaml"])
    assert table_inputs(load_settings(cwd=base_project, env={})) is None
    assert stored_inputs("body {}") is None


def test_translation_table_leaves_out_other_texts() -> None:
    catalogs = Catalogs({"es": LocaleCatalog("es", None, table={"a": "A", "title": "Título"})})
    built = translation_table("p", "{role} - {locale}", {"c": ["a", "b"]}, catalogs, ["es"])
    assert built.locales == {"es": {"a": "A"}}


def test_register_keeps_the_macros_configured_before(monkeypatch: pytest.MonkeyPatch) -> None:
    """A column no table knows goes to the macro configured before (Aspects' own);
    the setting ASPECTS_ASSETS_TRANSLATE_COLUMN = False leaves the config alone."""
    from aspects_assets_superset_ext import jinja_macros

    known = tables(table(es_419={"audit": "oyente"}))
    monkeypatch.setattr(jinja_macros, "current_tables", lambda: known)
    monkeypatch.setattr(jinja_macros, "_user_locale",
                        lambda t, explicit: t.match(explicit or "es_419"))

    class App:
        def __init__(self, **config: object) -> None:
            self.config = dict(config)

    def aspects(column: str) -> str:
        return f"aspects({column})"

    app = App(JINJA_CONTEXT_ADDONS={"translate_column": aspects, "other": len})
    jinja_macros.register(app)
    addons = app.config["JINJA_CONTEXT_ADDONS"]
    assert addons["other"] is len
    assert addons["translate_column"]("course_name") == "aspects(course_name)"
    assert addons["translate_column_bool"]("graded") == "graded"
    assert "THEN 'oyente'" in addons["translate_column"]("enrollment_mode")
    assert "THEN 'audit'" in addons["translate_column"]("enrollment_mode", "fr")
    assert "THEN 'passed'" in addons["translate_column_bool"]("passed")

    off = App(ASPECTS_ASSETS_TRANSLATE_COLUMN=False, JINJA_CONTEXT_ADDONS={"x": aspects})
    jinja_macros.register(off)
    assert off.config["JINJA_CONTEXT_ADDONS"] == {"x": aspects}
