"""Settings: `aspects-assets.yaml` plus the environment, read once into a frozen value."""

from __future__ import annotations

import json
import os
import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

from aspects_assets.model import secrets as secret_rules
from aspects_assets.model.errors import InputError
from aspects_assets.model.locales import normalize_locale
from aspects_assets.project import strict_yaml
from aspects_assets.project.files import read_text

CONFIG_FILE_NAME = "aspects-assets.yaml"
# Environment variables kept in a file beside the settings (non-secret ones only).
ENV_FILE_NAME = "aspects-assets.env"
DEFAULT_SUPERSET_VERSION = "6.1"
# Environment variables whose value is a secret wherever a variable reads it.
SECRET_ENVIRONMENT = frozenset({"SUPERSET_PASSWORD"})

_TOP_KEYS = {
    "assets_dir",
    "templates_dir",
    "translations_dir",
    "source_locale",
    "locales",
    "extra_translations",
    "extra_strings",
    "variables",
    "variables_from_env",
    "secret_variables",
    "project",
    "superset",
    "locale_role_format",
    "original_roles",
    "do_not_translate",
    "databases",
    "embedded_dashboards",
    "lock_in_ui",
    "retired_uuids",
    "missing_permissions",
}
MISSING_PERMISSIONS = ("error", "skip")
_SUPERSET_KEYS = {"url", "username", "version", "default_theme", "dark_theme"}
_DATABASE_KEYS = {"password_env"}
_EMBEDDED_KEYS = {"allowed_domains", "allow_any_domain"}
_LAYER_KEYS = {"path", "rendered"}


@dataclass(frozen=True)
class Layer:
    """One folder of asset sources. `rendered`: its files are already rendered (a
    Tutor env, where Superset's own query-time Jinja is left bare), so they are read
    as YAML and never through Jinja; otherwise they are Jinja templates."""

    path: Path
    rendered: bool = False
    key: str = "assets_dir"  # the setting that names it, as messages say it


@dataclass(frozen=True)
class SupersetSettings:
    url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    version: str = DEFAULT_SUPERSET_VERSION
    # Theme uuids to make Superset's system default and dark themes (6.x).
    default_theme: str | None = None
    dark_theme: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, with paths made absolute."""

    root: Path
    config_file: Path | None
    # Where new sources go (`pull`): the top layer that is not rendered (the top
    # layer when every one is).
    assets_dir: Path
    templates_dir: Path
    translations_dir: Path
    source_locale: str = "en"
    locales: tuple[str, ...] = ()
    extra_translations: tuple[Path, ...] = ()
    extra_strings: tuple[Path, ...] = ()
    variables: Mapping[str, Any] = field(default_factory=dict)
    # The variable names the settings file itself names (`variables`, `variables_from_env`).
    declared_variables: frozenset[str] = frozenset()
    # Secret value (in every form it can take in a text) → where it came from,
    # without the value: a URI password is masked in a database's URI and sent
    # only in the import's `passwords` field; any other landing is refused.
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    project: str = "default"
    superset: SupersetSettings = field(default_factory=SupersetSettings)
    locale_role_format: str = "{role} - {locale}"
    original_roles: tuple[str, ...] = ("Admin",)
    do_not_translate: tuple[str, ...] = ()
    database_password_env: Mapping[str, str] = field(default_factory=dict)
    embedded_dashboards: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lock_in_ui: bool = True
    # Uuids of assets Aspects retired (its `unused_uuids`): `adopt` takes them, and
    # their localized copies, over, so that `import --prune` deletes them.
    retired_uuids: tuple[str, ...] = ()
    # The asset folders, lowest first: a higher layer's asset replaces or overrides
    # a lower one of the same uuid (project/layers.py). Empty: `assets_dir` alone.
    layers_: tuple[Layer, ...] = ()

    @property
    def layers(self) -> tuple[Layer, ...]:
        return self.layers_ or (Layer(self.assets_dir),)

    @property
    def writable_layer(self) -> Layer | None:
        """The top layer that is not rendered: where `pull` writes new files and
        overrides. None when every layer is rendered."""
        return next((layer for layer in reversed(self.layers) if not layer.rendered), None)
    # A permission of a roles file that Superset lacks: "error" or "skip" (left out).
    missing_permissions: str = "error"

    def display(self, path: Path) -> str:
        """A path as the user should read it: relative to the settings folder."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def parse_locale_list(text: str, *, source: str) -> tuple[str, ...]:
    """A JSON list (`["es-419","fr"]`) or a comma-separated list, normalized."""
    stripped = text.strip()
    if not stripped:
        return ()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise InputError(f"not a JSON list of locale codes ({exc.msg})", file=source) from exc
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise InputError("must be a list of locale codes", file=source)
    else:
        items = [p for p in (s.strip() for s in stripped.split(",")) if p]
    return _locales(items, source=source, key=None)


def _locales(items: list[Any], *, source: str, key: str | None) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise InputError(f"locale {item!r} is not a string", file=source, key=key)
        try:
            code = normalize_locale(item)
        except ValueError as exc:
            raise InputError(str(exc), file=source, key=key) from exc
        if code not in out:
            out.append(code)
    return tuple(out)


def _add_secret(found: dict[str, str], value: str, origin: str) -> None:
    if value and value != secret_rules.MASK:
        for form in secret_rules.forms(value):
            found.setdefault(form, origin)


def _collect_secrets(
    from_env: Mapping[str, str],
    secret_names: set[str],
    password_env: Mapping[str, str],
    var_overrides: Mapping[str, str],
    env: Mapping[str, str],
) -> dict[str, str]:
    """Every secret of a run: the values of secret variables (those listed in
    `secret_variables`, and any that reads a database's or Superset's password),
    passwords in URIs from the environment, and databases' passwords."""
    found: dict[str, str] = {}
    password_vars = {*password_env.values(), *SECRET_ENVIRONMENT}
    for name, env_name in from_env.items():
        value = env.get(env_name)
        if value is None or name in var_overrides:
            continue
        where = f"environment variable {env_name}"
        if name in secret_names or env_name in password_vars:
            _add_secret(found, value, f"secret variable {name} ({where})")
        for uri in secret_rules.uris_in(value):
            for decoded in (True, False):
                for password in secret_rules.uri_passwords(uri, decoded=decoded):
                    _add_secret(found, password, f"the password in variable {name} ({where})")
    for name in secret_names & set(var_overrides):
        _add_secret(found, var_overrides[name], f"secret variable {name} (--var)")
    for database, env_name in password_env.items():
        _add_secret(found, env.get(env_name, ""),
                    f"the password of database {database!r} (environment variable {env_name})")
    return found


def _superset_url(value: Any, *, file: str, key: str | None) -> str | None:
    """The Superset URL, refused when it carries a user or password: requests
    would send them as Basic auth, and the URL is shown in messages and sent as
    the Referer."""
    if value is None:
        return None
    url: str = _expect(value, str, file=file, key=key or "url")
    try:
        userinfo = secret_rules.has_userinfo(url)
    except ValueError as exc:
        raise InputError(f"is not a valid URL ({exc})", file=file, key=key) from exc
    if userinfo:
        raise InputError(
            "the Superset URL must not carry a user name or password "
            "(https://user:password@host): give the address alone and set SUPERSET_USERNAME "
            "and SUPERSET_PASSWORD", file=file, key=key)
    return url


def domains_problem(domains: tuple[str, ...], allow_any: bool) -> tuple[str, str] | None:
    """(key, message) when an embedding's domains are not what was meant. An empty
    list lets every site embed the dashboard (Superset's rule), so it must be
    asked for by name: `allow_any_domain: true`."""
    if allow_any and domains:
        return ("allow_any_domain", "allow_any_domain: true and a list of allowed_domains "
                "contradict each other: keep one")
    if not allow_any and not domains:
        return ("allowed_domains", "is missing or empty, which would let every site embed "
                "this dashboard: list the sites that may (https://lms.example.com), or set "
                "allow_any_domain: true to mean any")
    return None


def _expect(value: Any, kind: type | tuple[type, ...], *, file: str, key: str) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise InputError(f"must be a {names}, not {type(value).__name__}", file=file, key=key)
    return value


def _theme_uuid(value: Any, *, file: str, key: str) -> str | None:
    """A theme's uuid, written lowercase with dashes; None where not set."""
    if value is None:
        return None
    text = str(_expect(value, str, file=file, key=key))
    try:
        written = str(uuid.UUID(text))
    except ValueError:
        raise InputError(f"malformed uuid {text!r}", file=file, key=key) from None
    if written != text:
        raise InputError(f"write the uuid as {written} (lowercase, with dashes)", file=file,
                         key=key)
    return text


def _names(data: Mapping[Any, Any], *, file: str, key: str) -> Mapping[str, Any]:
    """A mapping keyed by names: every key a text."""
    for name in data:
        _expect(name, str, file=file, key=f"{key}.{name}" if key else str(name))
    return data


def _role_format(value: Any, *, file: str, key: str) -> str:
    """A `str.format` pattern with exactly the fields {role} and {locale}."""
    _expect(value, str, file=file, key=key)
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise InputError(f"is not a valid format for {{role}} and {{locale}} ({exc})",
                         file=file, key=key) from exc
    if fields != {"role", "locale"}:
        others = sorted(fields - {"role", "locale"})
        detail = f"not {{{others[0]}}}" if others else "both"
        raise InputError(f"must contain {{role}} and {{locale}} ({detail})", file=file, key=key)
    try:
        value.format(role="Role", locale="xx_YY")
    except ValueError as exc:  # a format spec that a text does not take, such as {role:d}
        raise InputError(f"is not a valid format for {{role}} and {{locale}} ({exc})",
                         file=file, key=key) from exc
    return str(value)


def _string_list(value: Any, *, file: str, key: str) -> list[str]:
    _expect(value, list, file=file, key=key)
    for i, item in enumerate(value):
        _expect(item, str, file=file, key=f"{key}[{i}]")
    return list(value)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuids(value: Any, *, file: str, key: str) -> tuple[str, ...]:
    """A list of uuids, each written in lowercase with dashes (Superset's form)."""
    items = _string_list(value, file=file, key=key)
    for i, item in enumerate(items):
        if not _UUID.fullmatch(item):
            raise InputError(f"{item!r} is not a uuid in lowercase with dashes",
                             file=file, key=f"{key}[{i}]")
    return tuple(dict.fromkeys(items))


def _unknown_keys(data: Mapping[str, Any], allowed: set[str], *, file: str, prefix: str) -> None:
    unknown = sorted((k for k in data if k not in allowed), key=str)
    if unknown:
        raise InputError(
            f"unknown setting {unknown[0]!r} (known: {', '.join(sorted(allowed))})",
            file=file,
            key=f"{prefix}{unknown[0]}",
        )


def _layers(value: Any, root: Path, *, file: str) -> tuple[Layer, ...]:
    """`assets_dir`: one folder of templates (a text), or a list of layers, lowest
    first, each `{path: ..., rendered: false}`; every path of a list must exist."""
    if isinstance(value, str):
        return (Layer((root / value).resolve()),)
    _expect(value, list, file=file, key="assets_dir")
    if not value:
        raise InputError("must name at least one folder of assets", file=file, key="assets_dir")
    layers: list[Layer] = []
    for i, item in enumerate(value):
        key = f"assets_dir[{i}]"
        _expect(item, dict, file=file, key=key)
        _unknown_keys(item, _LAYER_KEYS, file=file, prefix=f"{key}.")
        path_text: str = _expect(item.get("path"), str, file=file, key=f"{key}.path")
        rendered = _expect(item.get("rendered", False), bool, file=file, key=f"{key}.rendered")
        path = (root / path_text).resolve()
        if not path.is_dir():
            what = "is not a folder" if path.exists() else "does not exist"
            raise InputError(f"the folder {path_text} {what}", file=file, key=f"{key}.path")
        if any(layer.path == path for layer in layers):
            raise InputError(f"the folder {path_text} is already a layer", file=file,
                             key=f"{key}.path")
        layers.append(Layer(path, bool(rendered), key))
    return tuple(layers)


def find_config(config: Path | None, cwd: Path) -> Path | None:
    if config is not None:
        if not config.is_file():
            raise InputError("settings file not found", file=str(config))
        return config.resolve()
    candidate = cwd / CONFIG_FILE_NAME
    return candidate.resolve() if candidate.is_file() else None


def load_settings(
    config: Path | None = None,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    var_overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Read the settings file (if any) and the environment into Settings."""
    cwd = cwd or Path.cwd()
    path = find_config(config, cwd)
    root = path.parent if path else cwd.resolve()
    if env is None:  # the process's own: the env file fills in what it does not set
        env = {**read_env_file(root / ENV_FILE_NAME), **os.environ}
    shown = path.name if path else CONFIG_FILE_NAME
    data: dict[str, Any] = {}
    if path:
        try:
            loaded = strict_yaml.load(read_text(path, shown))
        except yaml.YAMLError as exc:
            raise strict_yaml.input_error(exc, shown) from exc
        if loaded is not None:
            data = _expect(loaded, dict, file=shown, key="(top level)")
    _unknown_keys(data, _TOP_KEYS, file=shown, prefix="")

    def get(key: str, default: Any) -> Any:
        """A key's value; the default only where the key is absent or null."""
        value = data.get(key)
        return default if value is None else value

    def rel(key: str, default: str) -> Path:
        value: str = _expect(get(key, default), str, file=shown, key=key)
        return (root / value).resolve()

    variables = dict(_names(_expect(get("variables", {}), dict, file=shown, key="variables"),
                            file=shown, key="variables"))
    from_env = _names(_expect(get("variables_from_env", {}), dict, file=shown,
                              key="variables_from_env"), file=shown, key="variables_from_env")
    for name, env_name in from_env.items():
        _expect(env_name, str, file=shown, key=f"variables_from_env.{name}")
        if env_name in env:
            variables[name] = env[env_name]
    declared = frozenset(str(name) for name in [*variables, *from_env])
    for name, value in (var_overrides or {}).items():
        variables[name] = value
    secret_names = _string_list(data.get("secret_variables") or [], file=shown,
                                key="secret_variables")
    for i, name in enumerate(secret_names):
        if name not in from_env:
            raise InputError(
                f"{name!r} is not in variables_from_env: a secret comes from the environment, "
                "never from the settings file", file=shown, key=f"secret_variables[{i}]")

    locales = _locales(
        _string_list(get("locales", []), file=shown, key="locales"),
        source=shown,
        key="locales",
    )
    if env.get("SUPERSET_DASHBOARD_LOCALES"):
        locales = parse_locale_list(
            env["SUPERSET_DASHBOARD_LOCALES"], source="SUPERSET_DASHBOARD_LOCALES"
        )

    superset_data = _expect(get("superset", {}), dict, file=shown, key="superset")
    _unknown_keys(superset_data, _SUPERSET_KEYS, file=shown, prefix="superset.")
    for name in ("url", "username"):
        if superset_data.get(name) is not None:
            _expect(superset_data[name], str, file=shown, key=f"superset.{name}")
    version = str(superset_data.get("version", DEFAULT_SUPERSET_VERSION))
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise InputError(
            f"{version!r} is not a Superset version such as 6.1", file=shown, key="superset.version"
        )
    # Both are checked: the file's URL is a mistake even where the environment wins.
    file_url = _superset_url(superset_data.get("url"), file=shown, key="superset.url")
    superset = SupersetSettings(
        url=_superset_url(env["SUPERSET_URL"], file="SUPERSET_URL", key=None)
        if env.get("SUPERSET_URL") else file_url,
        username=env.get("SUPERSET_USERNAME") or superset_data.get("username"),
        password=env.get("SUPERSET_PASSWORD"),
        version=version,
        default_theme=_theme_uuid(superset_data.get("default_theme"), file=shown,
                                  key="superset.default_theme"),
        dark_theme=_theme_uuid(superset_data.get("dark_theme"), file=shown,
                               key="superset.dark_theme"),
    )

    databases = _names(_expect(get("databases", {}), dict, file=shown, key="databases"),
                       file=shown, key="databases")
    password_env: dict[str, str] = {}
    for name, spec in databases.items():
        _expect(spec, dict, file=shown, key=f"databases.{name}")
        _unknown_keys(spec, _DATABASE_KEYS, file=shown, prefix=f"databases.{name}.")
        password_env[str(name)] = _expect(
            spec.get("password_env"), str, file=shown, key=f"databases.{name}.password_env"
        )

    embedded = _names(_expect(get("embedded_dashboards", {}), dict, file=shown,
                              key="embedded_dashboards"), file=shown, key="embedded_dashboards")
    embedded_domains: dict[str, tuple[str, ...]] = {}
    for slug, spec in embedded.items():
        _expect(spec, dict, file=shown, key=f"embedded_dashboards.{slug}")
        _unknown_keys(spec, _EMBEDDED_KEYS, file=shown, prefix=f"embedded_dashboards.{slug}.")
        key = f"embedded_dashboards.{slug}"
        domains = tuple(
            _string_list(
                [] if spec.get("allowed_domains") is None else spec["allowed_domains"],
                file=shown, key=f"{key}.allowed_domains",
            )
        )
        any_domain = _expect(spec.get("allow_any_domain", False), bool, file=shown,
                             key=f"{key}.allow_any_domain")
        problem = domains_problem(domains, any_domain)
        if problem:
            raise InputError(problem[1], file=shown, key=f"{key}.{problem[0]}")
        embedded_domains[str(slug)] = domains

    source_locale = _locales([get("source_locale", "en")], source=shown, key="source_locale")[0]
    missing_permissions = _expect(get("missing_permissions", "error"), str, file=shown,
                                  key="missing_permissions")
    if missing_permissions not in MISSING_PERMISSIONS:
        raise InputError(f"{missing_permissions!r} is not one of "
                         f"{', '.join(MISSING_PERMISSIONS)}", file=shown,
                         key="missing_permissions")
    role_format = _role_format(get("locale_role_format", "{role} - {locale}"), file=shown,
                               key="locale_role_format")
    layers = _layers(get("assets_dir", "assets"), root, file=shown)
    writable = next((layer for layer in reversed(layers) if not layer.rendered), layers[-1])

    return Settings(
        root=root,
        config_file=path,
        assets_dir=writable.path,
        templates_dir=rel("templates_dir", "."),
        translations_dir=rel("translations_dir", "translations"),
        source_locale=source_locale,
        locales=locales,
        extra_translations=tuple(
            (root / p).resolve()
            for p in _string_list(
                get("extra_translations", []), file=shown, key="extra_translations"
            )
        ),
        extra_strings=tuple(
            (root / p).resolve()
            for p in _string_list(get("extra_strings", []), file=shown, key="extra_strings")
        ),
        variables=variables,
        declared_variables=declared,
        secrets=_collect_secrets(from_env, set(secret_names), password_env,
                                 var_overrides or {}, env),
        project=_expect(get("project", root.name), str, file=shown, key="project"),
        superset=superset,
        locale_role_format=role_format,
        original_roles=tuple(
            _string_list(get("original_roles", ["Admin"]), file=shown, key="original_roles")
        ),
        do_not_translate=tuple(
            _string_list(get("do_not_translate", []), file=shown, key="do_not_translate")
        ),
        database_password_env=password_env,
        embedded_dashboards=embedded_domains,
        lock_in_ui=bool(_expect(get("lock_in_ui", True), bool, file=shown, key="lock_in_ui")),
        retired_uuids=_uuids(get("retired_uuids", []), file=shown, key="retired_uuids"),
        layers_=layers,
        missing_permissions=missing_permissions,
    )


def read_env_file(path: Path) -> dict[str, str]:
    """`NAME=VALUE` lines (dotenv syntax) from `path`, if it exists. It is for where
    things are (URLs, user names, URIs with a masked password), never for secrets:
    a password in it is an error, as in the settings file."""
    if not path.is_file():
        return {}
    values = {name: value or "" for name, value in dotenv_values(path).items()}
    for name, value in values.items():
        if name.endswith("PASSWORD") or any(p != secret_rules.MASK
                                            for p in secret_rules.uri_passwords(value)):
            raise InputError(
                "a password does not belong in a file: set it in the environment "
                f"(a URI may carry the masked {secret_rules.MASK})",
                file=path.name, key=name,
            )
    return values
