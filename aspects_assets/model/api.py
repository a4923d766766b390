"""What the program asks of a Superset: the public interface of
`superset.client.SupersetClient`, as reading and applying use it.

Reading (`superset.live`), the API kinds' verbs (`core.kinds`) and applying
(`run.apply`) are typed against this, so that tests can hand them a fake Superset
that keeps its state in memory instead of patching module internals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from aspects_assets.model.snapshot import ServerInfo


class SupersetApi(Protocol):
    workers: int  # how many requests may run at once

    def info(self) -> ServerInfo: ...

    def list_all(self, endpoint: str, columns: Iterable[str],
                 filters: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]: ...

    def export(self, kind: str, ids: list[int]) -> dict[str, bytes]: ...

    def export_all(self) -> dict[str, bytes]: ...

    def import_bundle(self, bundle: bytes, *, passwords: Mapping[str, str] | None = None,
                      sparse: bool = False) -> None: ...

    def delete_one(self, kind: str, pk: int) -> None: ...

    def roles(self) -> dict[str, int]: ...

    def create_role(self, name: str) -> int: ...

    def set_dashboard_roles(self, dashboard_id: int, role_ids: list[int]) -> None: ...

    def embedded(self, dashboard_id: int) -> dict[str, Any] | None: ...

    def set_embedded(self, dashboard_id: int, domains: list[str],
                     embedded_uuid: str | None = None) -> dict[str, Any]: ...

    def find_css_template(self, name: str) -> dict[str, Any] | None: ...

    def create_css_template(self, name: str, css: str) -> int: ...

    def update_css_template(self, pk: int, name: str, css: str) -> None: ...
