"""The relational schema as SQLAlchemy Core tables: the model that the Alembic migrations must agree with.

Core tables (not ORM classes) because the loader writes in bulk with executemany; nothing here holds state.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import TypeDecorator

from etl.constants import LEVELS, QUALIFIERS

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

SQLITE_UTC_FORMAT = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp stored in UTC.

    PostgreSQL gets TIMESTAMP WITH TIME ZONE; SQLite gets ISO text 'YYYY-MM-DD HH:MM:SS' in UTC, so both
    databases hold the same values (CONTRACT.md). Values read back are aware datetimes in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sqlite.DATETIME(storage_format=SQLITE_UTC_FORMAT))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(UTC).replace(microsecond=0)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


RUN_STATUSES = ("running", "succeeded", "partial", "failed", "aborted")
VALUE = Numeric(24, 6, asdecimal=True)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def run_fk(comment: str = "the etl_runs row of the run that last wrote this row (lineage)") -> Column:
    return Column("run_id", Integer, ForeignKey("etl_runs.id"), nullable=False, index=True, comment=comment)


etl_runs = Table(
    "etl_runs",
    metadata,
    Column("id", Integer, primary_key=True, comment="run number, increasing"),
    Column("started_at", UTCDateTime, nullable=False, index=True, comment="when the run started (UTC)"),
    Column("finished_at", UTCDateTime, index=True, comment="when the run ended (UTC); null while running or if killed"),
    Column("status", String(16), nullable=False,
           comment="running, succeeded, partial (some files failed), failed, aborted (killed or interrupted)"),
    Column("paths", Text, nullable=False, comment="the paths the run was given, one per line"),
    Column("extractor_version", String(64), nullable=False, comment="version of the extract+transform code"),
    Column("files_seen", Integer, nullable=False, default=0, comment="document files found under the paths"),
    Column("files_new", Integer, nullable=False, default=0, comment="files loaded for the first time"),
    Column("files_changed", Integer, nullable=False, default=0, comment="files whose bytes changed and were reloaded"),
    Column("files_reprocessed", Integer, nullable=False, default=0,
           comment="unchanged files re-transformed because the extractor changed or --reprocess"),
    Column("files_moved", Integer, nullable=False, default=0, comment="known files found under a new path"),
    Column("files_unchanged", Integer, nullable=False, default=0, comment="files skipped as unchanged"),
    Column("files_failed", Integer, nullable=False, default=0, comment="files recorded in failed_files"),
    Column("files_skipped", Integer, nullable=False, default=0,
           comment="files passed over: hidden, VCS, excluded, or not documents"),
    Column("files_removed", Integer, nullable=False, default=0,
           comment="documents whose file is gone from a given folder, marked removed"),
    Column("documents", Integer, nullable=False, default=0, comment="active documents in the database after the run"),
    Column("agencies", Integer, nullable=False, default=0, comment="agencies in the database after the run"),
    Column("metrics", Integer, nullable=False, default=0, comment="metrics in the database after the run"),
    Column("metrics_written", Integer, nullable=False, default=0, comment="metric rows this run inserted"),
    Column("error", Text, comment="why the run failed or was aborted, one line"),
    # corrections (migration 0012)
    Column("corrections_sha256", String(64),
           comment="version of the corrections folder the run applied (SHA-256 of its files); null: none"),
    Column("corrections_applied", Integer, nullable=False, default=0, server_default="0",
           comment="corrections that hold after the run"),
    Column("corrections_orphaned", Integer, nullable=False, default=0, server_default="0",
           comment="corrections whose target no longer exists after the run (see the corrections table)"),
    Column("corrections_pending", Integer, nullable=False, default=0, server_default="0",
           comment="corrections whose document no run has re-read since they were written"),
    CheckConstraint(_in("status", RUN_STATUSES), name="status"),
    comment="One row per `etl run`: when, what it was given, what it found and what it wrote.",
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("name", String(200), nullable=False, unique=True,
           comment="the outlet or office as it calls itself: 新浪财经, 新华社, 歙县政府办"),
    Column("kind", String(16), nullable=False, comment="media, wire, government or other"),
    run_fk(),
    comment="Publishers: news outlets, wire services and government offices that publish documents.",
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("file_path", Text, nullable=False, unique=True,
           comment="absolute path of the file when last loaded: what identifies a document"),
    Column("source_path", Text, nullable=False, index=True,
           comment="path relative to the folder given on the command line; a file given directly: its name"),
    Column("content_sha256", String(64), nullable=False, index=True, comment="SHA-256 of the file's raw bytes"),
    Column("size_bytes", BigInteger, nullable=False, comment="size of the file in bytes"),
    Column("file_mtime_ns", BigInteger, comment="modification time of the file (ns since epoch), for the fast path"),
    Column("format", String(32), nullable=False,
           comment="detected format: hexo, jekyll, hugo, front_matter, gov_notice, gov_disclosure, markdown, html, text"),
    Column("encoding", String(32), nullable=False, comment="detected character encoding of the file"),
    Column("title", Text, comment="title of the document"),
    Column("published_at", UTCDateTime, index=True,
           comment="publication time in UTC; only when the document gives a time of day"),
    Column("published_offset", String(8), comment="UTC offset the publication time was written in, e.g. +08:00"),
    Column("published_on", Date, index=True,
           comment="publication date in Beijing time, whenever the document gives a date"),
    Column("doc_number", String(200), comment="发文字号, e.g. 云医保发〔2022〕6号"),
    Column("index_number", String(200), comment="索引号 of government information-disclosure pages"),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL"), index=True,
           comment="publisher of this copy"),
    Column("original_source_id", Integer, ForeignKey("sources.id", ondelete="SET NULL"), index=True,
           comment="outlet that first published the story"),
    Column("duplicate_of_id", Integer, ForeignKey("documents.id", ondelete="SET NULL"), index=True,
           comment="the canonical copy of the same story (earliest published); null for a canonical copy"),
    Column("editor", String(200), comment="responsible editor (责任编辑)"),
    Column("authors", Text, comment="reporters or authors, separated by '; '"),
    Column("categories", Text, comment="categories given by the publisher, separated by '; '"),
    Column("tags", Text, comment="tags given by the publisher, separated by '; '"),
    Column("url", Text, comment="original URL when the file gives one"),
    Column("body_text", Text, nullable=False, comment="clean readable text of the document, paragraphs kept"),
    Column("on_topic", Boolean, nullable=False, default=False,
           comment="whether the document is about medical-insurance fund supervision"),
    Column("simhash", BigInteger, comment="64-bit SimHash of body_text (signed), for near-duplicate detection"),
    Column("extractor_version", String(64), nullable=False, index=True,
           comment="version of the code that made this row"),
    Column("status", String(16), nullable=False, default="active",
           comment="active, or removed when its file is gone from a folder a run was given"),
    Column("removed_at", UTCDateTime, index=True, comment="when the file was found gone (UTC)"),
    Column("first_run_id", Integer, ForeignKey("etl_runs.id"), nullable=False, index=True,
           comment="the run that first loaded this document"),
    # corrections and the review queue (migration 0012)
    Column("corrected", Boolean, nullable=False, default=False, server_default="0",
           comment="a correction changed this row (see extracted_values and correction_documents)"),
    Column("extracted_values", Text,
           comment="JSON: what the extractor gave for the fields corrections changed; null when none did"),
    Column("unresolved_agencies", Text,
           comment="agency mentions the transform could not place (市医保局 with no place named), separated by '; '"),
    # input reliability (migration 0014)
    Column("notes", Text,
           comment="what the extract dropped or repaired in this document (a date out of range …), '; '-separated; "
                   "else null"),
    run_fk(),
    CheckConstraint("status IN ('active', 'removed')", name="status"),
    CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id <> id", name="not_own_duplicate"),
    # Covers the duplicate linker's read of every active fingerprint: without it SQLite walks each row's
    # body_text overflow pages to reach simhash and status (migration 0007).
    Index("ix_documents_status_simhash", "status", "simhash", "id"),
    comment="One row per document file: metadata and clean text.",
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("name", String(200), nullable=False, unique=True,
           comment="canonical full name: 国家医疗保障局, 北京市公安局, 歙县医疗保障局"),
    Column("level", String(16), nullable=False, index=True,
           comment="national, provincial, prefectural, county or township"),
    Column("region", String(200), index=True, comment="full region path, e.g. 安徽省黄山市歙县; null for national bodies"),
    Column("region_code", String(6), comment="six-digit administrative division code of the region"),
    run_fk(),
    CheckConstraint(_in("level", LEVELS), name="level"),
    comment="Government bodies, each under one canonical name, with level and region.",
)

agency_aliases = Table(
    "agency_aliases",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False, index=True,
           comment="the agency this surface form resolved to"),
    Column("alias", String(200), nullable=False, index=True, comment="a surface form met in a document: 国家医保局, 市公安局"),
    run_fk(),
    UniqueConstraint("agency_id", "alias"),
    comment="Surface forms that documents use for an agency, so a user can see why a mention resolved as it did.",
)

document_agencies = Table(
    "document_agencies",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True,
           comment="the document"),
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False, index=True,
           comment="the agency it names"),
    Column("role", String(16), nullable=False, comment="issuer, publisher or mentioned"),
    Column("mention_count", Integer, nullable=False, default=1, comment="how many times the document names it"),
    Column("aliases", Text, comment="surface forms used in this document, separated by '; '"),
    run_fk(),
    PrimaryKeyConstraint("document_id", "agency_id", "role"),
    comment="Which agencies each document names, and in what role.",
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("code", String(64), nullable=False, unique=True, comment="stable code, e.g. funds_recovered"),
    Column("label_zh", String(200), nullable=False, comment="Chinese label"),
    Column("label_en", String(200), nullable=False, comment="English label"),
    Column("measures", String(16), nullable=False, comment="money or count"),
    Column("typical_cues", Text, comment="words around a figure that signal this indicator, separated by ';'"),
    comment="Vocabulary of metric indicators (reference data).",
)

metrics = Table(
    "metrics",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True,
           comment="the document the figure was reported in"),
    Column("agency_id", Integer, ForeignKey("agencies.id", ondelete="SET NULL"), index=True,
           comment="the agency the figure belongs to (subject of its clause, else the document's main agency)"),
    Column("indicator", String(64), ForeignKey("indicators.code"), index=True,
           comment="indicator code from the vocabulary; null where none fits"),
    Column("value", VALUE, nullable=False, comment="value in base units (yuan for CNY; 5.2 for 5.2%)"),
    Column("value_max", VALUE, comment="upper bound of a range, else null"),
    Column("unit", String(16), nullable=False, comment="CNY, another ISO currency code, %, or the measure word (起, 家 …)"),
    Column("qualifier", String(16), nullable=False,
           comment="exact, approx, more_than, at_least, less_than, at_most or range"),
    Column("raw_text", Text, nullable=False, comment="the figure as written"),
    Column("sentence", Text, nullable=False, comment="the sentence it was found in"),
    Column("char_start", Integer, comment="offset of raw_text in documents.body_text; null if only in the title"),
    Column("char_end", Integer, comment="end offset of raw_text in documents.body_text"),
    Column("period_start", Date, index=True, comment="first day of the period the figure covers, if stated"),
    Column("period_end", Date, index=True, comment="last day of the period (an as-of figure has only this)"),
    Column("period_kind", String(16),
           comment="year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case: what "
                   "kind of period period_start … period_end is"),
    Column("cumulative", Boolean, nullable=False, default=False,
           comment="a running total (累计, 以来): do not add it to its own parts"),
    Column("on_topic", Boolean, nullable=False, comment="whether the figure is about medical-insurance supervision"),
    # corrections and the review queue (migration 0012)
    Column("agency_basis", String(16),
           comment="how agency_id was chosen: sentence (the subject of the figure's clause), issuer, publisher or "
                   "most_named (the document's main body: a fallback), correction, none"),
    Column("corrected", Boolean, nullable=False, default=False, server_default="0",
           comment="a correction changed this figure (see extracted_values, and correction_documents for which)"),
    Column("extracted_values", Text,
           comment="JSON: what the extractor gave for the fields corrections changed; null when none did"),
    run_fk(),
    CheckConstraint(_in("qualifier", QUALIFIERS), name="qualifier"),
    comment="One row per distinct reported figure in a document, with its evidence.",
)

failed_files = Table(
    "failed_files",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("run_id", Integer, ForeignKey("etl_runs.id"), nullable=False, index=True, comment="the run that met the failure"),
    Column("file_path", Text, nullable=False, comment="absolute path of the file"),
    Column("source_path", Text, nullable=False, comment="path relative to the folder given on the command line"),
    Column("stage", String(16), nullable=False, comment="walk, read, decode, parse, transform or load"),
    Column("reason", Text, nullable=False, comment="why, in one line"),
    Column("content_sha256", String(64), comment="SHA-256 of the bytes, when they could be read"),
    Column("failed_at", UTCDateTime, nullable=False, index=True, comment="when (UTC)"),
    comment="Files that could not become documents in a run, and why. The run goes on without them.",
)

pending_steps = Table(
    "pending_steps",
    metadata,
    Column("step", String(32), primary_key=True, comment="link_duplicates or dim_date: a step that runs after the load"),
    Column("run_id", Integer, ForeignKey("etl_runs.id"), nullable=False, index=True,
           comment="the run whose load made the step necessary"),
    Column("since", UTCDateTime, nullable=False, index=True, comment="when it was recorded (UTC)"),
    comment="Steps a run must finish after its load; a row left here was not finished (the run was stopped), "
            "and the next run does it. Empty between runs.",
)

skipped_files = Table(
    "skipped_files",
    metadata,
    Column("file_path", Text, primary_key=True, comment="absolute path of the file"),
    Column("source_path", Text, nullable=False, comment="path relative to the folder given on the command line"),
    Column("size_bytes", BigInteger, nullable=False, comment="size of the file in bytes when it was turned away"),
    Column("file_mtime_ns", BigInteger, nullable=False, comment="modification time (ns since epoch) then"),
    Column("content_sha256", String(64), nullable=False, comment="SHA-256 of the bytes then"),
    Column("extractor_version", String(64), nullable=False, comment="version of the code that turned it away"),
    Column("reason", Text, nullable=False, comment="why it is not a document, in one line"),
    run_fk(),
    comment="Files read and turned away as not documents (section index pages: front matter, no text). A re-run "
            "passes over them by size and mtime, as over unchanged documents, until the file or the code changes.",
)

Index("ix_metrics_indicator_period", metrics.c.indicator, metrics.c.period_end)

dim_date = Table(
    "dim_date",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False, comment="the date as the integer YYYYMMDD"),
    Column("date", Date, nullable=False, unique=True, comment="the calendar day (Beijing time)"),
    Column("name", String(10), nullable=False, comment="label: the date as YYYY-MM-DD"),
    Column("year", Integer, nullable=False, index=True, comment="calendar year, e.g. 2021"),
    Column("quarter", Integer, nullable=False, comment="calendar quarter, 1 to 4"),
    Column("month", Integer, nullable=False, comment="calendar month, 1 to 12"),
    Column("day", Integer, nullable=False, comment="day of the month, 1 to 31"),
    Column("year_quarter", String(7), nullable=False, comment="year and quarter as YYYY-Qn, e.g. 2021-Q4"),
    Column("year_month", String(7), nullable=False, index=True, comment="year and month as YYYY-MM, e.g. 2021-12"),
    Column("month_start", Date, nullable=False, index=True, comment="first day of the month: a time axis for monthly charts"),
    Column("week_start", Date, nullable=False, index=True, comment="Monday of the ISO week"),
    Column("iso_year", Integer, nullable=False, comment="ISO 8601 week-numbering year"),
    Column("iso_week", Integer, nullable=False, comment="ISO 8601 week number, 1 to 53"),
    Column("iso_weekday", Integer, nullable=False, comment="ISO 8601 day of the week, 1 = Monday … 7 = Sunday"),
    Column("utc_start", UTCDateTime, nullable=False, index=True,
           comment="when this Beijing day begins, in UTC (the previous day 16:00)"),
    Column("utc_end", UTCDateTime, nullable=False, index=True, comment="when this Beijing day ends (exclusive), in UTC"),
    comment="Calendar dimension, one row per day: join documents.published_on or a metric's period here "
            "to group by year, quarter, month or week on any database. The load step keeps it covering "
            "whole years around every loaded date.",
)

CORRECTION_STATUSES = ("pending", "applied", "orphaned", "withdrawn")

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True, comment="surrogate key"),
    Column("key", String(64), nullable=False, unique=True,
           comment="SHA-256 of what the correction says (kind, target, values): editing it makes a new one"),
    Column("kind", String(32), nullable=False,
           comment="suppress_metric, set_metric, set_document, agency_alias, merge_agencies, link_duplicate, "
                   "unlink_duplicate or accept"),
    Column("file", Text, nullable=False, comment="the file it is written in, relative to the corrections folder"),
    Column("line", Integer, nullable=False, comment="the line it starts on"),
    Column("target", Text, nullable=False, comment="what it corrects, in words"),
    Column("spec", Text, nullable=False, comment="the correction as JSON"),
    Column("status", String(16), nullable=False,
           comment="applied; orphaned (its target no longer exists); pending (its document has not been re-read "
                   "since); withdrawn (gone from the folder, documents not yet re-read)"),
    Column("detail", Text, comment="why it is orphaned or pending, in one line"),
    Column("documents", Integer, nullable=False, default=0, comment="documents it applies to"),
    Column("first_run_id", Integer, ForeignKey("etl_runs.id"), nullable=False, index=True,
           comment="the run that first met it"),
    run_fk(),
    CheckConstraint(_in("status", CORRECTION_STATUSES), name="status"),
    comment="Corrections from the corrections folder (YAML files under version control), as the last run found "
            "them: applied after the transform, before the load, on every run.",
)

correction_documents = Table(
    "correction_documents",
    metadata,
    Column("correction_id", Integer, ForeignKey("corrections.id", ondelete="CASCADE"), nullable=False,
           comment="the correction"),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True,
           comment="a document it was applied to when that document was last transformed"),
    Column("outcome", String(16), nullable=False,
           comment="applied, or orphaned (the document no longer has the figure it names)"),
    Column("detail", Text, comment="what it changed, or why it could not"),
    run_fk(),
    PrimaryKeyConstraint("correction_id", "document_id"),
    comment="Which corrections each document's rows reflect (lineage), and which no longer fit it.",
)
