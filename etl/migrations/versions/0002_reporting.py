"""Reporting: a date dimension, flat views for BI tools, full-text search for Chinese, view comments.

Everything here is derived from the tables of 0001 and can be dropped without losing data.

- dim_date: one row per calendar day; the load step (etl/load/postload.py) keeps it covering whole years
  around every loaded date. Filled here from what is already loaded.
- v_metrics, v_documents: flat views of active documents. Every column is a plain column reference (no
  expressions), so SQLite reports its declared type (DATE, NUMERIC, BOOLEAN …) to BI tools: SQLite before
  3.41 gives CAST expressions in a view no declared type at all.
- fts_documents: a copy of title and body_text for substring search that works without word breaks:
  SQLite FTS5 with the trigram tokenizer (rowid = documents.id), PostgreSQL a table with pg_trgm GIN
  indexes. Triggers on documents keep it in sync on both.
- PostgreSQL: COMMENT ON the views and their columns (0001 already commented the tables).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEIJING = timezone(timedelta(hours=8))

# Frozen copies of etl/reporting/catalog.py as of this revision (a test checks they agree).
VIEW_COMMENTS = {'v_metrics': ('One row per reported figure of an active document, flattened with its document, source, '
               'agency, indicator labels and calendar attributes: the table to point a BI tool at.',
               {'metric_id': 'metrics.id',
                'document_id': 'the document the figure was reported in',
                'document_title': 'title of that document',
                'published_on': 'publication date of the document (Beijing time)',
                'published_year': 'year of published_on',
                'published_year_month': 'year and month of published_on as YYYY-MM',
                'published_month': 'first day of the month of published_on (a time axis)',
                'source_name': 'publisher of this copy',
                'source_kind': 'media, wire, government or other',
                'original_source_name': 'outlet that first published the story',
                'duplicate_of_id': 'the canonical copy of the same story; null for a canonical copy',
                'story_id': 'id of the canonical copy: count distinct story_id to count each story once',
                'agency_id': 'agencies.id of the agency the figure belongs to',
                'agency_name': 'canonical full name of the agency',
                'agency_level': 'national, provincial, prefectural, county or township',
                'agency_region': 'full region path of the agency; null for national bodies',
                'indicator': 'indicator code from the vocabulary; null where none fits',
                'indicator_label_zh': 'Chinese label of the indicator',
                'indicator_label_en': 'English label of the indicator',
                'indicator_measures': 'money or count',
                'value': 'value in base units (yuan for CNY; 5.2 for 5.2%)',
                'value_max': 'upper bound of a range, else null',
                'unit': 'CNY, another ISO currency code, %, or the measure word (起, 家 …)',
                'qualifier': 'exact, approx, more_than, at_least, less_than, at_most or range',
                'cumulative': 'a running total (累计, 以来): never add it to its own parts',
                'period_start': 'first day of the period the figure covers, if stated',
                'period_end': 'last day of the period (an as-of figure has only this)',
                'period_date': 'period_end, else period_start: the day the figure is as of',
                'period_year': 'year of period_date',
                'period_year_month': 'year and month of period_date as YYYY-MM',
                'raw_text': 'the figure as written',
                'sentence': 'the sentence it was found in (the evidence)',
                'on_topic': 'whether the figure is about medical-insurance supervision',
                'document_on_topic': 'whether the document is about medical-insurance fund supervision'}),
 'v_documents': ('One row per active document with its publisher, story and calendar attributes (no body '
                 'text; see documents.body_text).',
                 {'id': 'documents.id',
                  'title': 'title of the document',
                  'published_on': 'publication date (Beijing time)',
                  'published_at': 'publication time in UTC, when the document gives a time of day',
                  'published_year': 'year of published_on',
                  'published_year_quarter': 'year and quarter of published_on as YYYY-Qn',
                  'published_year_month': 'year and month of published_on as YYYY-MM',
                  'published_month': 'first day of the month of published_on (a time axis)',
                  'source_id': 'sources.id of the publisher of this copy',
                  'source_name': 'publisher of this copy',
                  'source_kind': 'media, wire, government or other',
                  'original_source_id': 'sources.id of the outlet that first published the story',
                  'original_source_name': 'outlet that first published the story',
                  'duplicate_of_id': 'the canonical copy of the same story; null for a canonical copy',
                  'story_id': 'id of the canonical copy: count distinct story_id to count each story once',
                  'doc_number': '发文字号, e.g. 云医保发〔2022〕6号',
                  'index_number': '索引号 of government information-disclosure pages',
                  'url': 'original URL when the file gives one',
                  'format': 'detected file format',
                  'on_topic': 'whether the document is about medical-insurance fund supervision',
                  'source_path': 'path of the file relative to the folder it was loaded from',
                  'authors': "reporters or authors, separated by '; '",
                  'categories': "categories given by the publisher, separated by '; '",
                  'tags': "tags given by the publisher, separated by '; '"})}
FTS_COMMENT = 'Full-text copy of documents.title and body_text for substring search in Chinese (SQLite: FTS5 trigram; PostgreSQL: pg_trgm GIN indexes), kept in sync by triggers.'
FTS_COLUMN_COMMENTS = {'document_id': 'documents.id',
 'title': 'copy of documents.title',
 'body_text': 'copy of documents.body_text'}

V_METRICS = """
CREATE VIEW v_metrics AS
SELECT
    m.id AS metric_id,
    m.document_id AS document_id,
    d.title AS document_title,
    d.published_on AS published_on,
    pd.year AS published_year,
    pd.year_month AS published_year_month,
    pd.month_start AS published_month,
    s.name AS source_name,
    s.kind AS source_kind,
    os.name AS original_source_name,
    d.duplicate_of_id AS duplicate_of_id,
    c.id AS story_id,
    m.agency_id AS agency_id,
    a.name AS agency_name,
    a.level AS agency_level,
    a.region AS agency_region,
    m.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    i.label_en AS indicator_label_en,
    i.measures AS indicator_measures,
    m.value AS value,
    m.value_max AS value_max,
    m.unit AS unit,
    m.qualifier AS qualifier,
    m.cumulative AS cumulative,
    m.period_start AS period_start,
    m.period_end AS period_end,
    pe.date AS period_date,
    pe.year AS period_year,
    pe.year_month AS period_year_month,
    m.raw_text AS raw_text,
    m.sentence AS sentence,
    m.on_topic AS on_topic,
    d.on_topic AS document_on_topic
FROM metrics m
JOIN documents d ON d.id = m.document_id
LEFT JOIN documents c ON c.id = COALESCE(d.duplicate_of_id, d.id)
LEFT JOIN sources s ON s.id = d.source_id
LEFT JOIN sources os ON os.id = d.original_source_id
LEFT JOIN agencies a ON a.id = m.agency_id
LEFT JOIN indicators i ON i.code = m.indicator
LEFT JOIN dim_date pd ON pd.date = d.published_on
LEFT JOIN dim_date pe ON pe.date = COALESCE(m.period_end, m.period_start)
WHERE d.status = 'active'
"""

V_DOCUMENTS = """
CREATE VIEW v_documents AS
SELECT
    d.id AS id,
    d.title AS title,
    d.published_on AS published_on,
    d.published_at AS published_at,
    pd.year AS published_year,
    pd.year_quarter AS published_year_quarter,
    pd.year_month AS published_year_month,
    pd.month_start AS published_month,
    d.source_id AS source_id,
    s.name AS source_name,
    s.kind AS source_kind,
    d.original_source_id AS original_source_id,
    os.name AS original_source_name,
    d.duplicate_of_id AS duplicate_of_id,
    c.id AS story_id,
    d.doc_number AS doc_number,
    d.index_number AS index_number,
    d.url AS url,
    d.format AS format,
    d.on_topic AS on_topic,
    d.source_path AS source_path,
    d.authors AS authors,
    d.categories AS categories,
    d.tags AS tags
FROM documents d
LEFT JOIN documents c ON c.id = COALESCE(d.duplicate_of_id, d.id)
LEFT JOIN sources s ON s.id = d.source_id
LEFT JOIN sources os ON os.id = d.original_source_id
LEFT JOIN dim_date pd ON pd.date = d.published_on
WHERE d.status = 'active'
"""

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE fts_documents USING fts5("
    "document_id UNINDEXED, title, body_text, tokenize = 'trigram')",
    "CREATE TRIGGER fts_documents_ai AFTER INSERT ON documents BEGIN "
    "INSERT INTO fts_documents (rowid, document_id, title, body_text) "
    "VALUES (new.id, new.id, new.title, new.body_text); END",
    "CREATE TRIGGER fts_documents_ad AFTER DELETE ON documents BEGIN "
    "DELETE FROM fts_documents WHERE rowid = old.id; END",
    "CREATE TRIGGER fts_documents_au AFTER UPDATE OF id, title, body_text ON documents BEGIN "
    "DELETE FROM fts_documents WHERE rowid = old.id; "
    "INSERT INTO fts_documents (rowid, document_id, title, body_text) "
    "VALUES (new.id, new.id, new.title, new.body_text); END",
    "INSERT INTO fts_documents (rowid, document_id, title, body_text) "
    "SELECT id, id, title, body_text FROM documents",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS fts_documents_au",
    "DROP TRIGGER IF EXISTS fts_documents_ad",
    "DROP TRIGGER IF EXISTS fts_documents_ai",
    "DROP TABLE IF EXISTS fts_documents",
]

POSTGRES_FTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE fts_documents ("
    "document_id INTEGER NOT NULL CONSTRAINT pk_fts_documents PRIMARY KEY "
    "CONSTRAINT fk_fts_documents_document_id_documents REFERENCES documents (id) ON DELETE CASCADE, "
    "title TEXT, body_text TEXT NOT NULL)",
    "CREATE INDEX ix_fts_documents_title_trgm ON fts_documents USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_fts_documents_body_text_trgm ON fts_documents USING gin (body_text gin_trgm_ops)",
    "CREATE FUNCTION fts_documents_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO fts_documents (document_id, title, body_text) VALUES (NEW.id, NEW.title, NEW.body_text) "
    "ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, body_text = EXCLUDED.body_text; "
    "RETURN NEW; END $$",
    "CREATE TRIGGER fts_documents_sync AFTER INSERT OR UPDATE OF title, body_text ON documents "
    "FOR EACH ROW EXECUTE FUNCTION fts_documents_sync()",
    "INSERT INTO fts_documents (document_id, title, body_text) SELECT id, title, body_text FROM documents",
]
POSTGRES_FTS_DROP = [
    "DROP TRIGGER IF EXISTS fts_documents_sync ON documents",
    "DROP FUNCTION IF EXISTS fts_documents_sync()",
    "DROP TABLE IF EXISTS fts_documents",
]


def _literal(text: str) -> str:
    """A SQL string literal for the fixed comment texts above (COMMENT ON takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _dim_date_rows(first: date, last: date) -> list[dict]:
    rows = []
    day = first
    while day <= last:
        iso = day.isocalendar()
        start = datetime.combine(day, time(0), BEIJING).astimezone(UTC).replace(tzinfo=None)
        rows.append({
            "id": day.year * 10000 + day.month * 100 + day.day, "date": day, "name": day.isoformat(),
            "year": day.year, "quarter": (day.month - 1) // 3 + 1, "month": day.month, "day": day.day,
            "year_quarter": f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}", "year_month": f"{day.year:04d}-{day.month:02d}",
            "month_start": day.replace(day=1), "week_start": day - timedelta(days=iso.weekday - 1),
            "iso_year": iso.year, "iso_week": iso.week, "iso_weekday": iso.weekday,
            "utc_start": start, "utc_end": start + timedelta(days=1),
        })
        day += timedelta(days=1)
    return rows


def _fill_dim_date(bind) -> None:
    """Cover whole years around the dates already loaded, so views work before the next load."""
    found = [v for v in bind.execute(sa.text(
        "SELECT MIN(published_on), MAX(published_on) FROM documents UNION ALL "
        "SELECT MIN(period_start), MAX(period_start) FROM metrics UNION ALL "
        "SELECT MIN(period_end), MAX(period_end) FROM metrics"
    )).all() for v in v if v is not None]
    days = [v if isinstance(v, date) else date.fromisoformat(str(v)[:10]) for v in found]
    days = [d for d in days if 1900 <= d.year <= 2200]
    if not days:
        return
    columns = [c for c in _dim_date_rows(date(2000, 1, 1), date(2000, 1, 1))[0]]
    table = sa.table("dim_date", *[sa.column(c) for c in columns])
    rows = _dim_date_rows(date(min(days).year, 1, 1), date(max(days).year, 12, 31))
    if bind.dialect.name == "postgresql":
        rows = [{**r, "utc_start": r["utc_start"].replace(tzinfo=UTC), "utc_end": r["utc_end"].replace(tzinfo=UTC)}
                for r in rows]
    else:
        rows = [{**r, "utc_start": r["utc_start"].isoformat(sep=" "), "utc_end": r["utc_end"].isoformat(sep=" "),
                 "date": r["date"].isoformat(), "month_start": r["month_start"].isoformat(),
                 "week_start": r["week_start"].isoformat()} for r in rows]
    op.bulk_insert(table, rows)


def upgrade() -> None:
    op.create_table(
        "dim_date",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False, comment="the date as the integer YYYYMMDD"),
        sa.Column("date", sa.Date(), nullable=False, comment="the calendar day (Beijing time)"),
        sa.Column("name", sa.String(length=10), nullable=False, comment="label: the date as YYYY-MM-DD"),
        sa.Column("year", sa.Integer(), nullable=False, comment="calendar year, e.g. 2021"),
        sa.Column("quarter", sa.Integer(), nullable=False, comment="calendar quarter, 1 to 4"),
        sa.Column("month", sa.Integer(), nullable=False, comment="calendar month, 1 to 12"),
        sa.Column("day", sa.Integer(), nullable=False, comment="day of the month, 1 to 31"),
        sa.Column("year_quarter", sa.String(length=7), nullable=False,
                  comment="year and quarter as YYYY-Qn, e.g. 2021-Q4"),
        sa.Column("year_month", sa.String(length=7), nullable=False, comment="year and month as YYYY-MM, e.g. 2021-12"),
        sa.Column("month_start", sa.Date(), nullable=False,
                  comment="first day of the month: a time axis for monthly charts"),
        sa.Column("week_start", sa.Date(), nullable=False, comment="Monday of the ISO week"),
        sa.Column("iso_year", sa.Integer(), nullable=False, comment="ISO 8601 week-numbering year"),
        sa.Column("iso_week", sa.Integer(), nullable=False, comment="ISO 8601 week number, 1 to 53"),
        sa.Column("iso_weekday", sa.Integer(), nullable=False,
                  comment="ISO 8601 day of the week, 1 = Monday … 7 = Sunday"),
        sa.Column("utc_start", sa.DateTime(timezone=True), nullable=False,
                  comment="when this Beijing day begins, in UTC (the previous day 16:00)"),
        sa.Column("utc_end", sa.DateTime(timezone=True), nullable=False,
                  comment="when this Beijing day ends (exclusive), in UTC"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dim_date")),
        sa.UniqueConstraint("date", name=op.f("uq_dim_date_date")),
        comment="Calendar dimension, one row per day: join documents.published_on or a metric's period here "
                "to group by year, quarter, month or week on any database. The load step keeps it covering "
                "whole years around every loaded date.",
    )
    with op.batch_alter_table("dim_date", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dim_date_year"), ["year"], unique=False)
        batch_op.create_index(batch_op.f("ix_dim_date_year_month"), ["year_month"], unique=False)

    bind = op.get_bind()
    _fill_dim_date(bind)
    op.execute(V_METRICS)
    op.execute(V_DOCUMENTS)
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_FTS:
            op.execute(statement)
        for view, (comment, columns) in VIEW_COMMENTS.items():
            op.execute(f"COMMENT ON VIEW {view} IS {_literal(comment)}")
            for column, text in columns.items():
                op.execute(f"COMMENT ON COLUMN {view}.{column} IS {_literal(text)}")
        op.execute(f"COMMENT ON TABLE fts_documents IS {_literal(FTS_COMMENT)}")
        for column, text in FTS_COLUMN_COMMENTS.items():
            op.execute(f"COMMENT ON COLUMN fts_documents.{column} IS {_literal(text)}")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_FTS_DROP:
            op.execute(statement)
        _drop_pg_trgm_if_unused(bind)
    else:
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    op.execute("DROP VIEW IF EXISTS v_documents")
    op.execute("DROP VIEW IF EXISTS v_metrics")
    with op.batch_alter_table("dim_date", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dim_date_year_month"))
        batch_op.drop_index(batch_op.f("ix_dim_date_year"))
    op.drop_table("dim_date")


def _drop_pg_trgm_if_unused(bind) -> None:
    """Drop pg_trgm unless other objects still use it (then DROP fails, and it stays, harmlessly)."""
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("DROP EXTENSION IF EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
    else:
        savepoint.commit()
