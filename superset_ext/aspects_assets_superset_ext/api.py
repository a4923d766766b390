"""REST API of the aspects-assets Superset extension."""

from __future__ import annotations

import functools
import logging
import uuid as uuid_lib
from collections.abc import Callable
from importlib import metadata
from typing import Any, ClassVar

from flask import g, request
from flask_appbuilder.api import BaseApi, expose, safe
from flask_jwt_extended import verify_jwt_in_request

from . import __version__

logger = logging.getLogger(__name__)


def _superset_version() -> str:
    try:
        return metadata.version("apache-superset")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _current_user() -> Any:
    user = getattr(g, "user", None)
    if user is None:
        from flask_login import current_user

        user = current_user
    return user


def _authenticated(admin: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Accept a Bearer JWT (``/api/v1/security/login``) or a browser session.

    JWT errors (expired, malformed) are raised to flask-jwt-extended's own
    handlers, which answer 401 like the rest of Superset's API.
    """

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(self: BaseApi, *args: Any, **kwargs: Any) -> Any:
            if request.headers.get("Authorization"):
                verify_jwt_in_request()  # sets g.user through FAB's user loader
            user = _current_user()
            if user is None or not getattr(user, "is_authenticated", False):
                return self.response_401()
            if admin:
                from superset import security_manager

                if not security_manager.is_admin():
                    return self.response_403()
            return func(self, *args, **kwargs)

        return wrapper

    return decorator


class AspectsAssetsApi(BaseApi):
    resource_name = "aspects_assets"
    route_base = "/api/v1/aspects_assets"
    openapi_spec_tag = "aspects-assets"
    allow_browser_login = True
    # Like Superset's own APIs: writes need X-CSRFToken (FAB's default exempts).
    csrf_exempt = False
    # No FAB permissions: access is decided by _authenticated().
    base_permissions: ClassVar[list[str]] = []

    @expose("/info", methods=("GET",))
    @_authenticated(admin=False)
    @safe
    def info(self) -> Any:
        """Versions, so that a client can detect the extension."""
        return self.response(
            200,
            result={
                "extension_version": __version__,
                "superset_version": _superset_version(),
                # What this version can do beyond `info` (a client asks before use).
                "features": ["embedded", "export"],
            },
        )

    @expose("/export/", methods=("GET",))
    @_authenticated(admin=True)
    @safe
    def export(self) -> Any:
        """What Superset's export says, as data (``export.py``), without related assets.

        ``?kind=chart&ids=1,2,3``: those charts (database, dataset, chart or
        dashboard); no arguments: every asset of the four kinds. ``200
        {"result": {"data": {path: file's data}, "text": {path: YAML}}}``, paths
        as in Superset's export ZIP without its top folder. Admin only: it carries
        what Superset's export does (passwords masked as there).
        """
        from flask import Response
        from superset.commands.exceptions import CommandException

        from .export import KINDS, export_json

        kind = request.args.get("kind") or None
        raw_ids = request.args.get("ids")
        if kind is None and raw_ids is not None:
            return self.response_400(message="'ids' needs a 'kind'")
        if kind is not None and kind not in KINDS:
            return self.response_400(message=f"'kind' must be one of {', '.join(KINDS)}")
        ids = None
        if kind is not None:
            parts = (raw_ids or "").split(",")
            if not all(p.isdigit() for p in parts):
                return self.response_400(message="'ids' must be ids separated by commas")
            ids = [int(p) for p in parts]
        try:
            body = export_json(kind, ids)
        except CommandException as exc:
            # An id that is not there (ChartNotFoundError...): 404, as Superset's export.
            missing = type(exc).__name__.endswith("NotFoundError")
            return self.response(404 if missing else exc.status, message=str(exc))
        return Response(body, status=200, mimetype="application/json")

    @expose("/embedded/<id_or_uuid>", methods=("PUT",))
    @_authenticated(admin=True)
    @safe
    def put_embedded(self, id_or_uuid: str) -> Any:
        """Create or update a dashboard's embedded config with a given uuid.

        Body: ``{"uuid": "<embedded uuid>", "allowed_domains": ["https://..."]}``.
        An empty ``allowed_domains`` lets every site embed the dashboard (Superset's
        rule): it is refused unless the body also says ``"allow_any_domain": true``.
        Every change is logged: Superset's event log (action
        ``aspects_assets.put_embedded``, with the user and the dashboard) and the
        ``aspects_assets_superset_ext.api`` logger.
        """
        from superset import db
        from superset.models.dashboard import Dashboard
        from superset.models.embedded_dashboard import EmbeddedDashboard

        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message="Request body must be a JSON object")
        unknown = set(body) - {"uuid", "allowed_domains", "allow_any_domain"}
        if unknown:
            return self.response_400(
                message=f"Unknown fields: {', '.join(sorted(unknown))}"
            )
        try:
            wanted = uuid_lib.UUID(str(body.get("uuid", "")))
        except ValueError:
            return self.response_400(message="'uuid' must be a UUID")
        if "allowed_domains" not in body:
            return self.response_400(message="'allowed_domains' is required")
        domains = body["allowed_domains"]
        if not isinstance(domains, list) or not all(
            isinstance(d, str) and d and "," not in d for d in domains
        ):
            return self.response_400(
                message="'allowed_domains' must be a list of non-empty strings"
                " without commas"
            )
        allow_any = body.get("allow_any_domain", False)
        if not isinstance(allow_any, bool):
            return self.response_400(message="'allow_any_domain' must be true or false")
        if not domains and not allow_any:
            return self.response_400(
                message="An empty 'allowed_domains' lets every site embed the dashboard:"
                " list the sites, or send \"allow_any_domain\": true to mean any"
            )
        if domains and allow_any:
            return self.response_400(
                message="'allow_any_domain': true and a list of 'allowed_domains'"
                " contradict each other"
            )

        dashboard = _find_dashboard(db, Dashboard, id_or_uuid)
        if dashboard is None:
            return self.response_404()

        try:
            other = (
                db.session.query(EmbeddedDashboard)
                .filter(EmbeddedDashboard.uuid == wanted)
                .one_or_none()
            )
            if other is not None and other.dashboard_id != dashboard.id:
                return self.response(
                    409,
                    message=(
                        f"Embedded uuid {wanted} already belongs to dashboard"
                        f" {other.dashboard_id}"
                    ),
                )
            embedded = other
            # Superset allows one embedded config per dashboard: drop others.
            for item in list(dashboard.embedded):
                if item is not embedded:
                    db.session.delete(item)
            db.session.flush()
            if embedded is None:
                embedded = EmbeddedDashboard(uuid=wanted, dashboard_id=dashboard.id)
                db.session.add(embedded)
            embedded.allow_domain_list = ",".join(domains)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        db.session.refresh(embedded)
        _log_change(dashboard, embedded, domains)
        return self.response(
            200,
            result={
                "uuid": str(embedded.uuid),
                "dashboard_id": dashboard.id,
                "allowed_domains": embedded.allowed_domains,
            },
        )


def _log_change(dashboard: Any, embedded: Any, domains: list[str]) -> None:
    """Who changed which dashboard's embedding, to what: in Superset's own event
    log (its ``logs`` table, shown as the action log) and in the app's log."""
    from superset.extensions import event_logger

    user = _current_user()
    name = getattr(user, "username", None) or "?"
    shown = ", ".join(domains) if domains else "any site"
    event_logger.log_with_context(
        action="aspects_assets.put_embedded",
        log_to_statsd=False,
        dashboard_id=dashboard.id,
        embedded_uuid=str(embedded.uuid),
        allowed_domains=domains,
    )
    logger.info(
        "user %s set the embedding of dashboard %s (slug %s): embedded uuid %s,"
        " allowed domains: %s",
        name,
        dashboard.id,
        dashboard.slug,
        embedded.uuid,
        shown,
    )


def _find_dashboard(db: Any, dashboard_model: Any, id_or_uuid: str) -> Any:
    query = db.session.query(dashboard_model)
    if id_or_uuid.isdigit():
        return query.filter(dashboard_model.id == int(id_or_uuid)).one_or_none()
    try:
        wanted = uuid_lib.UUID(id_or_uuid)
    except ValueError:
        return query.filter(dashboard_model.slug == id_or_uuid).one_or_none()
    return query.filter(dashboard_model.uuid == wanted).one_or_none()
