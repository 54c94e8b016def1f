"""Initial schema: sources, documents, agencies, aliases, links, metrics, indicators, runs, failed files.

The indicator vocabulary is reference data and is loaded here from etl/data/indicators.csv.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 23:53:27.820663
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etl.load.vocabulary import indicator_rows

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "etl_runs",
        sa.Column("id", sa.Integer(), nullable=False, comment="run number, increasing"),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), nullable=False, comment="when the run started (UTC)"
        ),
        sa.Column(
            "finished_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="when the run ended (UTC); null while running or if killed",
        ),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="running, succeeded, partial (some files failed), failed, aborted (killed or interrupted)",
        ),
        sa.Column("paths", sa.Text(), nullable=False, comment="the paths the run was given, one per line"),
        sa.Column(
            "extractor_version",
            sa.String(length=64),
            nullable=False,
            comment="version of the extract+transform code",
        ),
        sa.Column("files_seen", sa.Integer(), nullable=False, comment="document files found under the paths"),
        sa.Column("files_new", sa.Integer(), nullable=False, comment="files loaded for the first time"),
        sa.Column(
            "files_changed",
            sa.Integer(),
            nullable=False,
            comment="files whose bytes changed and were reloaded",
        ),
        sa.Column(
            "files_reprocessed",
            sa.Integer(),
            nullable=False,
            comment="unchanged files re-transformed because the extractor changed or --reprocess",
        ),
        sa.Column("files_moved", sa.Integer(), nullable=False, comment="known files found under a new path"),
        sa.Column("files_unchanged", sa.Integer(), nullable=False, comment="files skipped as unchanged"),
        sa.Column("files_failed", sa.Integer(), nullable=False, comment="files recorded in failed_files"),
        sa.Column(
            "files_skipped",
            sa.Integer(),
            nullable=False,
            comment="files passed over: hidden, VCS, excluded, or not documents",
        ),
        sa.Column(
            "files_removed",
            sa.Integer(),
            nullable=False,
            comment="documents whose file is gone from a given folder, marked removed",
        ),
        sa.Column(
            "documents",
            sa.Integer(),
            nullable=False,
            comment="active documents in the database after the run",
        ),
        sa.Column("agencies", sa.Integer(), nullable=False, comment="agencies in the database after the run"),
        sa.Column("metrics", sa.Integer(), nullable=False, comment="metrics in the database after the run"),
        sa.Column("metrics_written", sa.Integer(), nullable=False, comment="metric rows this run inserted"),
        sa.Column("error", sa.Text(), nullable=True, comment="why the run failed or was aborted, one line"),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'partial', 'failed', 'aborted')",
            name=op.f("ck_etl_runs_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_etl_runs")),
        comment="One row per `etl run`: when, what it was given, what it found and what it wrote.",
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column("code", sa.String(length=64), nullable=False, comment="stable code, e.g. funds_recovered"),
        sa.Column("label_zh", sa.String(length=200), nullable=False, comment="Chinese label"),
        sa.Column("label_en", sa.String(length=200), nullable=False, comment="English label"),
        sa.Column("measures", sa.String(length=16), nullable=False, comment="money or count"),
        sa.Column(
            "typical_cues",
            sa.Text(),
            nullable=True,
            comment="words around a figure that signal this indicator, separated by ';'",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
        sa.UniqueConstraint("code", name=op.f("uq_indicators_code")),
        comment="Vocabulary of metric indicators (reference data).",
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column(
            "name",
            sa.String(length=200),
            nullable=False,
            comment="canonical full name: 国家医疗保障局, 北京市公安局, 歙县医疗保障局",
        ),
        sa.Column(
            "level",
            sa.String(length=16),
            nullable=False,
            comment="national, provincial, prefectural, county or township",
        ),
        sa.Column(
            "region",
            sa.String(length=200),
            nullable=True,
            comment="full region path, e.g. 安徽省黄山市歙县; null for national bodies",
        ),
        sa.Column(
            "region_code",
            sa.String(length=6),
            nullable=True,
            comment="six-digit administrative division code of the region",
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.CheckConstraint(
            "level IN ('national', 'provincial', 'prefectural', 'county', 'township')",
            name=op.f("ck_agencies_level"),
        ),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_agencies_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
        comment="Government bodies, each under one canonical name, with level and region.",
    )
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agencies_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_agencies_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_agencies_run_id"), ["run_id"], unique=False)

    op.create_table(
        "failed_files",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column("run_id", sa.Integer(), nullable=False, comment="the run that met the failure"),
        sa.Column("file_path", sa.Text(), nullable=False, comment="absolute path of the file"),
        sa.Column(
            "source_path",
            sa.Text(),
            nullable=False,
            comment="path relative to the folder given on the command line",
        ),
        sa.Column(
            "stage",
            sa.String(length=16),
            nullable=False,
            comment="walk, read, decode, parse, transform or load",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="why, in one line"),
        sa.Column(
            "content_sha256",
            sa.String(length=64),
            nullable=True,
            comment="SHA-256 of the bytes, when they could be read",
        ),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, comment="when (UTC)"),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_failed_files_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_files")),
        comment="Files that could not become documents in a run, and why. The run goes on without them.",
    )
    with op.batch_alter_table("failed_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_failed_files_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_failed_files_run_id"), ["run_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column(
            "name",
            sa.String(length=200),
            nullable=False,
            comment="the outlet or office as it calls itself: 新浪财经, 新华社, 歙县政府办",
        ),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="media, wire, government or other"),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_sources_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
        comment="Publishers: news outlets, wire services and government offices that publish documents.",
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sources_run_id"), ["run_id"], unique=False)

    op.create_table(
        "agency_aliases",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column(
            "agency_id", sa.Integer(), nullable=False, comment="the agency this surface form resolved to"
        ),
        sa.Column(
            "alias",
            sa.String(length=200),
            nullable=False,
            comment="a surface form met in a document: 国家医保局, 市公安局",
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_agency_aliases_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_agency_aliases_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_aliases")),
        sa.UniqueConstraint("agency_id", "alias", name=op.f("uq_agency_aliases_agency_id_alias")),
        comment="Surface forms that documents use for an agency, so a user can see why a mention resolved as it did.",
    )
    with op.batch_alter_table("agency_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_aliases_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_aliases_alias"), ["alias"], unique=False)
        batch_op.create_index(batch_op.f("ix_agency_aliases_run_id"), ["run_id"], unique=False)

    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column(
            "file_path",
            sa.Text(),
            nullable=False,
            comment="absolute path of the file when last loaded: what identifies a document",
        ),
        sa.Column(
            "source_path",
            sa.Text(),
            nullable=False,
            comment="path relative to the folder given on the command line; a file given directly: its name",
        ),
        sa.Column(
            "content_sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the file's raw bytes"
        ),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False, comment="size of the file in bytes"),
        sa.Column(
            "file_mtime_ns",
            sa.BigInteger(),
            nullable=True,
            comment="modification time of the file (ns since epoch), for the fast path",
        ),
        sa.Column(
            "format",
            sa.String(length=32),
            nullable=False,
            comment="detected format: hexo, jekyll, hugo, front_matter, gov_notice, gov_disclosure, markdown, html, text",
        ),
        sa.Column(
            "encoding",
            sa.String(length=32),
            nullable=False,
            comment="detected character encoding of the file",
        ),
        sa.Column("title", sa.Text(), nullable=True, comment="title of the document"),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="publication time in UTC; only when the document gives a time of day",
        ),
        sa.Column(
            "published_offset",
            sa.String(length=8),
            nullable=True,
            comment="UTC offset the publication time was written in, e.g. +08:00",
        ),
        sa.Column(
            "published_on",
            sa.Date(),
            nullable=True,
            comment="publication date in Beijing time, whenever the document gives a date",
        ),
        sa.Column(
            "doc_number", sa.String(length=200), nullable=True, comment="发文字号, e.g. 云医保发〔2022〕6号"
        ),
        sa.Column(
            "index_number",
            sa.String(length=200),
            nullable=True,
            comment="索引号 of government information-disclosure pages",
        ),
        sa.Column("source_id", sa.Integer(), nullable=True, comment="publisher of this copy"),
        sa.Column(
            "original_source_id", sa.Integer(), nullable=True, comment="outlet that first published the story"
        ),
        sa.Column(
            "duplicate_of_id",
            sa.Integer(),
            nullable=True,
            comment="the canonical copy of the same story (earliest published); null for a canonical copy",
        ),
        sa.Column("editor", sa.String(length=200), nullable=True, comment="responsible editor (责任编辑)"),
        sa.Column("authors", sa.Text(), nullable=True, comment="reporters or authors, separated by '; '"),
        sa.Column(
            "categories",
            sa.Text(),
            nullable=True,
            comment="categories given by the publisher, separated by '; '",
        ),
        sa.Column("tags", sa.Text(), nullable=True, comment="tags given by the publisher, separated by '; '"),
        sa.Column("url", sa.Text(), nullable=True, comment="original URL when the file gives one"),
        sa.Column(
            "body_text",
            sa.Text(),
            nullable=False,
            comment="clean readable text of the document, paragraphs kept",
        ),
        sa.Column(
            "on_topic",
            sa.Boolean(),
            nullable=False,
            comment="whether the document is about medical-insurance fund supervision",
        ),
        sa.Column(
            "simhash",
            sa.BigInteger(),
            nullable=True,
            comment="64-bit SimHash of body_text (signed), for near-duplicate detection",
        ),
        sa.Column(
            "extractor_version",
            sa.String(length=64),
            nullable=False,
            comment="version of the code that made this row",
        ),
        sa.Column(
            "status",
            sa.String(length=16),
            nullable=False,
            comment="active, or removed when its file is gone from a folder a run was given",
        ),
        sa.Column(
            "removed_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="when the file was found gone (UTC)",
        ),
        sa.Column(
            "first_run_id", sa.Integer(), nullable=False, comment="the run that first loaded this document"
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.CheckConstraint("status IN ('active', 'removed')", name=op.f("ck_documents_status")),
        sa.CheckConstraint(
            "duplicate_of_id IS NULL OR duplicate_of_id <> id", name=op.f("ck_documents_not_own_duplicate")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["documents.id"],
            name=op.f("fk_documents_duplicate_of_id_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["first_run_id"], ["etl_runs.id"], name=op.f("fk_documents_first_run_id_etl_runs")
        ),
        sa.ForeignKeyConstraint(
            ["original_source_id"],
            ["sources.id"],
            name=op.f("fk_documents_original_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_documents_run_id_etl_runs")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_documents_source_id_sources"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("file_path", name=op.f("uq_documents_file_path")),
        comment="One row per document file: metadata and clean text.",
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_content_sha256"), ["content_sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_duplicate_of_id"), ["duplicate_of_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_first_run_id"), ["first_run_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_documents_original_source_id"), ["original_source_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_documents_published_at"), ["published_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_published_on"), ["published_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_source_path"), ["source_path"], unique=False)

    op.create_table(
        "document_agencies",
        sa.Column("document_id", sa.Integer(), nullable=False, comment="the document"),
        sa.Column("agency_id", sa.Integer(), nullable=False, comment="the agency it names"),
        sa.Column("role", sa.String(length=16), nullable=False, comment="issuer, publisher or mentioned"),
        sa.Column(
            "mention_count", sa.Integer(), nullable=False, comment="how many times the document names it"
        ),
        sa.Column(
            "aliases",
            sa.Text(),
            nullable=True,
            comment="surface forms used in this document, separated by '; '",
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_document_agencies_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_document_agencies_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["etl_runs.id"], name=op.f("fk_document_agencies_run_id_etl_runs")
        ),
        sa.PrimaryKeyConstraint("document_id", "agency_id", "role", name=op.f("pk_document_agencies")),
        comment="Which agencies each document names, and in what role.",
    )
    with op.batch_alter_table("document_agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_agencies_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_agencies_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_agencies_run_id"), ["run_id"], unique=False)

    op.create_table(
        "metrics",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column(
            "document_id", sa.Integer(), nullable=False, comment="the document the figure was reported in"
        ),
        sa.Column(
            "agency_id",
            sa.Integer(),
            nullable=True,
            comment="the agency the figure belongs to (subject of its clause, else the document's main agency)",
        ),
        sa.Column(
            "indicator",
            sa.String(length=64),
            nullable=True,
            comment="indicator code from the vocabulary; null where none fits",
        ),
        sa.Column(
            "value",
            sa.Numeric(precision=24, scale=6),
            nullable=False,
            comment="value in base units (yuan for CNY; 5.2 for 5.2%)",
        ),
        sa.Column(
            "value_max",
            sa.Numeric(precision=24, scale=6),
            nullable=True,
            comment="upper bound of a range, else null",
        ),
        sa.Column(
            "unit",
            sa.String(length=16),
            nullable=False,
            comment="CNY, another ISO currency code, %, or the measure word (起, 家 …)",
        ),
        sa.Column(
            "qualifier",
            sa.String(length=16),
            nullable=False,
            comment="exact, approx, more_than, at_least, less_than, at_most or range",
        ),
        sa.Column("raw_text", sa.Text(), nullable=False, comment="the figure as written"),
        sa.Column("sentence", sa.Text(), nullable=False, comment="the sentence it was found in"),
        sa.Column(
            "char_start",
            sa.Integer(),
            nullable=True,
            comment="offset of raw_text in documents.body_text; null if only in the title",
        ),
        sa.Column(
            "char_end", sa.Integer(), nullable=True, comment="end offset of raw_text in documents.body_text"
        ),
        sa.Column(
            "period_start",
            sa.Date(),
            nullable=True,
            comment="first day of the period the figure covers, if stated",
        ),
        sa.Column(
            "period_end",
            sa.Date(),
            nullable=True,
            comment="last day of the period (an as-of figure has only this)",
        ),
        sa.Column(
            "cumulative",
            sa.Boolean(),
            nullable=False,
            comment="a running total (累计, 以来): do not add it to its own parts",
        ),
        sa.Column(
            "on_topic",
            sa.Boolean(),
            nullable=False,
            comment="whether the figure is about medical-insurance supervision",
        ),
        sa.Column(
            "run_id",
            sa.Integer(),
            nullable=False,
            comment="the etl_runs row of the run that last wrote this row (lineage)",
        ),
        sa.CheckConstraint(
            "qualifier IN ('exact', 'approx', 'more_than', 'at_least', 'less_than', 'at_most', 'range')",
            name=op.f("ck_metrics_qualifier"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_metrics_agency_id_agencies"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_metrics_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator"], ["indicators.code"], name=op.f("fk_metrics_indicator_indicators")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_metrics_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics")),
        comment="One row per distinct reported figure in a document, with its evidence.",
    )
    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metrics_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_metrics_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_metrics_indicator"), ["indicator"], unique=False)
        batch_op.create_index("ix_metrics_indicator_period", ["indicator", "period_end"], unique=False)
        batch_op.create_index(batch_op.f("ix_metrics_period_end"), ["period_end"], unique=False)
        batch_op.create_index(batch_op.f("ix_metrics_period_start"), ["period_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_metrics_run_id"), ["run_id"], unique=False)

    indicators = sa.table(
        "indicators",
        sa.column("code", sa.String),
        sa.column("label_zh", sa.String),
        sa.column("label_en", sa.String),
        sa.column("measures", sa.String),
        sa.column("typical_cues", sa.Text),
    )
    op.bulk_insert(indicators, indicator_rows())


def downgrade() -> None:

    with op.batch_alter_table("metrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metrics_run_id"))
        batch_op.drop_index(batch_op.f("ix_metrics_period_start"))
        batch_op.drop_index(batch_op.f("ix_metrics_period_end"))
        batch_op.drop_index("ix_metrics_indicator_period")
        batch_op.drop_index(batch_op.f("ix_metrics_indicator"))
        batch_op.drop_index(batch_op.f("ix_metrics_document_id"))
        batch_op.drop_index(batch_op.f("ix_metrics_agency_id"))

    op.drop_table("metrics")
    with op.batch_alter_table("document_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_agencies_run_id"))
        batch_op.drop_index(batch_op.f("ix_document_agencies_document_id"))
        batch_op.drop_index(batch_op.f("ix_document_agencies_agency_id"))

    op.drop_table("document_agencies")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_source_path"))
        batch_op.drop_index(batch_op.f("ix_documents_source_id"))
        batch_op.drop_index(batch_op.f("ix_documents_run_id"))
        batch_op.drop_index(batch_op.f("ix_documents_published_on"))
        batch_op.drop_index(batch_op.f("ix_documents_published_at"))
        batch_op.drop_index(batch_op.f("ix_documents_original_source_id"))
        batch_op.drop_index(batch_op.f("ix_documents_first_run_id"))
        batch_op.drop_index(batch_op.f("ix_documents_duplicate_of_id"))
        batch_op.drop_index(batch_op.f("ix_documents_content_sha256"))

    op.drop_table("documents")
    with op.batch_alter_table("agency_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_aliases_run_id"))
        batch_op.drop_index(batch_op.f("ix_agency_aliases_alias"))
        batch_op.drop_index(batch_op.f("ix_agency_aliases_agency_id"))

    op.drop_table("agency_aliases")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sources_run_id"))

    op.drop_table("sources")
    with op.batch_alter_table("failed_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_failed_files_run_id"))
        batch_op.drop_index(batch_op.f("ix_failed_files_failed_at"))

    op.drop_table("failed_files")
    with op.batch_alter_table("agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agencies_run_id"))
        batch_op.drop_index(batch_op.f("ix_agencies_region"))
        batch_op.drop_index(batch_op.f("ix_agencies_level"))

    op.drop_table("agencies")
    op.drop_table("indicators")
    op.drop_table("etl_runs")
