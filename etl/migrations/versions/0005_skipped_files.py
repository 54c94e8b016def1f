"""skipped_files: files turned away as not documents, so a re-run passes over them by stat.

Section index pages (front matter, no text) were read, decoded and parsed again on every run, which made a
no-change re-run start the worker pool for nothing. They are now remembered with their size, mtime, hash
and the extractor version, like documents are.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "skipped_files",
        sa.Column("file_path", sa.Text(), nullable=False, comment="absolute path of the file"),
        sa.Column("source_path", sa.Text(), nullable=False,
                  comment="path relative to the folder given on the command line"),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False,
                  comment="size of the file in bytes when it was turned away"),
        sa.Column("file_mtime_ns", sa.BigInteger(), nullable=False, comment="modification time (ns since epoch) then"),
        sa.Column("content_sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the bytes then"),
        sa.Column("extractor_version", sa.String(length=64), nullable=False,
                  comment="version of the code that turned it away"),
        sa.Column("reason", sa.Text(), nullable=False, comment="why it is not a document, in one line"),
        sa.Column("run_id", sa.Integer(), nullable=False,
                  comment="the etl_runs row of the run that last wrote this row (lineage)"),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_skipped_files_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("file_path", name=op.f("pk_skipped_files")),
        comment="Files read and turned away as not documents (section index pages: front matter, no text). A re-run "
                "passes over them by size and mtime, as over unchanged documents, until the file or the code changes.",
    )
    with op.batch_alter_table("skipped_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skipped_files_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("skipped_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skipped_files_run_id"))
    op.drop_table("skipped_files")
