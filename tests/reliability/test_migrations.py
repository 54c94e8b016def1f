"""Migrations with data in the tables: down one step and back keeps every loaded row, down to base and up
again leaves a schema the next run fills. (Models vs migrations and the empty round trip are in
tests/reporting/test_schema.py.)"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from etl.load import migrate
from etl.load.db import make_engine
from etl.load.schema import document_agencies, documents, metrics
from tests.reliability.rel_support import SEEDS, run_etl


def _counts(db_url: str) -> tuple[int, int, int]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                         for t in (documents, metrics, document_agencies))
    finally:
        engine.dispose()


def test_round_trip_with_data(db_url: str, tmp_path: Path) -> None:
    """head -> 0001 -> head keeps the rows; head -> base -> head empties it and a run loads it again."""
    assert run_etl("run", str(SEEDS), "--db", db_url, "-q", "--workers", "1").returncode == 0
    loaded = _counts(db_url)
    assert loaded[0] == 5 and loaded[1] > 0 and loaded[2] > 0
    engine = make_engine(db_url)
    try:
        migrate.downgrade(engine, "0001")  # drops the reporting objects, not the data under them
        assert _counts(db_url) == loaded
        migrate.upgrade(engine, "head")
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _counts(db_url) == loaded
        search = run_etl("search", "医保", "--db", db_url)
        assert search.returncode == 0 and "(0 rows)" not in search.stdout, search.stderr  # index rebuilt
        migrate.downgrade(engine, "base")
        migrate.upgrade(engine, "head")
        assert _counts(db_url) == (0, 0, 0)
    finally:
        engine.dispose()
    again = run_etl("run", str(SEEDS), "--db", db_url, "-q", "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert _counts(db_url) == loaded
