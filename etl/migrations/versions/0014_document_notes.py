"""documents.notes: what the extract left out of a document or repaired in it, so that nothing is lost silently.

A date outside 1900 … tomorrow (Hugo's zero date 0001-01-01, a typo'd 2999) is dropped and said here; a
text whose code page was repaired says so here. One nullable column, added in place on both databases.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTES = "what the extract dropped or repaired in this document (a date out of range …), '; '-separated; else null"


def upgrade() -> None:
    op.add_column("documents", sa.Column("notes", sa.Text(), nullable=True, comment=NOTES))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # in place: a batch rebuild would lose the views and triggers
        op.execute("ALTER TABLE documents DROP COLUMN notes")
    else:
        op.drop_column("documents", "notes")
