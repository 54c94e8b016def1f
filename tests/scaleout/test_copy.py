"""COPY loading on PostgreSQL: values round-trip exactly as executemany stores them, in the batch's transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import (
    create_engine,
    func,
    insert,
    select,
)

from etl.load import migrate
from etl.load.bulk import bulk_insert, copy_rows
from etl.load.runs import start_run
from etl.load.schema import document_agencies, documents, metrics
from tests.helpers import TRICKY_DECIMALS, TRICKY_TEXT, probe_table, tricky_rows

pytestmark = pytest.mark.postgres

SCALE = Decimal("0.000001")  # NUMERIC(24, 6): PostgreSQL rounds half away from zero


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(SCALE, rounding=ROUND_HALF_UP)



def test_copy_round_trips_exactly_what_executemany_stores(postgres_url: str):
    engine = create_engine(postgres_url)
    by_copy, by_insert = probe_table("by_copy"), probe_table("by_insert")
    rows = tricky_rows()
    with engine.begin() as conn:
        by_copy.create(conn)
        by_insert.create(conn)
        assert copy_rows(conn, by_copy, rows) == len(rows)
        conn.execute(insert(by_insert), rows)
    with engine.connect() as conn:
        copied = conn.execute(select(by_copy).order_by(by_copy.c.id)).all()
        inserted = conn.execute(select(by_insert).order_by(by_insert.c.id)).all()
    engine.dispose()
    assert copied == inserted
    for row, back in zip(rows, copied, strict=True):
        assert back.text_value == row["text_value"]  # '' stays '', None stays NULL, escapes survive
        assert back.short == row["short"]
        assert back.amount == _stored(row["amount"])  # 12.5 reads back as 12.500000, 2.0000005 as 2.000001
        assert back.day == row["day"]
        assert back.flag is row["flag"]
        assert back.big == row["big"]
        assert back.defaulted is True  # the column default executemany would apply
    assert copied[0].at == datetime(2024, 3, 1, 12, 30, 15, tzinfo=UTC)  # UTCDateTime's bind processing ran


def _document(conn, run_id: int) -> int:
    return conn.execute(insert(documents).returning(documents.c.id), {
        "file_path": "/x/a.md", "source_path": "a.md", "content_sha256": "0" * 64, "size_bytes": 1,
        "format": "text", "encoding": "utf-8", "body_text": "b", "on_topic": True, "extractor_version": "t",
        "status": "active", "first_run_id": run_id, "run_id": run_id,
    }).scalar_one()


def _metric_rows(doc_id: int, run_id: int, count: int) -> list[dict]:
    return [{
        "document_id": doc_id, "agency_id": None, "indicator": None,
        "value": TRICKY_DECIMALS[i % len(TRICKY_DECIMALS)], "value_max": None if i % 2 else Decimal("9.75"),
        "unit": "CNY", "qualifier": "exact", "raw_text": f"{i}万元", "sentence": TRICKY_TEXT[i % len(TRICKY_TEXT)],
        "char_start": i, "char_end": None, "period_start": date(2023, 1, 1), "period_end": None,
        "on_topic": bool(i % 2), "run_id": run_id,  # no "cumulative": its default (False) must be applied
    } for i in range(count)]


def test_bulk_insert_copies_in_the_batch_transaction_and_rolls_back_with_it(postgres_url: str):
    """The metric rows reference a document inserted earlier in the same uncommitted transaction (a COPY on
    another connection would fail its foreign key), and a failure after the COPY leaves nothing behind."""
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    run_id = start_run(engine, ["/x"], "t")
    with engine.begin() as conn:
        doc_id = _document(conn, run_id)
        rows = _metric_rows(doc_id, run_id, 40)
        bulk_insert(conn, metrics, rows)
        bulk_insert(conn, document_agencies, [])
        stored = conn.execute(select(metrics).order_by(metrics.c.id)).all()
        assert [r.sentence for r in stored] == [r["sentence"] for r in rows]
        assert [r.value for r in stored] == [_stored(r["value"]) for r in rows]
        assert all(r.cumulative is False for r in stored)
        assert [r.id for r in stored] == sorted(r.id for r in stored)  # ids in row order, as executemany gives

    with pytest.raises(RuntimeError), engine.begin() as conn:
        doc_id = conn.execute(select(documents.c.id)).scalar_one()
        bulk_insert(conn, metrics, _metric_rows(doc_id, run_id, 100))
        raise RuntimeError("the process dies mid-batch")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(metrics)).scalar_one() == 40
    engine.dispose()
