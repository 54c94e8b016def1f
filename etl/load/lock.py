"""One writer per database: a file lock next to a SQLite file, an advisory lock on PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.config import masked
from etl.load.db import sqlite_path

ADVISORY_KEY = 0x6574_6C72  # "etlr"


class LockBusy(RuntimeError):
    """Another `etl run` is writing to the same database."""


@contextmanager
def writer_lock(engine: Engine, wait_seconds: float = 0.0):
    """Hold the database's writer lock for the block; raise LockBusy after wait_seconds."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            yield
            return
        fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockBusy(f"another etl run is writing to {path} (lock file {path}.lock)") from None
                    time.sleep(0.2)
            yield
        finally:
            os.close(fd)
        return
    with engine.connect() as conn:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar():
            conn.rollback()
            if time.monotonic() >= deadline:
                raise LockBusy(f"another etl run is writing to {masked(engine.url)} (advisory lock {ADVISORY_KEY})")
            time.sleep(0.2)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()
