"""pending_steps: the steps after a load (linking copies, dim_date) that a stopped run left undone.

A run stopped between its load and those steps left links missing for good: the next run found every file
unchanged and did nothing. Now the first batch that changes documents records the steps here in its own
transaction, the run deletes them when done, and a run that finds rows does the steps (etl.load.pending).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_steps",
        sa.Column("step", sa.String(length=32), nullable=False,
                  comment="link_duplicates or dim_date: a step that runs after the load"),
        sa.Column("run_id", sa.Integer(), nullable=False, comment="the run whose load made the step necessary"),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False, comment="when it was recorded (UTC)"),
        sa.ForeignKeyConstraint(["run_id"], ["etl_runs.id"], name=op.f("fk_pending_steps_run_id_etl_runs")),
        sa.PrimaryKeyConstraint("step", name=op.f("pk_pending_steps")),
        comment="Steps a run must finish after its load; a row left here was not finished (the run was "
                "stopped), and the next run does it. Empty between runs.",
    )
    op.create_index(op.f("ix_pending_steps_run_id"), "pending_steps", ["run_id"], unique=False)
    op.create_index(op.f("ix_pending_steps_since"), "pending_steps", ["since"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_steps_since"), table_name="pending_steps")
    op.drop_index(op.f("ix_pending_steps_run_id"), table_name="pending_steps")
    op.drop_table("pending_steps")
