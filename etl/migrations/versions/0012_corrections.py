"""Corrections that survive re-runs, and what the review queue needs.

Two tables: `corrections` (the corrections folder as the last run found it, with each one's status) and
`correction_documents` (which corrections each document's rows reflect). Columns: on metrics, how the agency
was chosen (`agency_basis`) and whether a correction changed the row (`corrected`, `extracted_values` with
the extractor's own values); on documents, `corrected`, `extracted_values` and `unresolved_agencies`; on
etl_runs, the corrections version each run applied and its counts.

Every new column is nullable or has a constant default and no constraint, so it is added in place (ALTER
TABLE … ADD COLUMN) on both databases: no table is rebuilt and no existing row rewritten.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTRACTED = "JSON: what the extractor gave for the fields corrections changed; null when none did"


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False, comment="surrogate key"),
        sa.Column("key", sa.String(length=64), nullable=False,
                  comment="SHA-256 of what the correction says (kind, target, values): editing it makes a new one"),
        sa.Column("kind", sa.String(length=32), nullable=False,
                  comment="suppress_metric, set_metric, set_document, agency_alias, merge_agencies, link_duplicate, "
                          "unlink_duplicate or accept"),
        sa.Column("file", sa.Text(), nullable=False,
                  comment="the file it is written in, relative to the corrections folder"),
        sa.Column("line", sa.Integer(), nullable=False, comment="the line it starts on"),
        sa.Column("target", sa.Text(), nullable=False, comment="what it corrects, in words"),
        sa.Column("spec", sa.Text(), nullable=False, comment="the correction as JSON"),
        sa.Column("status", sa.String(length=16), nullable=False,
                  comment="applied; orphaned (its target no longer exists); pending (its document has not been "
                          "re-read since); withdrawn (gone from the folder, documents not yet re-read)"),
        sa.Column("detail", sa.Text(), nullable=True, comment="why it is orphaned or pending, in one line"),
        sa.Column("documents", sa.Integer(), nullable=False, comment="documents it applies to"),
        sa.Column("first_run_id", sa.Integer(), nullable=False, comment="the run that first met it"),
        sa.Column("run_id", sa.Integer(), nullable=False,
                  comment="the etl_runs row of the run that last wrote this row (lineage)"),
        sa.CheckConstraint("status IN ('pending', 'applied', 'orphaned', 'withdrawn')",
                           name=op.f("ck_corrections_status")),
        sa.ForeignKeyConstraint(["first_run_id"], ["etl_runs.id"], name=op.f("fk_corrections_first_run_id_etl_runs")),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_corrections_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
        sa.UniqueConstraint("key", name=op.f("uq_corrections_key")),
        comment="Corrections from the corrections folder (YAML files under version control), as the last run "
                "found them: applied after the transform, before the load, on every run.",
    )
    op.create_index(op.f("ix_corrections_first_run_id"), "corrections", ["first_run_id"], unique=False)
    op.create_index(op.f("ix_corrections_run_id"), "corrections", ["run_id"], unique=False)

    op.create_table(
        "correction_documents",
        sa.Column("correction_id", sa.Integer(), nullable=False, comment="the correction"),
        sa.Column("document_id", sa.Integer(), nullable=False,
                  comment="a document it was applied to when that document was last transformed"),
        sa.Column("outcome", sa.String(length=16), nullable=False,
                  comment="applied, or orphaned (the document no longer has the figure it names)"),
        sa.Column("detail", sa.Text(), nullable=True, comment="what it changed, or why it could not"),
        sa.Column("run_id", sa.Integer(), nullable=False,
                  comment="the etl_runs row of the run that last wrote this row (lineage)"),
        sa.ForeignKeyConstraint(["correction_id"], ["corrections.id"], ondelete="CASCADE",
                                name=op.f("fk_correction_documents_correction_id_corrections")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_correction_documents_document_id_documents")),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_correction_documents_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("correction_id", "document_id", name=op.f("pk_correction_documents")),
        comment="Which corrections each document's rows reflect (lineage), and which no longer fit it.",
    )
    op.create_index(op.f("ix_correction_documents_document_id"), "correction_documents", ["document_id"],
                    unique=False)
    op.create_index(op.f("ix_correction_documents_run_id"), "correction_documents", ["run_id"], unique=False)

    for table, column in _new_columns():
        op.add_column(table, column)  # ALTER TABLE … ADD COLUMN on both databases: no table is rebuilt


def _new_columns() -> list[tuple[str, sa.Column]]:
    """The columns 0012 adds, made afresh on each call (a Column belongs to one table once added)."""
    return [
        ("etl_runs", sa.Column("corrections_sha256", sa.String(length=64), nullable=True,
                               comment="version of the corrections folder the run applied (SHA-256 of its files); "
                                       "null: none")),
        ("etl_runs", sa.Column("corrections_applied", sa.Integer(), nullable=False, server_default="0",
                               comment="corrections that hold after the run")),
        ("etl_runs", sa.Column("corrections_orphaned", sa.Integer(), nullable=False, server_default="0",
                               comment="corrections whose target no longer exists after the run (see the "
                                       "corrections table)")),
        ("etl_runs", sa.Column("corrections_pending", sa.Integer(), nullable=False, server_default="0",
                               comment="corrections whose document no run has re-read since they were written")),
        ("documents", sa.Column("corrected", sa.Boolean(), nullable=False, server_default="0",
                                comment="a correction changed this row (see extracted_values and "
                                        "correction_documents)")),
        ("documents", sa.Column("extracted_values", sa.Text(), nullable=True, comment=EXTRACTED)),
        ("documents", sa.Column("unresolved_agencies", sa.Text(), nullable=True,
                                comment="agency mentions the transform could not place (市医保局 with no place "
                                        "named), separated by '; '")),
        ("metrics", sa.Column("agency_basis", sa.String(length=16), nullable=True,
                              comment="how agency_id was chosen: sentence (the subject of the figure's clause), "
                                      "issuer, publisher or most_named (the document's main body: a fallback), "
                                      "correction, none")),
        ("metrics", sa.Column("corrected", sa.Boolean(), nullable=False, server_default="0",
                              comment="a correction changed this figure (see extracted_values, and "
                                      "correction_documents for which)")),
        ("metrics", sa.Column("extracted_values", sa.Text(), nullable=True, comment=EXTRACTED)),
    ]


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in reversed(_new_columns()):
        if sqlite:  # 3.35+ drops a column in place; a batch rebuild would fail on the views over the table and
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")  # lose the search index's triggers
        else:
            op.drop_column(table, column.name)
    op.drop_table("correction_documents")
    op.drop_table("corrections")
