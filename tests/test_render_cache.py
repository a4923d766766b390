"""The render cache: a locale's copies are made again only when what they are made
of changed (the originals, the locale's catalog, the tool's code), and what a run
gets from it is what a render without it gives."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

import aspects_assets.project.render as render
import aspects_assets.run.pipeline as pipeline
from aspects_assets.project.settings import load_settings
from aspects_assets.run.pipeline import Checked, check
from aspects_assets.run.render_cache import CACHE_VARIABLE

from conftest import REPO

LOCALES = ["es_419", "fr_CA", "ar"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("assets", "templates", "translations"):
        shutil.copytree(REPO / name, target / name)
    text = (REPO / "aspects-assets.yaml").read_text()
    (target / "aspects-assets.yaml").write_text(
        text.replace("locales: [es_419, fr_CA, ar, pt_BR]", f"locales: [{', '.join(LOCALES)}]"))
    return target


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_VARIABLE, str(folder))
    return folder


@pytest.fixture
def localized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The locales whose copies are made (not taken from the cache), in order."""
    made: list[str] = []
    real = pipeline.locale_copies

    def counting(originals, locale, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(locale)
        return real(originals, locale, *args, **kwargs)

    monkeypatch.setattr(pipeline, "locale_copies", counting)
    return made


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source files rendered (not taken from the cache), by path below assets/."""
    made: list[str] = []
    real = render.render_file

    def counting(env, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(f"{path.parent.name}/{path.name}")
        return real(env, path, *args, **kwargs)

    monkeypatch.setattr(render, "render_file", counting)
    return made


def checked(project: Path, *, cache: bool, env: dict[str, str] | None = None) -> Checked:
    return check(load_settings(cwd=project, env=env or {}), cache=cache)


def locale_entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob("*.pickle") if not p.stem.endswith("-originals"))


def same(a: Checked, b: Checked) -> None:
    assert [(x.kind, x.uuid, x.locale, x.source, x.body, x.private) for x in a.assets] == \
        [(x.kind, x.uuid, x.locale, x.source, x.body, x.private) for x in b.assets]
    assert a.problems == b.problems
    assert a.fallbacks == b.fallbacks


def test_a_second_render_takes_every_locale_from_the_cache_and_is_the_same(
        project: Path, cache: Path, localized: list[str]) -> None:
    first = checked(project, cache=True)
    assert localized == LOCALES
    assert len(locale_entries(cache)) == len(LOCALES)
    assert len(first.fingerprints) == sum(1 for a in first.assets if a.locale)
    localized.clear()
    second = checked(project, cache=True)
    assert localized == []
    same(second, first)
    assert second.fingerprints == first.fingerprints
    localized.clear()
    same(checked(project, cache=False), second)
    assert localized == LOCALES


def test_one_catalog_changed_makes_that_locale_alone_again(
        project: Path, cache: Path, localized: list[str]) -> None:
    checked(project, cache=True)
    catalog = project / "translations" / "fr_CA" / "LC_MESSAGES" / "assets.po"
    text = catalog.read_text()
    marker = '\nmsgstr "'
    start = text.index(marker, re.search(r'\nmsgid "[^"]', text).start()) + len(marker)
    catalog.write_text(text[:start] + "[changed] " + text[start:])
    localized.clear()
    result = checked(project, cache=True)
    assert localized == ["fr_CA"]
    assert any("[changed] " in str(a.body) for a in result.assets if a.locale == "fr_CA")
    same(result, checked(project, cache=False))


def test_an_original_changed_makes_every_locale_again(
        project: Path, cache: Path, localized: list[str]) -> None:
    checked(project, cache=True)
    chart = project / "assets" / "charts" / "Courses.yaml"
    chart.write_text(chart.read_text().replace("slice_name: ", "slice_name: Renamed ", 1))
    localized.clear()
    result = checked(project, cache=True)
    assert localized == LOCALES
    same(result, checked(project, cache=False))


def test_a_damaged_or_foreign_entry_is_made_again(
        project: Path, cache: Path, localized: list[str]) -> None:
    first = checked(project, cache=True)
    entries = locale_entries(cache)
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(b"\x80\x05N.")  # a pickle of None: not an entry
    originals, = cache.glob("*-originals.pickle")
    originals.write_bytes(entries[2].read_bytes())  # an entry of another kind
    localized.clear()
    same(checked(project, cache=True), first)
    assert len(localized) == 2


def test_a_locale_with_an_error_is_not_kept(project: Path, cache: Path) -> None:
    catalog = project / "translations" / "ar" / "LC_MESSAGES" / "assets.po"
    catalog.write_text(catalog.read_text() + '\nmsgid "unterminated\n')
    result = checked(project, cache=True)
    assert result.errors and all(p.file.endswith("assets.po") for p in result.errors)
    assert len(locale_entries(cache)) == len(LOCALES) - 1


def test_off_writes_nothing(project: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_VARIABLE, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    checked(project, cache=True)
    assert not (tmp_path / "xdg").exists()
    assert os.environ[CACHE_VARIABLE] == "off"


def test_a_second_render_renders_the_databases_alone_and_keeps_no_secret(
        project: Path, cache: Path, rendered: list[str]) -> None:
    """The originals' files come from the cache too, but for the databases: one
    holds a password from the environment, which no cache entry may hold; a
    rotated password is the one the next run sends."""
    def env(password: str) -> dict[str, str]:
        return {"ASPECTS_CLICKHOUSE_URI": f"clickhousedb://report:{password}@127.0.0.1:8123/r"}

    first = checked(project, cache=True, env=env("Old-Secret-4711"))
    sources = sorted(rendered)
    assert len(sources) == len(list((project / "assets").rglob("*.yaml")))
    rendered.clear()
    second = checked(project, cache=True, env=env("New-Secret-0815"))
    assert sorted(rendered) == [s for s in sources if s.startswith("databases/")]
    assert [a.body for a in second.assets] == [a.body for a in first.assets]
    clickhouse, = (a for a in second.assets if a.kind == "database"
                   and "clickhousedb" in a.body["sqlalchemy_uri"])
    assert clickhouse.password == "New-Secret-0815"
    for entry in cache.glob("*.pickle"):
        assert b"Secret-" not in entry.read_bytes(), entry.name
    same(second, checked(project, cache=False, env=env("New-Secret-0815")))


def test_a_source_file_changed_is_rendered_again(project: Path, cache: Path,
                                                 rendered: list[str]) -> None:
    checked(project, cache=True)
    chart = project / "assets" / "charts" / "Courses.yaml"
    chart.write_text(chart.read_text().replace("slice_name: ", "slice_name: Renamed ", 1))
    rendered.clear()
    result = checked(project, cache=True)
    assert "charts/Courses.yaml" in rendered
    assert any(str(a.body.get("slice_name", "")).startswith("Renamed ") for a in result.assets)
