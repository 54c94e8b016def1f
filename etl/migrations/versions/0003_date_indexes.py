"""Index every remaining date column (run times, removal time, dim_date's time axes).

BI tools filter and group on these; the schema rule is an index on every foreign key and date column.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "etl_runs": ("started_at", "finished_at"),
    "documents": ("removed_at",),
    "dim_date": ("month_start", "week_start", "utc_start", "utc_end"),
}


def upgrade() -> None:
    for table, columns in INDEXES.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.create_index(f"ix_{table}_{column}", [column], unique=False)


def downgrade() -> None:
    for table, columns in INDEXES.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_index(f"ix_{table}_{column}")
