"""`init --from-tutor`: a project folder whose settings come from a Tutor install."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aspects_assets.cli.options import FORMAT_OPTION, AppContext, pass_app
from aspects_assets.cli.output import echo_json, style
from aspects_assets.core.i18n.extract import Planned, import_legacy
from aspects_assets.core.tutor_project import (
    EXTRA_TRANSLATIONS,
    GENERATED_ASSETS,
    OVERLAY,
    Desired,
    desired,
    differences,
    settings_text,
)
from aspects_assets.model.errors import EXIT_ACTION_NEEDED, InputError
from aspects_assets.project.settings import CONFIG_FILE_NAME, load_settings
from aspects_assets.project.tutor import (
    TutorInstall,
    read_root,
    read_with_tutor,
    tutor_command,
)
from aspects_assets.project.tutor_files import read_generated, read_settings, write_project


def _install(tutor_root: Path | None) -> TutorInstall:
    """Read from the root alone when one is given; else through the `tutor` command."""
    if tutor_root is not None:
        return read_root(tutor_root)
    tutor = tutor_command()
    if tutor is None:
        raise InputError("there is no `tutor` command on the PATH: give the Tutor root "
                         "with --tutor-root PATH (`tutor config printroot` prints it)",
                         file="--from-tutor")
    return read_with_tutor(tutor, None)


def _summary(install: TutorInstall, want: Desired) -> list[str]:
    passwords = ", ".join(f"${d.password_env}" for d in install.databases if d.password_env)
    generated = [p for p in want.files if p.is_relative_to(GENERATED_ASSETS)]
    pii = "on" if install.pii_enabled else f"off ({len(install.pii_uuids)} assets left out)"
    return [
        f"locales: {', '.join(install.locales) or 'none'}",
        f"embeddable dashboards: {len(install.embeddable)} (allowed: "
        f"{', '.join(install.allowed_domains) or 'any site'})",
        f"databases: {', '.join(d.name for d in install.databases)} (passwords from the "
        f"environment: {passwords or 'none'})",
        f"PII (ASPECTS_ENABLE_PII): {pii}",
        f"row-level security filters: {len(install.rls)}; retired uuids: "
        f"{len(install.retired_uuids)}; owners: {', '.join(install.owners) or 'none'}",
        f"generated: {GENERATED_ASSETS}/ ({len(generated)} files)"
        + (f", {EXTRA_TRANSLATIONS}" if EXTRA_TRANSLATIONS in want.files else ""),
    ]


@click.command("init")
@click.option("--from-tutor", "from_tutor", is_flag=True, required=True,
              help="Take the values from a Tutor install with tutor-contrib-aspects (the "
                   "only source for now).")
@click.option("--tutor-root", type=click.Path(path_type=Path, file_okay=False),
              help="The Tutor root, read alone (config.yml and the rendered env); without "
                   "it, the `tutor` command on the PATH is asked.")
@click.option("--translations", "legacy", type=click.Path(path_type=Path, dir_okay=False,
                                                          exists=True),
              help="An Aspects locale.yaml whose translations become the .po catalogs "
                   "(as `translations import-legacy` does).")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when the project is out of step with Tutor's "
                   "configuration, printing what differs.")
@FORMAT_OPTION
@pass_app
def init(app: AppContext, from_tutor: bool, tutor_root: Path | None, legacy: Path | None,
         check: bool, output_format: str) -> None:
    """Write a project for a Tutor install, or bring it up to date with Tutor.

    The settings file (--config, default ./aspects-assets.yaml) and the folders
    beside it: the assets are three layers, Tutor's rendered env (read in place),
    tutor/assets/ (generated: the databases with passwords masked, the PII
    assets with their `_include_if`, the row-level security filters and
    roles.json of the plugin) and overlay/assets/, your own assets, made empty
    once and never touched again. The settings take Tutor's locales, databases
    (each password named as the environment variable to set, never written),
    embeddable dashboards, the PII switch, the retired uuids and the template
    variables; your other settings and comments are kept.

    Run it again after `tutor config save`. With --check it writes nothing and
    exits 1 when the project is out of step (for CI), 0 when it is not.

    \b
    Example:
      aspects-assets init --from-tutor          # asks the tutor command on the PATH
      aspects-assets init --from-tutor --tutor-root ../tutor-root \\
          --translations ../tutor-contrib-aspects/locale.yaml
      aspects-assets init --from-tutor --check  # exits 1 when Tutor's configuration moved
    """
    install = _install(tutor_root)
    settings_file = (app.config or Path(CONFIG_FILE_NAME)).resolve()
    root = settings_file.parent
    want = desired(install)
    text, data = read_settings(settings_file)
    if check:
        found = differences(data, read_generated(root, GENERATED_ASSETS, EXTRA_TRANSLATIONS),
                            want, settings_name=settings_file.name)
        if output_format == "json":
            echo_json({"read_from": install.how, "in_step": not found, "differences": found,
                       "unknown_variables": list(install.unknown_variables)})
        else:
            click.echo(f"read Tutor's configuration from {install.how}")
            for line in found:
                click.echo(style(f"  ~ {line}", "yellow"))
            click.echo("out of step with Tutor's configuration: run `aspects-assets init "
                       "--from-tutor`" if found else "in step with Tutor's configuration")
        if found:
            sys.exit(EXIT_ACTION_NEEDED)
        return
    made_overlay = write_project(root, settings_file, settings_text(text, want), want.files,
                                 GENERATED_ASSETS, EXTRA_TRANSLATIONS, OVERLAY)
    catalogs: list[str] = []
    if legacy is not None:
        settings = load_settings(settings_file)
        written = Planned(import_legacy(settings, legacy).files).write()
        catalogs = [settings.display(p) for p in written]
    if output_format == "json":
        echo_json({"read_from": install.how, "settings": str(settings_file),
                   "generated": sorted(str(p) for p in want.files),
                   "overlay_created": made_overlay, "catalogs": catalogs,
                   "unknown_variables": list(install.unknown_variables),
                   "notes": list(want.notes)})
        return
    click.echo(f"read Tutor's configuration from {install.how}")
    for line in _summary(install, want):
        click.echo(f"  {line}")
    click.echo(f"wrote {settings_file.name} ({'updated' if text is not None else 'new'})")
    click.echo(f"{'made' if made_overlay else 'kept'} {OVERLAY}/ (your own assets: a file "
               "with an asset's uuid replaces it)")
    for path in catalogs:
        click.echo(f"wrote {path}")
    if install.unknown_variables:
        click.echo(style(f"not set in config.yml, so unknown without the tutor command: "
                         f"{', '.join(install.unknown_variables)} (your own templates cannot "
                         "use them; run without --tutor-root, or set them in the settings' "
                         "variables)", "yellow"))
    for note in want.notes:
        click.echo(style(f"note: {note}", "yellow"))
    env = " ".join(f"{d.password_env}=..." for d in install.databases if d.password_env)
    click.echo(f"next: export {env} SUPERSET_PASSWORD=...; aspects-assets validate"
               if env else "next: aspects-assets validate")
