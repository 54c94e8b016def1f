"""Helpers shared by tests (not fixtures)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, select, text

# When a row was written differs between two runs; what was written must not.
TIMESTAMPS = frozenset({"started_at", "finished_at", "failed_at", "removed_at"})


def run_etl(etl_bin: list[str], *args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*etl_bin, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


def query(url: str, sql: str, **params) -> list[tuple]:
    """The rows of one SQL statement on the database at url, as tuples."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but its timestamps (reflected, so tables added later are compared too), in
    key order: two databases with equal snapshots hold the same data under the same ids."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                cols = [c for c in table.columns if c.name not in TIMESTAMPS]
                order = list(table.primary_key.columns) or cols
                out[table.name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]
        return out
    finally:
        engine.dispose()
