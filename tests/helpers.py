"""Helpers shared by tests (fixtures are in tests/conftest.py): no test imports from another test module."""

from __future__ import annotations

import itertools
import os
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

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
    select,
    text,
)

from etl.load.bulk import COPY_MIN_ROWS
from etl.load.duplicates import order_key
from etl.load.schema import UTCDateTime
from etl.reporting.queries import get_report, run_report
from etl.transform.duplicates import hamming

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


TRICKY_TEXT = [
    "tab\there", "new\nline", "crlf\r\nend", "back\\slash", "trailing\\", "\\N", "\\.", "", " ", "NULL",
    "中文，“引号”与《书名号》", "a\\tb\\nc", "\x01\x1f control", "quote ' and \" and ,comma", "emoji 🧾",
]


TRICKY_DECIMALS = [
    Decimal("123456789012345678.123456"), Decimal("-123456789012345678.999999"), Decimal("0.000001"),
    Decimal("-0.000001"), Decimal("0"), Decimal("1E+3"), Decimal("12.5"), Decimal("3.1415926"),
    Decimal("2.0000005"), Decimal("100000000"),
]


TRICKY_DATES = [date(1, 1, 1), date(2024, 2, 29), date(9999, 12, 31), date(1970, 1, 1)]


def probe_table(name: str) -> Table:
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


def tricky_rows() -> list[dict]:
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


def brute_force_links(rows, max_distance):
    """Every pair compared, groups closed transitively: the definition canonical_links must match."""
    group = {row[0]: {row[0]} for row in rows}
    for a, b in itertools.combinations(rows, 2):
        if hamming(a[1], b[1]) <= max_distance and group[a[0]] is not group[b[0]]:
            merged = group[a[0]] | group[b[0]]
            for member in merged:
                group[member] = merged
    by_id = {row[0]: row for row in rows}
    links = {}
    for row in rows:
        members = group[row[0]]
        first = min(members, key=lambda i: order_key(by_id[i][2], by_id[i][3], by_id[i][4], i))
        links[row[0]] = None if first == row[0] or len(members) == 1 else first
    return links


def rows(engine, name: str, **params) -> list[dict]:
    with engine.connect() as conn:
        result = run_report(conn, get_report(name), params)
    return [dict(zip(result.columns, r, strict=True)) for r in result.rows]


def num(value) -> Decimal | None:
    """SQLite returns int/float, PostgreSQL Decimal: compare as Decimal."""
    return None if value is None else Decimal(str(value))
