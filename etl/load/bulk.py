"""Bulk row writers: the one place that decides how many rows reach a table (executemany, COPY …)."""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def bulk_insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows that need no ids back, inside the caller's transaction."""
    if rows:
        conn.execute(table.insert(), rows)
