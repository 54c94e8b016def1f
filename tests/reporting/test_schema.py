"""The reporting migration: round trip on both databases, models agree with it, views keep their types."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from etl.load import migrate
from etl.load.db import make_engine
from etl.load.dimdate import YearCoverage, dim_date_row, refresh_dim_date, sqlite_dim_date_values
from etl.load.runs import start_run
from etl.load.schema import dim_date, documents, metadata
from etl.reporting.catalog import VIEW_DESCRIPTIONS

REPORTING_TABLES = {"dim_date", "fts_documents"}
VIEWS = {"v_metrics", "v_metrics_all", "v_documents"}


def _objects(engine) -> set[str]:
    insp = inspect(engine)
    return set(insp.get_table_names()) | set(insp.get_view_names())


def test_round_trip_base_head_base(db_url):
    engine = make_engine(db_url)
    migrate.upgrade(engine, "head")
    assert REPORTING_TABLES | VIEWS <= _objects(engine)
    migrate.downgrade(engine, "0001")
    left = _objects(engine)
    assert not (REPORTING_TABLES | VIEWS) & left and not {n for n in left if n.startswith("fts_documents")}
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'fts_documents_sync'")).scalar() == 0
    migrate.downgrade(engine, "base")
    assert _objects(engine) <= {"alembic_version"}
    migrate.upgrade(engine, "head")
    assert REPORTING_TABLES | VIEWS <= _objects(engine)
    engine.dispose()


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """The filter of migrations/env.py: objects the migrations create by hand are not in the models."""
    return not (type_ == "table" and reflected and compare_to is None and name.startswith(("fts_", "v_")))


def test_models_match_migrations(db_url):
    """Autogenerate sees nothing to do at head: schema.py's dim_date is exactly what 0002 creates."""
    engine = make_engine(db_url)
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": _include_object, "target_metadata": metadata})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_view_columns_keep_declared_types(sqlite_url):
    """BI tools read column types from the catalog; SQLite gives a view column a type only when it is a
    plain column reference, so every view column must be one."""
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        for view in VIEWS:
            info = conn.execute(text(f"PRAGMA table_info({view})")).all()
            untyped = [row[1] for row in info if not row[2]]
            assert info and untyped == [], f"{view} columns without a declared type: {untyped}"
            types = {row[1]: row[2].upper() for row in info}
            assert types["published_on"] == "DATE" and types["on_topic"] == "BOOLEAN"
            if view.startswith("v_metrics"):
                assert types["value"].startswith("NUMERIC") and types["period_date"] == "DATE"
    engine.dispose()


def test_views_and_columns_are_commented_on_postgres(postgres_url):
    engine = make_engine(postgres_url)
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        for view, (description, columns) in VIEW_DESCRIPTIONS.items():
            got = conn.execute(text("SELECT obj_description(CAST(:v AS regclass), 'pg_class')"), {"v": view}).scalar()
            assert got == description
            stored = dict(conn.execute(text(
                "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                "WHERE a.attrelid = CAST(:v AS regclass) AND a.attnum > 0"), {"v": view}).all())
            assert stored == columns  # every view column described, same text as the catalog
        dim = conn.execute(text("SELECT obj_description(CAST('dim_date' AS regclass), 'pg_class')")).scalar()
        assert dim == dim_date.comment
    engine.dispose()


def test_dim_date_rows_and_refresh(db_url):
    row = dim_date_row(date(2021, 1, 3))
    assert (row["id"], row["year_quarter"], row["iso_year"], row["iso_week"], row["iso_weekday"]) == \
        (20210103, "2021-Q1", 2020, 53, 7)
    assert row["week_start"] == date(2020, 12, 28) and str(row["utc_start"]) == "2021-01-02 16:00:00+00:00"
    engine = make_engine(db_url)
    migrate.upgrade(engine, "head")
    assert refresh_dim_date(engine) == 0  # nothing loaded, nothing to cover
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO etl_runs (id, started_at, status, paths, extractor_version, files_seen, "
                          "files_new, files_changed, files_reprocessed, files_moved, files_unchanged, files_failed, "
                          "files_skipped, files_removed, documents, agencies, metrics, metrics_written) VALUES "
                          "(1, CURRENT_TIMESTAMP, 'running', 'x', 'x', 0,0,0,0,0,0,0,0,0,0,0,0,0)"))
        conn.execute(text("INSERT INTO documents (id, file_path, source_path, content_sha256, size_bytes, format, "
                          "encoding, published_on, body_text, on_topic, extractor_version, status, first_run_id, "
                          "run_id) VALUES (1, '/a', 'a', 'x', 1, 'text', 'utf-8', :day, 'x', true, 'x', 'active', 1, 1)"),
                     {"day": date(2020, 2, 29)})
    assert refresh_dim_date(engine) == 366
    assert refresh_dim_date(engine) == 0
    with engine.connect() as conn:
        got = conn.execute(select(dim_date.c.name, dim_date.c.year_month, dim_date.c.utc_end)
                           .where(dim_date.c.id == 20200229)).one()
    assert got[0] == "2020-02-29" and got[1] == "2020-02" and got[2].isoformat() == "2020-02-29T16:00:00+00:00"
    engine.dispose()


def test_year_coverage_extends_by_whole_years_without_gaps(db_url):
    """The loader's batch-by-batch coverage: each batch adds only the years beyond the covered span, and the
    span never has a hole (a later, earlier year fills every year in between)."""
    engine = make_engine(db_url)
    migrate.upgrade(engine, "head")
    coverage = YearCoverage()
    with engine.begin() as conn:
        assert coverage.cover(conn, [None, date(1850, 1, 1)]) == 0  # nothing datable: noise years are ignored
        assert coverage.cover(conn, [date(2021, 5, 1), date(2021, 7, 1)]) == 365
        assert coverage.cover(conn, [date(2021, 12, 31)]) == 0
        assert coverage.cover(conn, [date(2018, 3, 3)]) == 365 + 366 + 365  # 2018, 2019, 2020
    later = YearCoverage()  # a new run reads the span from the table
    with engine.begin() as conn:
        assert later.cover(conn, [date(2019, 1, 1), date(2022, 1, 1)]) == 365
    with engine.connect() as conn:
        days = conn.execute(select(dim_date.c.date).order_by(dim_date.c.date)).scalars().all()
    assert days[0] == date(2018, 1, 1) and days[-1] == date(2022, 12, 31)
    assert len(days) == (days[-1] - days[0]).days + 1
    engine.dispose()


def test_sqlite_fast_dim_date_rows_store_what_sqlalchemy_stores(sqlite_url):
    """The SQLite fast path writes dim_date's values itself: byte for byte what dim_date_row stores through
    SQLAlchemy's types (leap days, ISO weeks across new year, a Beijing day starting the UTC day before)."""
    import sqlite3

    from etl.load.bulk import executemany_values
    from etl.load.db import sqlite_path
    from etl.load.dimdate import DIM_DATE_COLUMNS

    engine = make_engine(sqlite_url)
    migrate.upgrade(engine, "head")
    first, last = date(1999, 12, 20), date(2001, 1, 10)
    stored = []
    for fast in (False, True):
        with engine.begin() as conn:
            conn.execute(dim_date.delete())
            if fast:
                assert executemany_values(conn, dim_date, DIM_DATE_COLUMNS, sqlite_dim_date_values(first, last)) == 388
            else:
                days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
                conn.execute(dim_date.insert(), [dim_date_row(day) for day in days])
        with sqlite3.connect(sqlite_path(sqlite_url)) as raw:
            stored.append(raw.execute("SELECT * FROM dim_date ORDER BY id").fetchall())
    engine.dispose()
    assert len(stored[0]) == 388 and stored[1] == stored[0]


def test_postgres_stores_body_text_with_lz4(postgres_url):
    """0008: bodies are compressed with LZ4 where the server has it (2.7x faster COPY than pglz); down to 0007
    the column goes back to the server's default, and the stored rows read back the same either way."""
    engine = make_engine(postgres_url)
    migrate.upgrade(engine, "head")
    if engine.dialect.server_version_info < (14,):
        pytest.skip("per-column compression came with PostgreSQL 14; 0008 leaves older servers as they are")
    run_id = start_run(engine, ["/x"], "test")
    body = "医疗保障基金监管，追回资金。" * 2000  # long enough to be compressed as it is stored
    compression = text("SELECT attcompression FROM pg_attribute "
                       "WHERE attrelid = 'documents'::regclass AND attname = 'body_text'")
    with engine.begin() as conn:
        has_lz4 = "lz4" in (conn.execute(text(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar() or [])
        assert conn.execute(compression).scalar() == ("l" if has_lz4 else "")
        conn.execute(documents.insert(), {
            "file_path": "/x", "source_path": "x", "content_sha256": "0" * 64, "size_bytes": 1, "format": "text",
            "encoding": "utf-8", "body_text": body, "on_topic": True, "extractor_version": "test", "status": "active",
            "run_id": run_id, "first_run_id": run_id})
        method = conn.execute(text("SELECT pg_column_compression(body_text) FROM documents")).scalar()
        assert method == ("lz4" if has_lz4 else "pglz")
    migrate.downgrade(engine, "0007")
    with engine.connect() as conn:
        assert conn.execute(compression).scalar() == ""
        assert conn.execute(text("SELECT body_text FROM documents")).scalar() == body
    engine.dispose()
