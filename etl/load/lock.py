"""One writer per database: an open-file-description lock on a SQLite file itself, an advisory lock on
PostgreSQL.

A run killed with SIGKILL must never lock out the next one, and two runs must never both believe they hold
the lock. Worker processes forked by the run inherit its file descriptors and sockets and can outlive it, so:

- on SQLite the lock is an OFD record lock (fcntl F_OFD_SETLK) on one byte, far past any byte SQLite locks,
  of the database file itself, opened by its real path: a symlinked path, a relative one or `..` all reach
  the same inode, and there is no lock file to delete. Forked workers close their copy of the descriptor at
  once (os.register_at_fork), so the lock ends with the run's own process. Closing SQLite's own descriptors
  does not release it (an OFD lock belongs to its open file description, unlike a POSIX lock). Platforms
  without OFD locks fall back to a POSIX lock on a lock file next to the database's real path;
- on PostgreSQL every connection of a run carries `etl run pid=… host=…` as its application_name; when the
  advisory lock is held by such a session whose process is gone from this host, the run ends that
  process's sessions (rolling back whatever it left open) and takes the lock. The lock's session sets
  idle_session_timeout and idle_in_transaction_session_timeout to 0 and uses TCP keepalives (etl.load.db);
  if it is lost all the same (a proxy, a firewall, pg_terminate_backend), the run's next check raises
  LockLost and the run stops, instead of going on without the lock.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.config import masked
from etl.load.db import sqlite_path
from etl.load.faults import fault_point

ADVISORY_KEY = 0x6574_6C72  # "etlr"
POLL_SECONDS = 0.2
_APP_NAME = re.compile(r"^etl run pid=(?P<pid>\d+) host=(?P<host>\S+)$")

_held: set[str] = set()  # lock files this process holds (POSIX locks do not exclude within one process)
_held_guard = threading.Lock()


LOCK_OFFSET = 1 << 62  # the byte of the database file that is locked: SQLite's own locks are near 1 GiB
_OFD = hasattr(fcntl, "F_OFD_SETLK")
_fork_fds: set[int] = set()  # descriptors holding a lock: closed in every forked child


class LockBusy(RuntimeError):
    """Another `etl run` is writing to the same database."""


class LockLost(RuntimeError):
    """The writer lock this run held is gone (its PostgreSQL session ended, the database file was replaced)."""


class HeldLock:
    """The writer lock as held: check() raises LockLost when it is not held any more."""

    def check(self) -> None:
        return None


class _FileHeld(HeldLock):
    def __init__(self, fd: int, path: str):
        self.fd, self.path = fd, path

    def check(self) -> None:
        try:
            now, held = os.stat(self.path), os.fstat(self.fd)
        except OSError:
            now = held = None
        if now is None or (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
            raise LockLost(f"the database file {self.path} was deleted or replaced during the run; "
                           "it was stopped (run it again)")


class _SessionHeld(HeldLock):
    def __init__(self, conn: Connection, where: str):
        self.conn, self.where = conn, where

    def check(self) -> None:
        """One round trip on the lock's own session: alive, it still holds the lock."""
        from sqlalchemy.exc import DBAPIError

        try:
            self.conn.execute(text("SELECT 1"))
            self.conn.commit()  # never left idle in a transaction
        except DBAPIError as exc:
            said = (str(exc.orig).strip().splitlines() or [""])[0][:200]
            raise LockLost(f"the session holding the writer lock on {self.where} was lost ({said}: the server "
                           "stopped, a timeout, a proxy or an administrator ended it); the run was stopped so "
                           "that no other run writes at the same time (run it again)") from None


def _close_in_child() -> None:
    for fd in list(_fork_fds):
        try:
            os.close(fd)
        except OSError:
            pass
    _fork_fds.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_in_child)


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
def writer_lock(engine: Engine, wait_seconds: float = 0.0) -> Iterator[HeldLock]:
    """Hold the database's writer lock for the block; raise LockBusy after wait_seconds."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            yield HeldLock()
            return
        with _file_lock(path, deadline) as held:
            yield held
        return
    with _advisory_lock(engine, deadline) as held:
        yield held


def _holder_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on fd without waiting; False when another holds it."""
    try:
        if _OFD:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, LOCK_OFFSET, 1, 0))
        else:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EAGAIN):
            raise
        return False
    return True


@contextmanager
def _file_lock(db_path: str, deadline: float) -> Iterator[HeldLock]:
    real = os.path.realpath(os.path.expanduser(db_path))  # every path to the file locks the same inode
    target = real if _OFD else f"{real}.lock"
    while True:
        holder = ""
        with _held_guard:
            if real not in _held:
                try:
                    fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                except OSError as exc:
                    if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                        raise
                    yield HeldLock()  # a file no one may write: no writer to exclude (SQLite says so itself)
                    return
                if _try_lock(fd):
                    _held.add(real)
                    _fork_fds.add(fd)
                    break
                holder = "" if _OFD else _holder_pid(fd)
                os.close(fd)
            else:
                holder = str(os.getpid())
        if time.monotonic() >= deadline:
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise LockBusy(f"another etl run{who} is writing to {db_path}")
        fault_point("lock_busy")
        time.sleep(POLL_SECONDS)
    try:
        if not _OFD:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield _FileHeld(fd, real)
    finally:
        with _held_guard:
            _held.discard(real)
            _fork_fds.discard(fd)
            os.close(fd)  # closing releases the lock


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


def _keep_session(conn: Connection) -> None:
    """The lock's session must outlive any idle spell of the run: no idle timeouts for it (a server or role
    default of idle_session_timeout would end it between two batches, and the lock with it)."""
    if conn.dialect.server_version_info and conn.dialect.server_version_info >= (14,):
        conn.execute(text("SET idle_session_timeout = 0"))
    conn.execute(text("SET idle_in_transaction_session_timeout = 0"))
    conn.commit()


@contextmanager
def _advisory_lock(engine: Engine, deadline: float) -> Iterator[HeldLock]:
    tried: set[str] = set()
    with engine.connect() as conn:
        _keep_session(conn)
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
            conn.rollback()
            if _end_dead_holders(conn, tried):
                continue
            if time.monotonic() >= deadline:
                raise LockBusy(f"another etl run is writing to {masked(engine.url)} (advisory lock {ADVISORY_KEY})")
            fault_point("lock_busy")
            time.sleep(POLL_SECONDS)
        conn.commit()
        try:
            yield _SessionHeld(conn, masked(engine.url))
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                conn.commit()
            except Exception:  # noqa: BLE001 - the server may be gone; a closed session holds no lock
                conn.invalidate()
