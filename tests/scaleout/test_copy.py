"""COPY loading on PostgreSQL: values round-trip exactly as executemany stores them, in the batch's transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
)

from etl.load import migrate
from etl.load.bulk import COPY_MIN_ROWS, bulk_insert, copy_rows
from etl.load.runs import start_run
from etl.load.schema import UTCDateTime, document_agencies, documents, metrics

pytestmark = pytest.mark.postgres

TRICKY_TEXT = [
    "tab\there", "new\nline", "crlf\r\nend", "back\\slash", "trailing\\", "\\N", "\\.", "", " ", "NULL",
    "中文，“引号”与《书名号》", "a\\tb\\nc", "\x01\x1f control", "quote ' and \" and ,comma", "emoji 🧾",
]
TRICKY_DECIMALS = [
    Decimal("123456789012345678.123456"), Decimal("-123456789012345678.999999"), Decimal("0.000001"),
    Decimal("-0.000001"), Decimal("0"), Decimal("1E+3"), Decimal("12.5"), Decimal("3.1415926"),
    Decimal("2.0000005"), Decimal("100000000"),
]
SCALE = Decimal("0.000001")  # NUMERIC(24, 6): PostgreSQL rounds half away from zero


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(SCALE, rounding=ROUND_HALF_UP)


TRICKY_DATES = [date(1, 1, 1), date(2024, 2, 29), date(9999, 12, 31), date(1970, 1, 1)]


def _probe_table(name: str) -> Table:
    return Table(
        name, MetaData(),
        Column("id", Integer, primary_key=True),
        Column("amount", Numeric(24, 6, asdecimal=True)),
        Column("text_value", Text),
        Column("short", String(16)),
        Column("day", Date),
        Column("flag", Boolean),
        Column("big", BigInteger),
        Column("at", UTCDateTime),
        Column("defaulted", Boolean, nullable=False, default=True),
    )


def _tricky_rows() -> list[dict]:
    rows = []
    for i in range(max(len(TRICKY_TEXT), len(TRICKY_DECIMALS), COPY_MIN_ROWS) * 2):
        rows.append({
            "id": i + 1,
            "amount": None if i % 7 == 6 else TRICKY_DECIMALS[i % len(TRICKY_DECIMALS)],
            "text_value": None if i % 5 == 4 else TRICKY_TEXT[i % len(TRICKY_TEXT)],
            "short": "" if i % 3 == 0 else (None if i % 3 == 1 else "x\ty"),
            "day": None if i % 6 == 5 else TRICKY_DATES[i % len(TRICKY_DATES)],
            "flag": None if i % 4 == 3 else bool(i % 2),
            "big": [-(2**63), 2**63 - 1, 0, None][i % 4],
            "at": None if i % 2 else datetime(2024, 3, 1, 12, 30, 15, 999_999, tzinfo=UTC),
        })
    return rows


def test_copy_round_trips_exactly_what_executemany_stores(postgres_url: str):
    engine = create_engine(postgres_url)
    by_copy, by_insert = _probe_table("by_copy"), _probe_table("by_insert")
    rows = _tricky_rows()
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
