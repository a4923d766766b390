"""Translation commands: `extract-translations` and the `translations` group."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aspects_assets.cli.fallback_report import fallback_lines
from aspects_assets.cli.options import (
    FORMAT_OPTION,
    LOCALE_OPTION,
    AppContext,
    GlobalOptionsGroup,
    pass_app,
)
from aspects_assets.cli.output import echo_json
from aspects_assets.core.i18n.check import check_catalog
from aspects_assets.core.i18n.extract import (
    Planned,
    SourceText,
    describe,
    import_legacy,
    plan_extraction,
    source_texts,
)
from aspects_assets.core.i18n.fallbacks import fallbacks, text_uses
from aspects_assets.core.i18n.localize import make_context
from aspects_assets.core.i18n.query_time import (
    dataset_strings_yaml,
    legacy_locale_yaml,
    translations_of,
)
from aspects_assets.core.i18n.status import locale_status
from aspects_assets.model.errors import EXIT_ACTION_NEEDED, InputError
from aspects_assets.model.locales import normalize_locale
from aspects_assets.project.catalogs import load_catalogs
from aspects_assets.project.extra_strings import load_extra_strings, merged_columns
from aspects_assets.project.render import load_assets
from aspects_assets.project.settings import Settings
from aspects_assets.run.pipeline import selected_locales


@click.command("extract-translations")
@click.option("--pot-only", is_flag=True, help="Write the .pot only; leave the .po files.")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the .pot or a catalog on disk is stale (for CI).",
)
@FORMAT_OPTION
@pass_app
def extract_translations(
    app: AppContext, pot_only: bool, check_only: bool, output_format: str
) -> None:
    """Write translations/assets.pot from the assets and merge it into every
    locale's translations/<locale>/LC_MESSAGES/assets.po.

    New texts are added, removed ones kept as obsolete, changed ones marked
    fuzzy; missing catalogs are created. The same assets always give the same
    bytes (no timestamps).

    \b
    Example:
      aspects-assets extract-translations
      aspects-assets extract-translations --check   # in CI
    """
    settings = app.settings
    planned: Planned = plan_extraction(settings, pot_only=pot_only)
    stale = [settings.display(path) for path in planned.stale()]
    written = [] if check_only else [settings.display(path) for path in planned.write()]
    if output_format == "json":
        echo_json({"files": len(planned.files), "stale": stale, "written": written})
    elif check_only:
        for path in stale:
            click.echo(f"stale: {path}")
        click.echo(f"{len(stale)} file(s) out of date: run `aspects-assets extract-translations`"
                   if stale else f"up to date: {len(planned.files)} file(s)")
    else:
        for path in written:
            click.echo(f"wrote {path}")
        click.echo(f"{len(stale)} of {len(planned.files)} file(s) changed")
    if check_only and stale:
        sys.exit(EXIT_ACTION_NEEDED)


@click.group(cls=GlobalOptionsGroup)
def translations() -> None:
    """Coverage, checks and migration of the translation catalogs.

    \b
    Example:
      aspects-assets translations status --fail-under 90
      aspects-assets translations check
    """


@translations.command()
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit 1 when a locale has fewer translated texts than this percentage.",
)
@click.option("--missing", is_flag=True,
              help="Also list, per locale, each text that shows in the source language "
                   "(untranslated or fuzzy) and where it is used.")
@LOCALE_OPTION
@FORMAT_OPTION
@pass_app
def status(
    app: AppContext, fail_under: float | None, missing: bool, locales: tuple[str, ...],
    output_format: str
) -> None:
    """Per locale: translated, fuzzy and untranslated texts of the current assets,
    and overrides that match no source text.

    \b
    Example:
      aspects-assets translations status --locale es_419 --format json
      aspects-assets translations status --missing
    """
    settings = app.settings
    chosen = selected_locales(settings, locales or None)
    found = source_texts(settings)
    sources = [t.text for t in found]
    catalogs = load_catalogs(settings, chosen)
    rows = [locale_status(catalogs[locale], sources) for locale in chosen]
    below = [r for r in rows if fail_under is not None and r.percent < fail_under]
    falling_back = fallbacks(_uses(settings, found), catalogs, chosen) if missing else []
    if output_format == "json":
        echo_json(
            {
                "locales": [r.as_dict() for r in rows],
                "fail_under": fail_under,
                "below": [r.locale for r in below],
                **({"missing": [f.as_dict() for f in falling_back]} if missing else {}),
            }
        )
    else:
        click.echo(
            f"{'locale':<10} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} "
            f"{'percent':>8}  catalog"
        )
        for r in rows:
            click.echo(
                f"{r.locale:<10} {r.translated:>10} {r.fuzzy:>6} {r.untranslated:>12} "
                f"{r.percent:>7.1f}%  {r.catalog or '(none)'}"
            )
        for r in rows:
            for entry in r.unused_overrides:
                click.echo(
                    f"{r.locale}: {entry.file}:{entry.line}: override matches no source text: "
                    f"{describe(entry.source)!r}"
                )
        for line in fallback_lines(falling_back, settings.source_locale, verbose=True):
            click.echo(line)
        if not rows:
            click.echo("no locales configured (settings `locales`)")
    if below:
        click.echo(
            f"under {fail_under:g}%: {', '.join(r.locale for r in below)}",
            err=output_format == "json",
        )
        sys.exit(EXIT_ACTION_NEEDED)


def _uses(settings: Settings, found: list[SourceText]) -> dict[str, list[str]]:
    """Where each source text is used: the asset and key, as diff and import say it
    (the assets are rendered once more for it); a data value by its file and key."""
    originals = load_assets(settings).assets
    uses = text_uses(originals, make_context(originals).texts)
    for text in found:
        if text.text not in uses:
            uses[text.text] = [f"{text.comment} ({text.location})"]
    return uses


@translations.command("check")
@LOCALE_OPTION
@FORMAT_OPTION
@pass_app
def check_command(app: AppContext, locales: tuple[str, ...], output_format: str) -> None:
    """Check every translation in use against its source text: markup tags (by
    name; attributes such as dir or style are fine), URLs, placeholders
    ({{ }}, %(name)s, {name}), line breaks, leading/trailing whitespace and the
    `do_not_translate` glossary. Exit 1 when something is found.

    \b
    Example:
      aspects-assets translations check --locale ar
    """
    settings = app.settings
    chosen = selected_locales(settings, locales or None)
    catalogs = load_catalogs(settings, chosen)
    findings = [
        f for locale in chosen for f in check_catalog(catalogs[locale], settings.do_not_translate)
    ]
    if output_format == "json":
        echo_json(
            [
                {
                    "locale": f.locale,
                    "file": f.file,
                    "line": f.line,
                    "source": f.source,
                    "translation": f.translation,
                    "message": f.message,
                }
                for f in findings
            ]
        )
    else:
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{len(findings)} problem(s) in {len(chosen)} locale(s)")
    if findings:
        sys.exit(EXIT_ACTION_NEEDED)


@translations.command("import-legacy")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--as-locale",
    metavar="LOCALE",
    help="The locale of documents keyed `en:` (default: a locale folder in FILE's path).",
)
@FORMAT_OPTION
@pass_app
def import_legacy_command(
    app: AppContext, file: Path, as_locale: str | None, output_format: str
) -> None:
    """Turn an Aspects locale.yaml ({locale: {source text: translation}}) into
    .po catalogs for the configured locales.

    Entries that match a current source text are imported (replacing the
    catalog's translation); the others are reported. The Tutor patch line and
    `'': ''` entries are ignored.

    \b
    Example:
      aspects-assets translations import-legacy ../tutor-contrib-aspects/locale.yaml
    """
    settings = app.settings
    code = None
    if as_locale:
        try:
            code = normalize_locale(as_locale)
        except ValueError as exc:
            raise InputError(str(exc), file="--as-locale") from exc
    result = import_legacy(settings, file, as_locale=code)
    written = [settings.display(path) for path in Planned(result.files).write()]
    if output_format == "json":
        echo_json({
            "written": written,
            "locales": [{"locale": item.locale, "imported": item.imported,
                         "unmatched": list(item.unmatched)} for item in result.results],
            "not_configured": dict(sorted(result.not_configured.items())),
        })
        return
    for path in written:
        click.echo(f"wrote {path}")
    for item in result.results:
        click.echo(
            f"{item.locale}: {item.imported} imported, {len(item.unmatched)} match no source text"
        )
        for source in item.unmatched:
            click.echo(f"  not imported: {describe(source)!r}")
    for locale, count in sorted(result.not_configured.items()):
        click.echo(f"{locale}: {count} string(s) not imported (locale not in the settings)")


@translations.command("export-legacy")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Where to write the locale.yaml.")
@click.option("--dataset-strings", "strings_out", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write Aspects' datasets_strings.yaml (the columns `translate_column` "
                   "knows) from the settings' extra_strings.")
@LOCALE_OPTION
@FORMAT_OPTION
@pass_app
def export_legacy_command(app: AppContext, out: Path, strings_out: Path | None,
                          locales: tuple[str, ...], output_format: str) -> None:
    """Write an Aspects locale.yaml ({locale: {source text: translation}}) from
    the catalogs, for a Superset image that Aspects built: its translate_column
    macro and create_assets.py read /app/localization/locale.yaml.

    Every current source text that has a translation (override, else a catalog
    msgstr that is neither fuzzy nor empty) is written, one YAML document per
    locale; `translations import-legacy` reads it back. Mount it over the
    image's file, e.g. with Tutor:

    \b
      tutor mounts add "superset:$PWD/locale.yaml:/app/localization/locale.yaml"

    \b
    Example:
      aspects-assets translations export-legacy --out locale.yaml
      aspects-assets translations export-legacy --out locale.yaml \\
          --dataset-strings datasets_strings.yaml --locale es_419
    """
    settings = app.settings
    chosen = selected_locales(settings, locales or None)
    sources = sorted({t.text for t in source_texts(settings)})
    catalogs = load_catalogs(settings, chosen)
    _write_text(out, legacy_locale_yaml(catalogs, chosen, sources))
    if strings_out is not None:
        _write_text(strings_out,
                    dataset_strings_yaml(merged_columns(load_extra_strings(settings))))
    counts = [(code, len(translations_of(catalogs, code, sources))) for code in chosen]
    if output_format == "json":
        echo_json({"out": str(out), "dataset_strings": str(strings_out) if strings_out else None,
                   "sources": len(sources),
                   "locales": [{"locale": code, "translated": n} for code, n in counts]})
        return
    click.echo(f"wrote {out}: {len(chosen)} locale(s), {len(sources)} source text(s)")
    for code, n in counts:
        click.echo(f"  {code}: {n} translated")
    if strings_out is not None:
        click.echo(f"wrote {strings_out}")


def _write_text(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(path)) from exc
