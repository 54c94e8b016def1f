"""One writer per database: a POSIX lock on a file next to a SQLite file, an advisory lock on PostgreSQL.

A run killed with SIGKILL must never lock out the next one. Worker processes forked by the run inherit its
file descriptors and sockets and can outlive it, so:

- on SQLite the lock is a POSIX record lock (fcntl), which belongs to the process that took it and ends
  with it (a flock would be shared with, and kept alive by, the orphaned workers);
- on PostgreSQL every connection of a run carries `etl run pid=… host=…` as its application_name; when the
  advisory lock is held by such a session whose process is gone from this host, the run ends that
  process's sessions (rolling back whatever it left open) and takes the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.config import masked
from etl.load.db import sqlite_path

ADVISORY_KEY = 0x6574_6C72  # "etlr"
POLL_SECONDS = 0.2
_APP_NAME = re.compile(r"^etl run pid=(?P<pid>\d+) host=(?P<host>\S+)$")

_held: set[str] = set()  # lock files this process holds (POSIX locks do not exclude within one process)
_held_guard = threading.Lock()


class LockBusy(RuntimeError):
    """Another `etl run` is writing to the same database."""


def _process_gone(pid: int) -> bool:
    """True when no such process runs here (a zombie counts as gone: it holds nothing any more)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X")
    except OSError:
        return False


@contextmanager
def writer_lock(engine: Engine, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the database's writer lock for the block; raise LockBusy after wait_seconds."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            yield
            return
        with _file_lock(f"{path}.lock", path, deadline):
            yield
        return
    with _advisory_lock(engine, deadline):
        yield


def _holder_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


@contextmanager
def _file_lock(lock_path: str, db_path: str, deadline: float) -> Iterator[None]:
    key = os.path.realpath(lock_path)
    while True:
        with _held_guard:
            if key not in _held:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    holder = _holder_pid(fd)
                    os.close(fd)
                    if exc.errno not in (errno.EACCES, errno.EAGAIN):
                        raise
                else:
                    _held.add(key)
                    break
            else:
                holder = str(os.getpid())
        if time.monotonic() >= deadline:
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise LockBusy(f"another etl run{who} is writing to {db_path} (lock file {lock_path})")
        time.sleep(POLL_SECONDS)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with _held_guard:
            _held.discard(key)
            os.close(fd)  # closing releases the POSIX lock


def _end_dead_holders(conn: Connection, tried: set[str]) -> bool:
    """End the sessions of a dead run on this host that holds the advisory lock; True if any were ended.

    Each dead run is tried once (`tried`), so a session that cannot be ended means LockBusy, not a spin.
    """
    holders = conn.execute(text(
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1"
    ), {"hi": ADVISORY_KEY >> 32, "lo": ADVISORY_KEY & 0xFFFF_FFFF}).scalars().all()
    ended = False
    for name in holders:
        match = _APP_NAME.match(name or "")
        if not match or name in tried or match["host"] != socket.gethostname() or not _process_gone(int(match["pid"])):
            continue
        tried.add(name)
        conn.execute(text(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE application_name = :name AND pid <> pg_backend_pid() AND datname = current_database()"
        ), {"name": name})
        ended = True
    conn.commit()
    return ended


@contextmanager
def _advisory_lock(engine: Engine, deadline: float) -> Iterator[None]:
    tried: set[str] = set()
    with engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
            conn.rollback()
            if _end_dead_holders(conn, tried):
                continue
            if time.monotonic() >= deadline:
                raise LockBusy(f"another etl run is writing to {masked(engine.url)} (advisory lock {ADVISORY_KEY})")
            time.sleep(POLL_SECONDS)
        conn.commit()
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()
            except Exception:  # noqa: BLE001 - the server may be gone; a closed session holds no lock
                conn.invalidate()
