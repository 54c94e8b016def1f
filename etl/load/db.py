"""Engines for SQLite and PostgreSQL with the settings the pipeline relies on."""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url

from etl.config import is_sqlite, resolve_url

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Foreign keys on, WAL so readers (BI tools) are never blocked by a load, and a busy timeout."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for the resolved URL; SQLite files get their folder created and the pragmas above."""
    resolved = resolve_url(url)
    if is_sqlite(resolved):
        database = make_url(resolved).database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "application_name" not in make_url(resolved).query:
        # names the run's sessions, so the next run can end those a killed run left open (etl.load.lock)
        from etl.load.lock import application_name

        connect_args = dict(kwargs.pop("connect_args", None) or {})
        connect_args.setdefault("application_name", application_name())
        kwargs["connect_args"] = connect_args
    return create_engine(resolved, **kwargs)


def sqlite_path(url: str) -> str | None:
    """The file behind a SQLite URL, or None for PostgreSQL and in-memory databases."""
    parsed = make_url(resolve_url(url))
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database
