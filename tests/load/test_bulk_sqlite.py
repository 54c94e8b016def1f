"""SQLite's bulk path (DBAPI executemany of SQLAlchemy-processed values) stores exactly what SQLAlchemy's own
executemany stores, column defaults included, inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select

from etl.load.bulk import COPY_MIN_ROWS, bulk_insert, executemany_rows
from tests.helpers import probe_table, tricky_rows


def test_executemany_rows_stores_what_sqlalchemy_stores(tmp_path: Path):
    path = tmp_path / "bulk.db"
    engine = create_engine(f"sqlite:///{path}")
    fast, plain = probe_table("fast"), probe_table("plain")
    rows = tricky_rows()
    with engine.begin() as conn:
        fast.create(conn)
        plain.create(conn)
        assert executemany_rows(conn, fast, rows) == len(rows)
        conn.execute(insert(plain), rows)
    with engine.connect() as conn:
        assert conn.execute(select(fast).order_by(fast.c.id)).all() == \
            conn.execute(select(plain).order_by(plain.c.id)).all()
    engine.dispose()
    with sqlite3.connect(path) as raw:  # the stored values themselves, not only what SQLAlchemy reads back
        assert raw.execute("SELECT * FROM fast ORDER BY id").fetchall() == \
            raw.execute("SELECT * FROM plain ORDER BY id").fetchall()
        assert raw.execute("SELECT count(*) FROM fast WHERE defaulted = 1").fetchone()[0] == len(rows)


def test_bulk_insert_rolls_back_with_the_transaction(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.db'}")
    table = probe_table("probe")
    with engine.begin() as conn:
        table.create(conn)
    rows = tricky_rows()
    assert len(rows) >= COPY_MIN_ROWS
    with pytest.raises(RuntimeError), engine.begin() as conn:
        bulk_insert(conn, table, rows)
        assert conn.execute(select(table.c.id)).all()  # visible inside the transaction
        raise RuntimeError("the batch fails after its rows were written")
    with engine.connect() as conn:
        assert conn.execute(select(table.c.id)).all() == []
    engine.dispose()
