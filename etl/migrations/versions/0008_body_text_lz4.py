"""PostgreSQL: documents.body_text compressed with LZ4 instead of pglz, where the server has LZ4.

Every body longer than about 2 KB is compressed as it is stored (TOAST). With the default pglz that is most
of the server's work in a load: COPY of laws/'s 3,500 bodies (20 M characters) takes 1.9 s with pglz and
0.7 s with LZ4, for 29 MB on disk instead of 26 MB. Only values written from now on use LZ4; stored rows stay
as they are, both read back the same. PostgreSQL 14+ built with LZ4 (as Debian's and the official images are)
lists it in default_toast_compression's values; other servers keep pglz, and SQLite has nothing to change.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _has_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    values = bind.execute(text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    return bool(values) and "lz4" in values


def upgrade() -> None:
    if _has_lz4():
        op.execute("ALTER TABLE documents ALTER COLUMN body_text SET COMPRESSION lz4")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,):  # SET COMPRESSION: 14+
        op.execute("ALTER TABLE documents ALTER COLUMN body_text SET COMPRESSION DEFAULT")
