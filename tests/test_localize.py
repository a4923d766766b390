"""Localized copies: Aspects-compatible uuids, slugs, references, roles, physical
datasets, metric labels; all through the pipeline a command uses."""

from __future__ import annotations

import json
import uuid
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import yaml

from aspects_assets.core.bundle import build_bundle
from aspects_assets.core.i18n.fields import FIELDS
from aspects_assets.core.i18n.labels import plan_labels, rename_labels
from aspects_assets.core.i18n.localize import copy_uuid, physical_select
from aspects_assets.model.assets import Asset, AssetSet
from aspects_assets.model.errors import InputError
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import check

from conftest import configure, run

DATASET = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0002"
CHART = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0003"
DASHBOARD = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0004"
DATABASE = "0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0001"

ES_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: es_419\\n"

msgid "Course overview"
msgstr "Resumen del curso"

msgid "Enrollments over time"
msgstr "Inscripciones en el tiempo"

msgid "Enrollments"
msgstr "Inscripciones"

msgid "Day"
msgstr "Día"

msgid "Enrollment"
msgstr "Inscripción"

msgid "Course Key"
msgstr "Clave del curso"

msgid "Course"
msgstr "Curso"

#, fuzzy
msgid "Choose one course."
msgstr "Elija un curso (fuzzy: not used)."

msgid "Daily enrollments"
msgstr ""
"""


def aspects_vector(base: str, locale: str) -> str:
    """The Aspects rule, written out here with the uuid module only."""
    return str(uuid.uuid5(uuid.uuid5(uuid.UUID(base), "superset"), locale.lower()))


def with_catalog(project: Path, locale: str, text: str) -> None:
    path = project / "translations" / locale / "LC_MESSAGES" / "assets.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(base_project: Path) -> Path:
    configure(base_project, locales=["es_419", "fr_CA"])
    with_catalog(base_project, "es_419", ES_PO)
    return base_project


def checked(project: Path, locales: list[str] | None = None) -> dict[tuple[str, str | None], Asset]:
    result = check(load_settings(cwd=project, env={}), locales)
    assert result.errors == [], result.errors
    return {(a.base_uuid, a.locale): a for a in result.assets}


# --- uuids and slugs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "locale", "expected"),
    [
        # computed once with the standard library, independently of our code
        (DASHBOARD, "es_419", aspects_vector(DASHBOARD, "es_419")),
        (DASHBOARD, "fr_CA", aspects_vector(DASHBOARD, "fr_ca")),
        (CHART, "ar", aspects_vector(CHART, "ar")),
        (DATASET, "pt_BR", aspects_vector(DATASET, "pt_br")),
    ],
)
def test_copy_uuid_matches_aspects(base: str, locale: str, expected: str) -> None:
    assert copy_uuid(base, locale) == expected
    # es-419 (BCP 47) gives the same uuid as es_419
    assert copy_uuid(base, locale.replace("_", "-")) == expected


def test_copy_uuid_fixed_vector() -> None:
    # A literal vector, so that a change of the rule itself is caught too.
    namespace = uuid.uuid5(uuid.UUID("12345678-1234-5678-1234-567812345678"), "superset")
    expected = str(uuid.uuid5(namespace, "es_419"))
    assert copy_uuid("12345678-1234-5678-1234-567812345678", "es-419") == expected


def test_every_kind_but_databases_is_copied_with_aspects_uuids(project: Path) -> None:
    assets = checked(project)
    for base in (DATASET, CHART, DASHBOARD):
        for locale in ("es_419", "fr_CA"):
            copy = assets[(base, locale)]
            assert copy.uuid == aspects_vector(base, locale.lower())
    assert (DATABASE, "es_419") not in assets
    assert len(assets) == 1 + 3 * 3


def test_slug_references_and_roles(project: Path) -> None:
    assets = checked(project)
    original = assets[(DASHBOARD, None)]
    copy = assets[(DASHBOARD, "es_419")]
    assert copy.body["slug"] == "course-overview-es_419"
    assert original.body["slug"] == "course-overview"
    chart_copy = assets[(CHART, "es_419")]
    dataset_copy = assets[(DATASET, "es_419")]
    assert chart_copy.body["dataset_uuid"] == dataset_copy.uuid
    assert copy.body["position"]["CHART-1"]["meta"]["uuid"] == chart_copy.uuid
    target = copy.body["metadata"]["native_filter_configuration"][0]["targets"][0]
    assert target["datasetUuid"] == dataset_copy.uuid
    # databases are not copied: the copy of a dataset keeps the original database
    assert dataset_copy.body["database_uuid"] == DATABASE
    # roles: the copy gets "<role> - <locale>", the original only Admin
    assert copy.private["_roles"] == ["Instructor - es_419"]
    assert original.private["_roles"] == ["Admin"]
    assert copy.private["_embedded"] == original.private["_embedded"]


def test_role_format_and_original_roles_are_settings(project: Path) -> None:
    configure(project, locale_role_format="{locale}:{role}", original_roles=["Admin", "Alpha"])
    assets = checked(project)
    assert assets[(DASHBOARD, "fr_CA")].private["_roles"] == ["fr_CA:Instructor"]
    assert assets[(DASHBOARD, None)].private["_roles"] == ["Admin", "Alpha"]


def test_without_locales_nothing_is_copied_and_roles_stay(base_project: Path) -> None:
    assets = checked(base_project)
    assert all(locale is None for _, locale in assets)
    assert assets[(DASHBOARD, None)].private["_roles"] == ["Instructor"]


# --- translated fields ----------------------------------------------------------------


def test_translations_are_applied_and_originals_keep_the_source(project: Path) -> None:
    assets = checked(project)
    dashboard = assets[(DASHBOARD, "es_419")].body
    assert dashboard["dashboard_title"] == "Resumen del curso"
    assert dashboard["position"]["TAB-1"]["meta"]["text"] == "Inscripción"
    # empty msgstr and fuzzy entries fall back to the source text
    assert dashboard["position"]["CHART-1"]["meta"]["sliceNameOverride"] == "Daily enrollments"
    native_filter = dashboard["metadata"]["native_filter_configuration"][0]
    assert native_filter["name"] == "Curso"
    assert native_filter["description"] == "Choose one course."
    chart = assets[(CHART, "es_419")].body
    assert chart["slice_name"] == "Inscripciones en el tiempo"
    assert chart["params"]["x_axis_title"] == "Día"
    assert chart["params"]["metrics"][0]["label"] == "Inscripciones"
    dataset = assets[(DATASET, "es_419")].body
    assert dataset["columns"][1]["verbose_name"] == "Clave del curso"
    assert dataset["table_name"] == "enrollments_es_419"
    # originals untouched; a locale without a catalog gets the source texts
    assert assets[(DASHBOARD, None)].body["dashboard_title"] == "Course overview"
    assert assets[(CHART, None)].body["params"]["metrics"][0]["label"] == "Enrollments"
    assert assets[(DASHBOARD, "fr_CA")].body["dashboard_title"] == "Course overview"


def test_overrides_replace_catalog_entries(project: Path) -> None:
    (project / "more.yaml").write_text("es-419:\n  Course overview: Panorama del curso\n")
    configure(project, extra_translations=["more.yaml"])
    assets = checked(project)
    assert assets[(DASHBOARD, "es_419")].body["dashboard_title"] == "Panorama del curso"


def test_locale_option_narrows_and_must_be_configured(project: Path) -> None:
    assets = checked(project, ["es-419"])
    assert {locale for _, locale in assets} == {None, "es_419"}
    with pytest.raises(InputError, match="not in the settings"):
        check(load_settings(cwd=project, env={}), ["de_DE"])
    result = run(["validate", "--locale", "fr_CA"], project)
    assert result.exit_code == 0, result.output
    assert "1 databases, 2 datasets, 2 charts, 2 dashboards" in result.output
    result = run(["validate", "--locale", "xx_YY"], project)
    assert result.exit_code == 2


def test_bad_catalog_is_a_validation_error_with_file_and_line(project: Path) -> None:
    with_catalog(project, "fr_CA", 'msgid "Course"\nmsgstrr "Cours"\n')
    result = run(["validate"], project)
    assert result.exit_code == 2
    assert "translations/fr_CA/LC_MESSAGES/assets.po:2" in result.output


# --- datasets: physical ones become virtual per locale ------------------------------------


def make_physical(project: Path) -> None:
    path = project / "assets" / "datasets" / "enrollments.yaml"
    data = yaml.safe_load(path.read_text())
    data["sql"] = ""
    path.write_text(yaml.safe_dump(data))


def test_physical_dataset_copies_are_virtual_with_their_own_identity(project: Path) -> None:
    make_physical(project)
    assets = checked(project)
    original = assets[(DATASET, None)].body
    assert original["sql"] == "" and original["table_name"] == "enrollments"
    identities = set()
    for locale in ("es_419", "fr_CA"):
        copy = assets[(DATASET, locale)].body
        assert copy["sql"] == "SELECT * FROM reporting.enrollments"
        assert copy["table_name"] == f"enrollments_{locale}"
        assert copy["columns"] and copy["metrics"]
        identities.add((copy["database_uuid"], copy["schema"], copy["table_name"]))
    identities.add((original["database_uuid"], original["schema"], original["table_name"]))
    assert len(identities) == 3


@pytest.mark.parametrize(
    ("schema", "table", "sql"),
    [
        ("reporting", "fact_enrollments", "SELECT * FROM reporting.fact_enrollments"),
        (None, "events", "SELECT * FROM events"),
        ("my schema", 'odd"name', 'SELECT * FROM "my schema"."odd""name"'),
    ],
)
def test_physical_select_quotes_only_when_needed(schema: str | None, table: str, sql: str) -> None:
    assert physical_select(schema, table) == sql


def test_dataset_identity_is_checked_across_locales(project: Path) -> None:
    # a second dataset named like the es_419 copy of the first collides with it
    path = project / "assets" / "datasets" / "enrollments.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(
        uuid="0b1c0f6e-7a61-4c55-9a0a-3c1f0c1d0009", table_name="enrollments_es_419", sql="SELECT 1"
    )
    (project / "assets" / "datasets" / "clash.yaml").write_text(yaml.safe_dump(data))
    result = run(["validate"], project)
    assert result.exit_code == 2
    assert "dataset identity" in result.output and "es_419" in result.output


# --- metric labels ----------------------------------------------------------------------

LABEL = "Active learners"


def label_chart(**extra_params: Any) -> dict[str, Any]:
    metric = {
        "expressionType": "SQL",
        "sqlExpression": "count(distinct actor_id)",
        "label": LABEL,
        "hasCustomLabel": True,
    }
    params = {
        "viz_type": "table",
        "metrics": [metric],
        "column_config": {LABEL: {"d3NumberFormat": ",d"}},
        "conditional_formatting": [{"column": LABEL, "operator": ">", "targetValue": 0}],
        "timeseries_limit_metric": metric,
        "x_axis_sort": LABEL,
        "y_axis_title": LABEL,
        **extra_params,
    }
    query_context = {
        "form_data": params,
        "queries": [
            {
                "metrics": [metric],
                "orderby": [[LABEL, False]],
                "post_processing": [
                    {"operation": "pivot", "options": {"aggregates": {LABEL: {"operator": "mean"}}}}
                ],
            }
        ],
    }
    return {"slice_name": "Learners", "params": params, "query_context": json.dumps(query_context)}


def test_label_is_renamed_with_every_reference() -> None:
    body = label_chart()
    plan = plan_labels(body, frozenset({"actor_id"}))
    assert plan.safe == {LABEL} and plan.skipped == ()
    renamed = rename_labels(body, {LABEL: "Estudiantes activos"})
    params = renamed["params"]
    assert params["metrics"][0]["label"] == "Estudiantes activos"
    assert list(params["column_config"]) == ["Estudiantes activos"]
    assert params["conditional_formatting"][0]["column"] == "Estudiantes activos"
    assert params["timeseries_limit_metric"]["label"] == "Estudiantes activos"
    assert params["x_axis_sort"] == "Estudiantes activos"
    assert params["y_axis_title"] == LABEL  # a text of its own, translated on its own
    assert isinstance(renamed["query_context"], str)  # a JSON string stays one
    query_context = json.loads(renamed["query_context"])
    query = query_context["queries"][0]
    assert query["metrics"][0]["label"] == "Estudiantes activos"
    assert query["orderby"][0][0] == "Estudiantes activos"
    assert list(query["post_processing"][0]["options"]["aggregates"]) == ["Estudiantes activos"]
    assert query_context["form_data"]["column_config"] == {
        "Estudiantes activos": {"d3NumberFormat": ",d"}
    }
    # the original is never changed
    assert body["params"]["metrics"][0]["label"] == LABEL


@pytest.mark.parametrize(
    ("body", "columns", "reason"),
    [
        (label_chart(), frozenset({LABEL}), "also a column name"),
        (label_chart(groupby=[LABEL]), frozenset(), "params.groupby[0]"),
        (label_chart(order_by_cols=[json.dumps([LABEL, True])]), frozenset(), "order_by_cols"),
        ({**label_chart(), "query_context": '{"broken": "' + LABEL}, frozenset(), "cannot be read"),
    ],
    ids=["column-name", "unknown-place", "inside-json-text", "unreadable-query-context"],
)
def test_label_left_untranslated_when_a_reference_cannot_be_renamed(
    body: dict[str, Any], columns: frozenset[str], reason: str
) -> None:
    plan = plan_labels(body, columns)
    assert plan.safe == frozenset()
    assert [s.label for s in plan.skipped] == [LABEL]
    assert reason in plan.skipped[0].reason


def test_skipped_label_is_a_warning_naming_chart_and_label(project: Path) -> None:
    path = project / "assets" / "charts" / "enrollments.yaml"
    data = yaml.safe_load(path.read_text())
    data["params"]["groupby"] = ["Enrollments"]
    path.write_text(yaml.safe_dump(data))
    result = run(["validate"], project)
    assert result.exit_code == 0, result.output
    assert "metric label 'Enrollments' of chart 'Enrollments over time' is not translated" in (
        result.output
    )
    assets = checked(project)
    assert assets[(CHART, "es_419")].body["params"]["metrics"][0]["label"] == "Enrollments"


def test_registry_covers_every_field_of_the_issue() -> None:
    where = {(f.kind, f.where) for f in FIELDS}
    for expected in [
        ("dashboard", "dashboard_title"),
        ("dashboard", "description"),
        ("dashboard", "position.<HEADER>.meta.text"),
        ("dashboard", "position.<TAB>.meta.text"),
        ("dashboard", "position.<MARKDOWN>.meta.code"),
        ("dashboard", "position.<CHART>.meta.sliceNameOverride"),
        ("dashboard", "metadata.native_filter_configuration[].name"),
        ("dashboard", "metadata.native_filter_configuration[].description"),
        ("chart", "slice_name"),
        ("chart", "description"),
        ("chart", "params.x_axis_title"),
        ("chart", "params.y_axis_title"),
        ("dataset", "columns[].verbose_name"),
        ("dataset", "metrics[].verbose_name"),
    ]:
        assert expected in where


# --- determinism ------------------------------------------------------------------------


def test_build_is_byte_identical(project: Path) -> None:
    first = run(["build", "--out", "a.zip"], project)
    second = run(["build", "--out", "b.zip"], project)
    assert first.exit_code == second.exit_code == 0
    a, b = (project / "a.zip").read_bytes(), (project / "b.zip").read_bytes()
    assert a == b
    names = zipfile.ZipFile(BytesIO(a)).namelist()
    assert sum("enrollments_es_419_" in n for n in names) == 1


def test_localized_bodies_share_nothing_mutable_with_originals(project: Path) -> None:
    assets = checked(project)
    bundle = build_bundle(AssetSet.of(assets.values()))
    before = {k: bytes(v) for k, v in bundle.files.items()}
    again = build_bundle(AssetSet.of(checked(project).values()))
    assert before == dict(again.files)
