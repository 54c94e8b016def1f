"""A re-run's planner decides what to read again without reading the stored rows' trailing columns.

status and extractor_version sit after body_text in a documents row: on SQLite, reading them walks the body's
overflow pages, for every file of a nightly re-run. The stale documents come from the indexes instead
(0007's status index and 0009's extractor_version index), and the per-file lookup reads only the columns
before the body. Checked on what SQLite itself reports: the columns each statement reads (its authorizer) all
belong to one index of documents (PRAGMA index_info), so the statement never needs the row.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, event, text

from etl.api import run
from etl.load.loader import stale_documents
from etl.version import extractor_version

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_stale_documents_come_from_the_indexes_alone(sqlite_url: str, seeds_copy: Path):
    run([str(seeds_copy)], sqlite_url, workers=1)
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM documents ORDER BY id")).scalars().all()
        conn.execute(text("UPDATE documents SET extractor_version = 'aaa-older' WHERE id = :i"), {"i": ids[0]})
        conn.execute(text("UPDATE documents SET extractor_version = 'zzz-newer' WHERE id = :i"), {"i": ids[1]})
        conn.execute(text("UPDATE documents SET status = 'removed' WHERE id = :i"), {"i": ids[2]})

    sent: list[tuple[str, tuple]] = []

    def record(_conn, _cursor, statement, params, *_) -> None:
        sent.append((statement, params))

    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", record)
        stale = stale_documents(conn, extractor_version())
        event.remove(conn, "before_cursor_execute", record)
        indexes = _index_columns(conn)
        read = [_columns_read(conn, statement, params) for statement, params in sent]
    engine.dispose()

    assert stale == set(ids[:3])
    assert sent, "stale_documents sent no statement"
    for (statement, _), columns in zip(sent, read, strict=True):
        assert columns and any(columns <= index for index in indexes), f"{statement}\nreads {columns}: no index has them"


def _index_columns(conn) -> list[set[str]]:
    """The columns of each index on documents, with the rowid (id) every index entry carries."""
    names = [row[1] for row in conn.exec_driver_sql("PRAGMA index_list(documents)").all()]
    return [{"id"} | {row[2] for row in conn.exec_driver_sql(f"PRAGMA index_info({name})").all()} for name in names]


def _columns_read(conn, statement: str, params) -> set[str]:
    """The documents columns a statement reads, as SQLite's authorizer reports them while it is prepared."""
    columns: set[str] = set()

    def authorizer(action, table, column, *_):
        if action == sqlite3.SQLITE_READ and table == "documents":
            columns.add(column or "id")
        return sqlite3.SQLITE_OK

    raw = conn.connection.dbapi_connection
    raw.set_authorizer(authorizer)
    try:
        raw.execute(statement, params).fetchall()
    finally:
        raw.set_authorizer(None)
    return columns


def test_a_removed_file_that_comes_back_is_read_again(sqlite_url: str, tmp_path: Path):
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree)
    name = sorted(p.name for p in SEEDS.iterdir())[1]
    run([str(tree)], sqlite_url, workers=1)
    shutil.move(tree / name, tmp_path / name)
    assert run([str(tree)], sqlite_url, workers=1).files_removed == 1
    shutil.move(tmp_path / name, tree / name)  # same bytes, same size and mtime: only its status says "read me"
    again = run([str(tree)], sqlite_url, workers=1)
    assert again.files_unchanged == 4 and again.documents == 5
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT DISTINCT status FROM documents")).scalars().all() == ["active"]
    engine.dispose()
