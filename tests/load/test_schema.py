"""Schema rules from the pipeline issue, checked on the model and on migrated real databases."""

from __future__ import annotations

from sqlalchemy import Date, DateTime, inspect

from etl.load.db import make_engine
from etl.load.migrate import upgrade
from etl.load.schema import UTCDateTime, metadata


def _indexed_first_columns(table) -> set[str]:
    first = {next(iter(ix.columns)).name for ix in table.indexes}
    for constraint in table.constraints:
        columns = list(getattr(constraint, "columns", []))
        if columns and type(constraint).__name__ in ("UniqueConstraint", "PrimaryKeyConstraint"):
            first.add(columns[0].name)
    return first


def test_every_foreign_key_and_date_column_is_indexed():
    missing = [
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if (column.foreign_keys or isinstance(column.type, Date | DateTime | UTCDateTime))
        and column.name not in _indexed_first_columns(table)
    ]
    assert missing == []


def test_every_table_and_column_has_a_comment():
    assert [t.name for t in metadata.sorted_tables if not t.comment] == []
    assert [f"{t.name}.{c.name}" for t in metadata.sorted_tables for c in t.columns if not c.comment] == []


def test_migrated_database_has_the_indexes(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    found = inspect(engine)
    for table in metadata.sorted_tables:
        live = {tuple(ix["column_names"])[0] for ix in found.get_indexes(table.name)}
        model = {next(iter(ix.columns)).name for ix in table.indexes}
        assert model <= live, (table.name, model - live)
    engine.dispose()
