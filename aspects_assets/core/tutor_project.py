"""The project a Tutor install makes (`init --from-tutor`): which settings it sets,
which files it generates, and how a project on disk differs from them. Pure: a
TutorInstall in, texts out.

The project has three asset layers, lowest first: Tutor's rendered env (read in
place, never through Jinja), `tutor/assets/` (generated here, rendered too: the
databases with their passwords masked, the PII assets with their `_include_if`,
the row-level security filters, the roles) and `overlay/assets/`, the operator's
own Jinja templates, which init creates once and never touches again.

init owns some keys of the settings file whole (`OWNED_KEYS`), and within
`variables` and `extra_translations` only the entries it writes: the operator's
other keys, variables and comments stay as they are.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aspects_assets.project.tutor import PII_VARIABLE, TutorInstall

GENERATED = Path("tutor")
GENERATED_ASSETS = GENERATED / "assets"
EXTRA_TRANSLATIONS = GENERATED / "extra-translations.yaml"
OVERLAY = Path("overlay/assets")
# Keys of the settings file that init writes whole on every run.
OWNED_KEYS = ("assets_dir", "locales", "databases", "embedded_dashboards", "retired_uuids",
              "owners")
_HEADER = ("# Written by `aspects-assets init --from-tutor` from {source}.\n"
           "# Do not edit: run it again after `tutor config save`.\n")


@dataclass(frozen=True)
class Desired:
    """What the project should hold: the owned settings, the variables and
    override files init sets, and every generated file (relative path → text)."""

    settings: Mapping[str, Any]
    variables: Mapping[str, Any]
    extra_translations: tuple[str, ...]
    files: Mapping[Path, str]
    notes: tuple[str, ...] = ()  # what the operator should know (one sentence each)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     width=4096)


def _generated_yaml(data: Any, source: Path) -> str:
    return _HEADER.format(source=source) + _dump(data)


def desired(install: TutorInstall) -> Desired:
    files: dict[Path, str] = {}
    assets_dir = install.assets_dir
    uris = {d.name: d.uri for d in install.databases}
    for path, rendered in install.asset_files.values():
        relative = path.relative_to(assets_dir)
        data = dict(rendered)
        changed = False
        if data.get("database_name") in uris:
            # Aspects' import sets each URI from SUPERSET_DATABASES; in clear here.
            data["sqlalchemy_uri"] = uris[data["database_name"]]
            changed = True
        if data.get("uuid") in install.pii_uuids:
            data["_include_if"] = PII_VARIABLE
            changed = True
        if changed:
            files[GENERATED_ASSETS / relative] = _generated_yaml(data, path)
    for rls in install.rls:
        spec: dict[str, Any] = {"name": rls.name, "filter_type": rls.filter_type,
                                "roles": list(rls.roles)}
        if rls.group_key:
            spec["group_key"] = rls.group_key
        spec["clause"] = rls.clause
        spec["datasets"] = {"schema": rls.schema, **({"exclude": list(rls.exclude)}
                                                     if rls.exclude else {})}
        files[GENERATED_ASSETS / "row_level_security" / f"{rls.name}.yaml"] = _generated_yaml(
            spec, install.root / "env/plugins/aspects/apps/superset/pythonpath/openedx/"
                                 "create_row_level_security.py")
    files[GENERATED_ASSETS / "roles" / "roles.json"] = install.roles_json
    extra: tuple[str, ...] = ()
    if install.extra_translations:
        files[EXTRA_TRANSLATIONS] = _generated_yaml(
            {code: dict(texts) for code, texts in sorted(install.extra_translations.items())},
            install.root / "env/plugins/aspects/build/aspects-superset/localization/"
                           "compile_translations.py (patch superset-extra-asset-translations)")
        extra = (str(EXTRA_TRANSLATIONS),)

    settings: dict[str, Any] = {
        "assets_dir": [{"path": str(assets_dir), "rendered": True},
                       {"path": str(GENERATED_ASSETS), "rendered": True},
                       {"path": str(OVERLAY)}],
        "locales": list(install.locales),
        "databases": {d.name: {"password_env": d.password_env}
                      for d in install.databases if d.password_env},
        "embedded_dashboards": {slug: ({"allowed_domains": list(install.allowed_domains)}
                                       if install.allowed_domains
                                       else {"allow_any_domain": True})
                                for slug in install.embeddable},
        "retired_uuids": list(install.retired_uuids),
    }
    if install.owners:  # the owners setting (a list of user names)
        settings["owners"] = list(install.owners)
    return Desired(settings=settings, variables=dict(install.variables),
                   extra_translations=extra, files=files, notes=_embedding_notes(install))


def _embedding_notes(install: TutorInstall) -> tuple[str, ...]:
    """The embedded uuid this tool sets is the dashboard's own (what the LMS plugin
    expects); Aspects sets the one SUPERSET_EMBEDDABLE_DASHBOARDS names."""
    slugs = {str(d.get("slug")): uuid for uuid, (_, d) in install.asset_files.items()
             if "dashboard_title" in d}
    notes = []
    for slug, uuid in install.embeddable.items():
        if slug not in slugs:
            notes.append(f"SUPERSET_EMBEDDABLE_DASHBOARDS names {slug!r}, which no dashboard of "
                         "the Tutor env has: validate will say so")
        elif slugs[slug] != uuid:
            notes.append(f"SUPERSET_EMBEDDABLE_DASHBOARDS gives {slug!r} the uuid {uuid}, not "
                         f"its dashboard's ({slugs[slug]}): the embedded uuid will be the "
                         "dashboard's, which is what the LMS plugin looks for")
    return tuple(notes)


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _flow(items: list[str]) -> CommentedSeq:
    """A short list on one line (`[en, fr_CA]`)."""
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _written(key: str, value: Any) -> Any:
    """An owned setting as the file shows it: short lists on one line."""
    if key == "locales":
        return _flow(value)
    if key == "embedded_dashboards":
        return {slug: {k: _flow(v) if isinstance(v, list) else v for k, v in spec.items()}
                for slug, spec in value.items()}
    return value


def settings_text(existing: str | None, want: Desired) -> str:
    """The settings file with init's keys set, the operator's kept (and comments)."""
    data = _yaml().load(existing) if existing and existing.strip() else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    for key in OWNED_KEYS:
        if key in want.settings:
            data[key] = _written(key, want.settings[key])
        elif key in data:
            del data[key]
    variables = data.get("variables")
    if not isinstance(variables, dict):
        variables = CommentedMap()
    for name, value in want.variables.items():
        variables[name] = value
    data["variables"] = variables
    listed = [p for p in data.get("extra_translations") or [] if p not in want.extra_translations
              and p != str(EXTRA_TRANSLATIONS)]
    if listed or want.extra_translations:
        data["extra_translations"] = [*want.extra_translations, *listed]
    elif "extra_translations" in data:
        del data["extra_translations"]
    stream = io.StringIO()
    _yaml().dump(data, stream)
    return stream.getvalue()


def _plain(value: Any) -> Any:
    """A round-trip value as plain data, for comparing."""
    return yaml.safe_load(yaml.safe_dump(value)) if value is not None else None


def differences(settings_data: Mapping[str, Any] | None, on_disk: Mapping[Path, str],
                want: Desired, *, settings_name: str) -> list[str]:
    """Lines saying how the project differs from what init would write now.
    `on_disk`: the files under the generated folder (relative path → text)."""
    lines = []
    data = dict(settings_data or {})
    if settings_data is None:
        lines.append(f"{settings_name}: missing")
    for key in OWNED_KEYS:
        have, should = _plain(data.get(key)), _plain(want.settings.get(key))
        if have != should:
            lines.append(f"{settings_name} [{key}]: {_short(have)} in the project, "
                         f"{_short(should)} in Tutor's configuration")
    found = data.get("variables")
    variables: dict[str, Any] = found if isinstance(found, dict) else {}
    for name, value in want.variables.items():
        have = _plain(variables.get(name)) if name in variables else None
        if name not in variables or have != _plain(value):
            lines.append(f"{settings_name} [variables.{name}]: {_short(have)} in the project, "
                         f"{_short(value)} in Tutor's configuration")
    listed = data.get("extra_translations") or []
    for extra in want.extra_translations:
        if extra not in listed:
            lines.append(f"{settings_name} [extra_translations]: {extra} is not listed")
    for path in sorted(set(want.files) | set(on_disk)):
        if path not in on_disk:
            lines.append(f"{path}: missing")
        elif path not in want.files:
            lines.append(f"{path}: no longer made from Tutor's configuration")
        elif on_disk[path] != want.files[path]:
            lines.append(f"{path}: differs from what Tutor's configuration makes")
    return lines


def _short(value: Any, width: int = 120) -> str:
    text = "(none)" if value is None else (
        ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    text = text if isinstance(value, list) or value is None else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
