"""Engines for SQLite and PostgreSQL with the settings the pipeline relies on."""

from __future__ import annotations

import os
import socket

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from etl.config import ENV_VAR, BadDatabaseURL, is_sqlite, masked, resolve_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
BACKENDS = ("sqlite", "postgresql")
PG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class DatabaseNotFound(LookupError):
    """A command that only reads was given a SQLite file that does not exist (a typo must not create one)."""


class UnsupportedDatabase(ValueError):
    """A URL for a database other than SQLite or PostgreSQL (mysql://, …), or one that cannot be parsed."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL so readers (BI tools) are never blocked by a load, and a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, must_exist: bool = False, **kwargs) -> Engine:
    """An engine for the resolved URL; SQLite files get their folder created and the pragmas above.

    must_exist: for commands that only read, a SQLite file that does not exist raises DatabaseNotFound
    instead of being created (with its folder, -wal and -shm files) on first connect.
    """
    resolved = _supported(url)
    if is_sqlite(resolved):
        database = make_url(resolved).database
        if database and database != ":memory:":
            from pathlib import Path

            file = Path(database).expanduser()
            if must_exist and not file.is_file():
                raise DatabaseNotFound(f"no SQLite database at {file.absolute()}: check --db (or ${ENV_VAR}); "
                                       "`etl run` or `etl db upgrade` creates one")
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    query = make_url(resolved).query
    connect_args = dict(kwargs.pop("connect_args", None) or {})
    if "application_name" not in query:
        # names the run's sessions, so the next run can end those a killed run left open (etl.load.lock)
        connect_args.setdefault("application_name", application_name())
    if "keepalives" not in query:
        # a session idle for minutes (the writer lock's, while workers transform) stays known to every NAT,
        # proxy and firewall on the way, and a dead peer is noticed in about a minute, not hours
        for key, value in PG_KEEPALIVES.items():
            connect_args.setdefault(key, value)
    kwargs["connect_args"] = connect_args
    return create_engine(resolved, **kwargs)


def application_name(pid: int | None = None) -> str:
    """What a run's PostgreSQL sessions call themselves, so a dead run's sessions can be recognised."""
    return f"etl run pid={pid or os.getpid()} host={socket.gethostname()}"


def _supported(url: str | None) -> str:
    """The resolved URL, or UnsupportedDatabase naming what was given (never a driver's import error)."""
    from sqlalchemy.exc import ArgumentError

    try:
        resolved = resolve_url(url)
        backend = make_url(resolved).get_backend_name()
    except BadDatabaseURL as exc:  # says what to give, and never repeats the URL
        raise UnsupportedDatabase(str(exc)) from None
    except (ArgumentError, ValueError) as exc:
        raise UnsupportedDatabase(f"cannot read the database URL {masked(url or '')!r}: {exc}") from None
    if backend not in BACKENDS:
        raise UnsupportedDatabase(f"{backend}:// databases are not supported: give a SQLite path or URL "
                                  "(sqlite:///FILE) or a PostgreSQL URL (postgresql://USER@HOST/DB)")
    return resolved


def sqlite_path(url: str) -> str | None:
    """The file behind a SQLite URL, or None for PostgreSQL and in-memory databases."""
    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database
