"""ClickHouse inside Superset's own process (chDB), for the aspects-assets demo.

`clickhousedb+chdb:///[database]?init=/path/load.sql` is a SQLAlchemy 1.4 dialect that runs
ClickHouse SQL on chDB's embedded engine: the backend stays `clickhousedb`, so
Superset picks its ClickHouse engine spec (time grains, types) and the demo's
datasets run their ClickHouse SQL as written, on a ClickHouse engine, without a
server. The PyPI dialect `chdb-sqlalchemy` needs SQLAlchemy 2, which Superset 6.1
does not run on; the SQL compiler and reflection here are clickhouse-connect's.

chDB allows one session per process (a second one on the same data folder is
refused), so every connection of the process shares one in-memory session,
created on first use: it runs the `init` file (the demo's generated sample) once.
Queries take turns on it; each sets its database (Superset puts a dataset's
schema there, as for clickhouse-connect) and fetches its rows before the next starts.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from clickhouse_connect.cc_sqlalchemy.dialect import ClickHouseDialect
from clickhouse_connect.driver.binding import finalize_query, quote_identifier

paramstyle = "pyformat"  # as clickhouse-connect: bound client-side by finalize_query
apilevel = "2.0"
threadsafety = 2


class Error(Exception):
    """What chDB raised, as a DB-API error (Superset shows its message)."""


class DatabaseError(Error):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class InterfaceError(Error):
    pass


_LOCK = threading.RLock()
_SESSION: dict[str, Any] = {}  # init file -> the chdb DB-API connection of this process


def _config_file() -> str:
    # The system logs a ClickHouse server keeps by default (metric_log): the
    # embedded engine has them only when its configuration asks.
    return str(resources.files(__package__).joinpath("chdb_config.xml"))


def _session(init: str) -> Any:
    with _LOCK:
        if init not in _SESSION:
            from chdb import dbapi as chdb_dbapi

            if _SESSION:
                raise OperationalError("chDB runs one session per process; it already "
                                       f"serves {next(iter(_SESSION))}, not {init}")
            connection = chdb_dbapi.connect(f":memory:?config-file={_config_file()}")
            if init:
                cursor = connection.cursor()
                for statement in Path(init).read_text(encoding="utf-8").split(";\n"):
                    if statement.strip():
                        cursor.execute(statement)
                cursor.close()
            _SESSION[init] = connection
        return _SESSION[init]


class Cursor:
    """A DB-API cursor whose rows are fetched while it holds the session."""

    arraysize = 1

    def __init__(self, init: str, database: str) -> None:
        self._init = init
        self._database = database
        self._rows: list[tuple[Any, ...]] = []
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1

    def execute(self, operation: str, parameters: Any = None) -> None:
        query = finalize_query(operation, parameters) if parameters else operation
        with _LOCK:
            cursor = _session(self._init).cursor()
            try:
                cursor.execute(f"USE {quote_identifier(self._database)}")
                cursor.execute(query)
                self.description = cursor.description
                self._rows = list(cursor.fetchall()) if cursor.description else []
            except Exception as error:
                raise DatabaseError(str(error)) from error
            finally:
                cursor.close()
        self.rowcount = len(self._rows)

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def close(self) -> None:
        self._rows = []

    def setinputsizes(self, *_: Any) -> None:
        pass

    def setoutputsize(self, *_: Any) -> None:
        pass


class Connection:
    """A handle on the process's session; closing it leaves the session open."""

    def __init__(self, init: str, database: str) -> None:
        self._init = init
        self._database = database

    def cursor(self) -> Cursor:
        return Cursor(self._init, self._database)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


def connect(init: str = "", database: str = "default") -> Connection:
    _session(init)
    return Connection(init, database)


class ChdbDialect(ClickHouseDialect):  # type: ignore[misc]
    driver = "chdb"
    supports_statement_cache = False  # as clickhouse-connect's dialect

    @classmethod
    def dbapi(cls) -> Any:  # SQLAlchemy 1.4
        import sys

        return sys.modules[__name__]

    @classmethod
    def import_dbapi(cls) -> Any:  # SQLAlchemy 2
        return cls.dbapi()

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        unknown = set(url.query) - {"init"}
        if url.host or url.port or url.username or unknown:
            raise ValueError(f"{url.drivername}: expected {url.drivername}:///[database]"
                             "?init=FILE (an engine in this process: no host, no user)")
        return [], {"init": str(url.query.get("init", "")),
                    "database": unquote(url.database or "") or "default"}

    # clickhouse-connect's own execute paths call its HTTP cursor's private API.
    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        cursor.execute(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        cursor.execute(statement)

    def do_executemany(self, cursor: Any, statement: str, parameters: Any,
                       context: Any = None) -> None:
        cursor.executemany(statement, parameters)

    def do_ping(self, dbapi_connection: Any) -> bool:
        dbapi_connection.cursor().execute("SELECT 1")
        return True
