"""Bulk row writers: the one place that decides how many rows reach a table (executemany, COPY …).

PostgreSQL gets COPY FROM STDIN through psycopg 3 on the very connection (and so the very transaction) of
the batch: if the process dies mid-batch, the COPY rolls back with everything else, nothing is half-loaded.
COPY goes straight into the target table, not through a staging table, because the rows that reach here
never conflict: metrics get fresh serial ids, and a batch's document_agencies rows are de-duplicated by the
loader after it has deleted the old rows of the documents it replaces. (A staging table + one INSERT …
SELECT costs a second pass over the rows for a conflict check nothing needs; bench/scaleout.md measures
both.) SQLite gets executemany on its DBAPI connection, which is its fastest path.

Values go through each column's SQLAlchemy bind processing first (so a TypeDecorator such as UTCDateTime
stores the same value either way), then psycopg's own text-format dumpers with `write_row`, which escape
tabs, newlines, backslashes and NULLs and write Decimals, dates and booleans exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.engine import Connection

COPY_MIN_ROWS = 8  # below this a COPY's extra round trips cost more than executemany's one statement


def bulk_insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows that need no ids back, inside the caller's transaction."""
    if not rows:
        return
    if len(rows) >= COPY_MIN_ROWS and _can_copy(conn):
        copy_rows(conn, table, rows)
    elif len(rows) >= COPY_MIN_ROWS and conn.dialect.name == "sqlite":
        executemany_rows(conn, table, rows)
    else:
        conn.execute(table.insert(), rows)


def insert_with_ids(conn: Connection, table: Table, rows: list[dict]) -> list[int]:
    """Insert rows into a table with an integer id key; their new ids, in the rows' order.

    The ids are drawn first (draw_ids), then the rows take the bulk path (a DBAPI executemany, COPY) instead
    of an INSERT … RETURNING, which SQLAlchemy sends in pages of multi-row VALUES, a large share of the
    loader's time (bench/README.md). Other databases: INSERT … RETURNING.
    """
    if not rows:
        return []
    ids = draw_ids(conn, table, len(rows))
    if ids is None:
        return list(conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
    bulk_insert(conn, table, [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def draw_ids(conn: Connection, table: Table, count: int) -> list[int] | None:
    """The ids the next `count` rows of a table with an integer id key will get, before they are inserted
    (None where they cannot be known in advance).

    SQLite: the ids after the largest one, which SQLite itself would assign to its rowid key; safe because
    one etl run writes at a time (etl.load.lock) inside one transaction per batch. PostgreSQL: nextval of the
    column's sequence, as its default would.
    """
    key = table.c.id
    if conn.dialect.name == "sqlite":
        start = conn.execute(select(func.coalesce(func.max(key), 0))).scalar_one() + 1
        return list(range(start, start + count))
    if _can_copy(conn):
        draw = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n) ORDER BY 1")
        return list(conn.execute(draw, {"table": table.name, "n": count}).scalars())
    return None


def _can_copy(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _columns(table: Table, rows: Sequence[dict]) -> tuple[list[str], dict[str, Any]]:
    """The columns to write (the rows' keys) and the scalar defaults executemany would have filled in."""
    names = list(rows[0])
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name in rows[0]:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            defaults[column.name] = default.arg
    return names + list(defaults), defaults


def _values(conn: Connection, table: Table, names: list[str], defaults: dict[str, Any],
            rows: Sequence[dict]) -> Iterator[Sequence[Any]]:
    """Each row's values in names' order, through the columns' bind processing, defaults appended."""
    dialect = conn.dialect
    processors = [
        (index, process) for index, name in enumerate(names)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    given = len(names) - len(defaults)
    getter = itemgetter(*names[:given]) if given > 1 else (lambda row, _n=names[0]: (row[_n],))
    fill = tuple(defaults.values())
    for row in rows:
        values = getter(row)  # KeyError for a row without one of the first row's keys, like executemany
        if fill:
            values += fill
        if processors:
            values = list(values)
            for index, process in processors:
                if values[index] is not None:
                    values[index] = process(values[index])
        yield values


def executemany_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> int:
    """SQLite: one DBAPI executemany on conn's own connection (its open transaction); returns rows written.

    The same values SQLAlchemy's executemany would send, without its per-row parameter bookkeeping, which
    dominates for many small rows such as dim_date's (bench/README.md). The statement is compiled
    by SQLAlchemy from the table; values travel as parameters."""
    if not rows:
        return 0
    names, defaults = _columns(table, rows)
    return executemany_values(conn, table, names, _values(conn, table, names, defaults, rows))


def executemany_values(conn: Connection, table: Table, names: list[str], values: Iterable[Sequence[Any]]) -> int:
    """SQLite: executemany of values already in the database's own form (the caller's promise), names' order."""
    compiled = table.insert().values({name: bindparam(name) for name in names}).compile(dialect=conn.dialect)
    order = [names.index(key) for key in compiled.positiontup]
    if order != list(range(len(names))):
        values = ([row[i] for i in order] for row in values)
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.executemany(compiled.string, values)
        return cursor.rowcount
    finally:
        cursor.close()


def copy_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> int:
    """COPY rows into table on conn's own DBAPI connection (its open transaction); returns rows written.

    Identifiers are composed by psycopg (quoted), never spliced: names come from the schema, values travel
    as COPY data."""
    if not rows:
        return 0
    from psycopg import sql  # only PostgreSQL gets here; SQLite installs need no psycopg
    names, defaults = _columns(table, rows)
    target = sql.Identifier(*([table.schema] if table.schema else []), table.name)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(target, sql.SQL(", ").join(map(sql.Identifier, names)))
    dbapi = conn.connection.driver_connection  # the psycopg connection, inside the batch's transaction
    with dbapi.cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        for values in _values(conn, table, names, defaults, rows):
            write(values)
    return len(rows)


def insert_for(conn: Connection, table):
    """INSERT with ON CONFLICT support for the connection's dialect."""
    if conn.dialect.name == "postgresql":  # imported here: the PostgreSQL dialect costs a SQLite run start-up time
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
