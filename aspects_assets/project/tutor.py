"""A Tutor install with tutor-contrib-aspects, read: what Tutor rendered for Aspects
(`tutor config save` writes `<root>/env/plugins/aspects/`) and the few values of
its configuration that no rendered file holds.

Tutor renders everything Aspects' own import (`create_assets.py`) uses, so the
rendered env is the one source of the project's values, whichever way the root
is found (the paths are listed in docs/tutor.md):

- `build/aspects-superset/openedx-assets/assets/`: the assets, fully rendered;
- `apps/superset/pythonpath/create_assets.py`: the locales, the embeddable
  dashboards, the databases' URIs, the owners, the PII switch and the PII charts;
- `apps/superset/pythonpath/openedx/create_row_level_security.py`: the filters;
- `apps/superset/pythonpath/aspects_asset_list.yaml`: the retired uuids
  (`unused_uuids`; with PII off, the PII dashboards too);
- `apps/superset/security/roles.json`: the roles with their permissions;
- `build/aspects-superset/localization/compile_translations.py`: the
  `superset-extra-asset-translations` patch;
- `<root>/env/apps/openedx/config/lms.env.yml` and `settings/lms/production.py`:
  where the LMS, Studio and the MFEs are, and the PII dashboards when PII is on.

The template variables an operator's own assets may use (the roles mapping, the
help markdowns) are rendered nowhere: they come from `config.yml`, else from
`tutor config printvalue` when the `tutor` command is used; read from a root alone,
the ones `config.yml` does not set are reported as unknown.

The rendered files hold passwords in clear (the databases' URIs): they are masked
here, as soon as they are read, and only the name of the `config.yml` key that
holds each one is kept.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aspects_assets.model import secrets as secret_rules
from aspects_assets.model.errors import InputError
from aspects_assets.project.files import read_text

PLUGIN_ENV = Path("env/plugins/aspects")
ASSETS = PLUGIN_ENV / "build/aspects-superset/openedx-assets/assets"
PYTHONPATH = PLUGIN_ENV / "apps/superset/pythonpath"
CREATE_ASSETS = PYTHONPATH / "create_assets.py"
RLS = PYTHONPATH / "openedx/create_row_level_security.py"
ASSET_LIST = PYTHONPATH / "aspects_asset_list.yaml"
ROLES = PLUGIN_ENV / "apps/superset/security/roles.json"
TRANSLATIONS = PLUGIN_ENV / "build/aspects-superset/localization/compile_translations.py"
LMS_ENV = Path("env/apps/openedx/config/lms.env.yml")
LMS_SETTINGS = Path("env/apps/openedx/settings/lms/production.py")

# Variables of Aspects' asset templates that no rendered file holds.
CONFIG_VARIABLES = (
    "SUPERSET_ROLES_MAPPING",
    "ASPECTS_COURSE_OVERVIEW_HELP_MARKDOWN",
    "ASPECTS_INDIVIDUAL_LEARNER_HELP_MARKDOWN",
    "ASPECTS_LEARNER_GROUPS_HELP_MARKDOWN",
    "ASPECTS_OPERATOR_HELP_MARKDOWN",
    "ASPECTS_COURSE_COMPARISON_HELP_MARKDOWN",
)
# The schema constants of the filters' script, as the variables of the templates.
_SCHEMA_VARIABLES = {"XAPI_SCHEMA": "ASPECTS_XAPI_DATABASE",
                     "DBT_SCHEMA": "DBT_PROFILE_TARGET_DATABASE",
                     "EVENT_SINK_SCHEMA": "ASPECTS_EVENT_SINK_DATABASE"}
# Aspects' two databases, by name, as the variables of the templates (URIs masked).
_URI_VARIABLES = {"OpenedX Clickhouse": "CLICKHOUSE_REPORT_SQLALCHEMY_URI",
                  "Superset Metadata": "SUPERSET_METADATA_SQLALCHEMY_URI"}
PII_VARIABLE = "ASPECTS_ENABLE_PII"
_TUTOR_TIMEOUT_S = 120


@dataclass(frozen=True)
class Database:
    name: str
    uri: str  # masked
    password_env: str | None  # the config.yml key that holds its password


@dataclass(frozen=True)
class RlsSpec:
    name: str
    schema: str
    exclude: tuple[str, ...]
    roles: tuple[str, ...]
    group_key: str | None
    clause: str
    filter_type: str


@dataclass(frozen=True)
class TutorInstall:
    """What a Tutor root holds for the project, passwords masked."""

    root: Path
    how: str  # which way it was read, as a sentence names it
    locales: tuple[str, ...]
    embeddable: Mapping[str, str]  # slug → uuid
    allowed_domains: tuple[str, ...]  # the Open edX sites that embed dashboards
    databases: tuple[Database, ...]
    owners: tuple[str, ...]
    pii_enabled: bool
    pii_uuids: tuple[str, ...]  # charts and dashboards that only PII makes usable
    rls: tuple[RlsSpec, ...]
    roles_json: str
    retired_uuids: tuple[str, ...]
    extra_translations: Mapping[str, Mapping[str, str]]
    variables: Mapping[str, Any]
    unknown_variables: tuple[str, ...] = ()
    # uuid → (rendered file, its data)
    asset_files: Mapping[str, tuple[Path, Mapping[str, Any]]] = field(default_factory=dict)

    @property
    def assets_dir(self) -> Path:
        return self.root / ASSETS


def _load(text: str) -> Any:
    """YAML through libyaml: the env's assets are 3 MB, which PyYAML's Python
    parser takes ten seconds to read."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def _shown(root: Path, relative: Path) -> str:
    return str(root / relative)


def _text(root: Path, relative: Path) -> str:
    path = root / relative
    if not path.is_file():
        raise InputError("is missing from the rendered Tutor env: run `tutor config save` "
                         "(with the aspects plugin enabled)", file=str(path))
    return read_text(path, str(path))


def _python(root: Path, relative: Path) -> ast.Module:
    try:
        return ast.parse(_text(root, relative))
    except SyntaxError as exc:
        raise InputError(f"is not Python Tutor could have rendered ({exc.msg})",
                         file=_shown(root, relative), line=exc.lineno) from exc


def _literal(node: ast.AST | None, shown: str, name: str) -> Any:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError as exc:
        raise InputError(f"{name} is not a literal value", file=shown) from exc


def _assigned(tree: ast.AST, name: str) -> ast.expr | None:
    """The value last assigned to `name` anywhere in `tree`."""
    found = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                for t in node.targets):
            found = node.value
    return found


def _required(tree: ast.AST, name: str, shown: str) -> Any:
    value = _assigned(tree, name)
    if value is None:
        raise InputError(f"has no {name} (is this tutor-contrib-aspects 6.x?)", file=shown)
    return _literal(value, shown, name)


def _pii_test(tree: ast.AST, shown: str) -> tuple[bool, tuple[str, ...]]:
    """`if not <ASPECTS_ENABLE_PII> and <ASPECTS_PII_CHART_UUIDS>:` as rendered."""
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if (isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
                and len(test.values) == 2 and isinstance(test.values[0], ast.UnaryOp)
                and isinstance(test.values[0].op, ast.Not)
                and isinstance(test.values[0].operand, ast.Constant)
                and isinstance(test.values[0].operand.value, bool)
                and isinstance(test.values[1], ast.List)):
            charts = _literal(test.values[1], shown, "ASPECTS_PII_CHART_UUIDS")
            return bool(test.values[0].operand.value), tuple(str(c) for c in charts)
    raise InputError("has no PII switch (`if not ASPECTS_ENABLE_PII and "
                     "ASPECTS_PII_CHART_UUIDS`): is this tutor-contrib-aspects 6.x?", file=shown)


def _evaluate(node: ast.expr, names: Mapping[str, str], shown: str) -> Any:
    """A literal that may use f-strings of module-level text constants."""
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif (isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name)
                  and value.value.id in names):
                parts.append(names[value.value.id])
            else:
                raise InputError("SECURITY_FILTERS holds an f-string this reader does not "
                                 "know", file=shown, line=node.lineno)
        return "".join(parts)
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.List):
        return [_evaluate(item, names, shown) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {_evaluate(k, names, shown): _evaluate(v, names, shown)
                for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    return _literal(node, shown, "SECURITY_FILTERS")


def _rls(root: Path) -> tuple[tuple[RlsSpec, ...], dict[str, str]]:
    """The filters of Aspects' script, and its schema constants."""
    tree = _python(root, RLS)
    shown = _shown(root, RLS)
    names = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            names[node.targets[0].id] = node.value.value
    value = _assigned(tree, "SECURITY_FILTERS")
    if value is None:
        raise InputError("has no SECURITY_FILTERS", file=shown)
    filters = _evaluate(value, names, shown)
    out = []
    for index, item in enumerate(filters if isinstance(filters, list) else []):
        try:
            out.append(RlsSpec(name=str(item["name"]), schema=str(item["schema"]),
                               exclude=tuple(str(t) for t in item.get("exclude") or []),
                               roles=(str(item["role_name"]),),
                               group_key=item.get("group_key") or None,
                               clause=str(item["clause"]),
                               filter_type=str(item.get("filter_type") or "Regular")))
        except (KeyError, TypeError) as exc:
            raise InputError(f"SECURITY_FILTERS[{index}] lacks {exc}", file=shown) from exc
    return tuple(out), names


def _retired(root: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(every unused uuid, the dashboards among them) of Aspects' asset list."""
    shown = _shown(root, ASSET_LIST)
    try:
        data = _load(_text(root, ASSET_LIST)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"is not YAML ({exc})", file=shown) from exc
    unused = data.get("unused_uuids") if isinstance(data, dict) else None
    if not isinstance(unused, dict):
        raise InputError("has no unused_uuids", file=shown)
    out: list[str] = []
    for kind in ("datasets", "charts", "dashboards"):
        out += [str(u).lower() for u in unused.get(kind) or []]
    dashboards = tuple(str(u).lower() for u in unused.get("dashboards") or [])
    return tuple(dict.fromkeys(out)), dashboards


def _pii_dashboards_on(root: Path) -> tuple[str, ...]:
    """With PII on, the LMS settings append the PII dashboards to its list."""
    path = root / LMS_SETTINGS
    if not path.is_file():
        return ()
    match = re.search(r"^ASPECTS_INSTRUCTOR_DASHBOARDS \+= (.+)$",
                      read_text(path, str(path)), re.MULTILINE)
    if match is None:
        return ()
    try:
        listed = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return ()
    return tuple(str(d["uuid"]) for d in listed if isinstance(d, dict) and "uuid" in d)


def _sites(root: Path) -> tuple[str, ...]:
    """The origins of the LMS, Studio and the MFEs: the sites that embed Aspects'
    dashboards (the instructor dashboard, in-context metrics)."""
    out: list[str] = []
    env_path = root / LMS_ENV
    if env_path.is_file():
        try:
            data = _load(read_text(env_path, str(env_path))) or {}
        except yaml.YAMLError:
            data = {}
        out += [str(data[k]) for k in ("LMS_ROOT_URL", "CMS_ROOT_URL")
                if isinstance(data, dict) and data.get(k)]
    settings_path = root / LMS_SETTINGS
    if out and settings_path.is_file():
        match = re.search(r'^MFE_CONFIG = \{\s*"BASE_URL": "([^"]+)"',
                          read_text(settings_path, str(settings_path)), re.MULTILINE)
        if match:
            scheme = out[0].split("://", 1)[0]
            out.append(f"{scheme}://{match.group(1)}")
    return tuple(dict.fromkeys(u.rstrip("/") for u in out))


def _extra_translations(root: Path) -> dict[str, dict[str, str]]:
    """The `superset-extra-asset-translations` patch: Tutor writes it as text into the
    script that combines the locale files (`outfile.write("\\n<patch>\\n")` after the
    dump), in Aspects' format {locale: {source text: translation}}."""
    shown = _shown(root, TRANSLATIONS)
    text = _text(root, TRANSLATIONS)
    start = text.find('outfile.write("\\n', text.find("yaml.dump(all_translations"))
    end = text.find('\\n")', start + 17) if start >= 0 else -1
    if start < 0 or end < 0:
        raise InputError("has no place for the superset-extra-asset-translations patch "
                         "(is this tutor-contrib-aspects 6.x?)", file=shown)
    patch = text[start + len('outfile.write("\\n'):end]
    if not patch.strip():
        return {}
    try:
        data = _load(patch)
    except yaml.YAMLError as exc:
        raise InputError(f"the superset-extra-asset-translations patch is not YAML ({exc})",
                         file=shown) from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError("the superset-extra-asset-translations patch must be "
                         "{locale: {source text: translation}}", file=shown)
    return {str(code): {str(k): str(v) for k, v in texts.items() if k and v}
            for code, texts in data.items()}


def _asset_files(root: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """uuid → (file, data) of every rendered asset."""
    out = {}
    for path in sorted((root / ASSETS).rglob("*.yaml")):
        try:
            data = _load(read_text(path, str(path)))
        except yaml.YAMLError as exc:
            raise InputError(f"is not YAML ({exc})", file=str(path)) from exc
        if isinstance(data, dict) and isinstance(data.get("uuid"), str):
            out[data["uuid"]] = (path, data)
    return out


def _password_keys(config: Mapping[str, Any]) -> dict[str, str]:
    """password value → the config.yml key that holds it."""
    return {str(v): str(k) for k, v in config.items()
            if "PASSWORD" in str(k) and isinstance(v, str) and v}


def _databases(uris: Mapping[str, str], config: Mapping[str, Any]) -> tuple[Database, ...]:
    keys = _password_keys(config)
    out = []
    for name, uri in sorted(uris.items()):
        passwords = secret_rules.uri_passwords(str(uri))
        key = next((keys[p] for p in passwords if p in keys), None)
        if passwords and key is None:
            key = "ASPECTS_ASSETS_PASSWORD_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
        out.append(Database(name=str(name), uri=secret_rules.mask_uri(str(uri)),
                            password_env=key))
    return tuple(out)


def read_config(root: Path) -> dict[str, Any]:
    path = root / "config.yml"
    if not path.is_file():
        raise InputError("is not a Tutor root: it has no config.yml (`tutor config printroot` "
                         "prints the right one)", file=str(root))
    try:
        data = _load(read_text(path, str(path))) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"is not YAML ({exc})", file=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("must be a mapping of settings", file=str(path))
    return data


def _check_rendered(root: Path, config: Mapping[str, Any]) -> None:
    plugins = config.get("PLUGINS") or []
    if "aspects" not in plugins:
        raise InputError("the aspects plugin is not enabled in this Tutor root: run "
                         "`tutor plugins enable aspects && tutor config save`",
                         file=str(root / "config.yml"), key="PLUGINS")
    if not (root / CREATE_ASSETS).is_file() or not (root / ASSETS).is_dir():
        raise InputError("Aspects' env is not rendered here: run `tutor config save`",
                         file=str(root / PLUGIN_ENV))


def read_install(root: Path, how: str,
                 printvalue: Callable[[Sequence[str]], Mapping[str, Any]] | None = None
                 ) -> TutorInstall:
    """The install at `root`. `printvalue`: the `tutor` command's values of the
    variables `config.yml` does not set (None: read from the root alone)."""
    if not root.is_dir():
        raise InputError("no such folder (the Tutor root)", file=str(root))
    config = read_config(root)
    _check_rendered(root, config)
    shown = _shown(root, CREATE_ASSETS)
    script = _python(root, CREATE_ASSETS)
    locales = tuple(str(c) for c in _required(script, "DASHBOARD_LOCALES", shown))
    embeddable = {str(k): str(v) for k, v in
                  _required(script, "EMBEDDABLE_DASHBOARDS", shown).items()}
    uris = _required(script, "DATABASES", shown)
    owners = tuple(str(o) for o in _literal(_assigned(script, "owners_username"), shown,
                                            "owners_username") or [])
    pii_enabled, pii_charts = _pii_test(script, shown)
    rls, schemas = _rls(root)
    retired, pii_dashboards = _retired(root)
    if pii_enabled:
        pii_dashboards = _pii_dashboards_on(root)
    roles_text = _text(root, ROLES)
    try:
        json.loads(roles_text)
    except json.JSONDecodeError as exc:
        raise InputError(f"is not JSON ({exc.msg})", file=_shown(root, ROLES),
                         line=exc.lineno) from exc
    assets = _asset_files(root)
    databases = _databases(uris, config)

    variables: dict[str, Any] = {PII_VARIABLE: pii_enabled}
    variables.update({_SCHEMA_VARIABLES[k]: v for k, v in schemas.items()
                      if k in _SCHEMA_VARIABLES})
    superset_db = next((d.get("schema") for _, d in assets.values()
                        if d.get("table_name") == "ab_user" and d.get("schema")), None)
    if superset_db:
        variables["SUPERSET_DB_NAME"] = str(superset_db)
    variables.update({_URI_VARIABLES[d.name]: d.uri for d in databases
                      if d.name in _URI_VARIABLES})
    wanted = [n for n in CONFIG_VARIABLES if n not in config]
    variables.update({n: config[n] for n in CONFIG_VARIABLES if n in config})
    unknown: tuple[str, ...] = ()
    if printvalue is not None and wanted:
        variables.update(printvalue(wanted))
    else:
        unknown = tuple(wanted)
    pii = tuple(dict.fromkeys([*pii_charts, *pii_dashboards]))
    return TutorInstall(
        root=root, how=how, locales=locales, embeddable=embeddable,
        allowed_domains=_sites(root), databases=databases, owners=owners,
        pii_enabled=pii_enabled, pii_uuids=pii, rls=rls, roles_json=roles_text,
        retired_uuids=retired, extra_translations=_extra_translations(root),
        variables=variables, unknown_variables=unknown,
        asset_files=assets)


# -- the `tutor` command -----------------------------------------------------------------

def parse_printed(text: str) -> Any:
    """A value as `tutor config printvalue` prints it: Python's repr for lists and
    mappings, `true`/`false` for switches, a text as it is."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    if text in ("true", "false"):
        return text == "true"
    return text


def tutor_command() -> str | None:
    return shutil.which("tutor")


def read_with_tutor(tutor: str, root: Path | None) -> TutorInstall:
    """The install the `tutor` command sees (TUTOR_ROOT set to `root` when given)."""
    env = {**os.environ, **({"TUTOR_ROOT": str(root)} if root is not None else {})}
    printed_root = Path(_run_with_env(tutor, ["config", "printroot"], env).splitlines()[-1])

    def printvalue(names: Sequence[str]) -> dict[str, Any]:
        with ThreadPoolExecutor(max_workers=4) as pool:
            texts = list(pool.map(lambda n: _run_with_env(tutor, ["config", "printvalue", n],
                                                          env), names))
        return {n: parse_printed(t) for n, t in zip(names, texts, strict=True)}

    return read_install(printed_root, f"the tutor command ({tutor}), root {printed_root}",
                        printvalue)


def _run_with_env(tutor: str, args: Sequence[str], env: Mapping[str, str]) -> str:
    """What `tutor ARGS` prints; its failure as one sentence (its last line)."""
    try:
        done = subprocess.run([tutor, *args], capture_output=True, text=True, env=dict(env),
                              timeout=_TUTOR_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"`tutor {' '.join(args)}` did not run ({exc})", file=tutor) from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise InputError(f"`tutor {' '.join(args)}` failed: {last}", file=tutor)
    return done.stdout.rstrip("\n")


def read_root(root: Path) -> TutorInstall:
    """The install read from its files alone (config.yml and the rendered env)."""
    resolved = root.resolve()
    return read_install(resolved, f"the Tutor root {resolved} alone (config.yml and the "
                                  "rendered env; no tutor command)")
