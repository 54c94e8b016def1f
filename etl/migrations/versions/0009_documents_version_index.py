"""An index on documents.extractor_version, so a run can tell which stored documents are stale without
reading their rows.

A re-run's planner asks, for every file it walks, whether the stored document is current: made by this
extractor version and active. Both columns sit after body_text in the row, so on SQLite that question walked
every body's overflow pages (1.8 GB at 30x, read from disk when the page cache is cold, as in a nightly
job). With this index and 0007's (status, simhash, id), the few stale documents are found from the indexes
alone, and the per-file lookup reads only the columns before the body.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.create_index("ix_documents_extractor_version", ["extractor_version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_extractor_version")
