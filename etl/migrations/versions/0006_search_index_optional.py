"""The search index is optional and off in new databases: fts_documents becomes a view over documents.

Indexing every trigram of the text was most of a first load's time (about 5 s of the database's CPU for the
3,500 laws of the bench corpus, more than parsing them), and most users query metrics, not text. `etl
search-index enable` builds it (etl/load/search_index.py); `etl search-index disable` turns it back into
the view. fts_documents keeps its columns either way, so reports, checks and `etl search` read it unchanged.

A database that already holds documents keeps the index it has: upgrading must not take away a feature in
use (and rebuilding it would cost its owner minutes). Only an empty database (a new one, being migrated
from scratch) has the index dropped here.

Downgrading to 0005 rebuilds the index if it is off, since 0005's schema has it.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: a migration must not change when later code does.
VIEW = "CREATE VIEW fts_documents AS SELECT id AS document_id, title, body_text FROM documents"
VIEW_COMMENT = ("documents.title and body_text for substring search in Chinese, read straight from documents: the "
                "search index is off (etl search-index enable builds it, for faster searches and slower loads).")
VIEW_COLUMN_COMMENTS = {"document_id": "documents.id", "title": "documents.title",
                        "body_text": "documents.body_text"}
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS fts_documents_au",
    "DROP TRIGGER IF EXISTS fts_documents_ad",
    "DROP TRIGGER IF EXISTS fts_documents_ai",
    "DROP TABLE IF EXISTS fts_documents",
    "DROP VIEW IF EXISTS fts_documents_content",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS fts_documents_sync_update ON documents",
    "DROP TRIGGER IF EXISTS fts_documents_sync ON documents",
    "DROP FUNCTION IF EXISTS fts_documents_sync_row()",
    "DROP FUNCTION IF EXISTS fts_documents_sync_rows()",
    "DROP TABLE IF EXISTS fts_documents",
]

# What 0005 had (0002's table and comments, 0004's sync), for downgrade().
_SQLITE_INSERT = ("INSERT INTO fts_documents (rowid, document_id, title, body_text) "
                  "VALUES (new.id, new.id, new.title, new.body_text);")
_SQLITE_DELETE = ("INSERT INTO fts_documents (fts_documents, rowid, document_id, title, body_text) "
                  "VALUES ('delete', old.id, old.id, old.title, old.body_text);")
SQLITE_0005 = [
    "CREATE VIEW fts_documents_content AS SELECT id, id AS document_id, title, body_text FROM documents",
    "CREATE VIRTUAL TABLE fts_documents USING fts5("
    "document_id UNINDEXED, title, body_text, content = 'fts_documents_content', content_rowid = 'id', "
    "tokenize = 'trigram')",
    "INSERT INTO fts_documents (fts_documents, rank) VALUES ('automerge', 16)",
    f"CREATE TRIGGER fts_documents_ai AFTER INSERT ON documents BEGIN {_SQLITE_INSERT} END",
    f"CREATE TRIGGER fts_documents_ad AFTER DELETE ON documents BEGIN {_SQLITE_DELETE} END",
    f"CREATE TRIGGER fts_documents_au AFTER UPDATE OF id, title, body_text ON documents BEGIN "
    f"{_SQLITE_DELETE} {_SQLITE_INSERT} END",
    "INSERT INTO fts_documents (fts_documents) VALUES ('rebuild')",
]
_PG_SYNC = (
    "INSERT INTO fts_documents (document_id, title, body_text) "
    "SELECT n.id, n.title, n.body_text FROM {rows} n "
    "LEFT JOIN fts_documents f ON f.document_id = n.id "
    "WHERE f.document_id IS NULL OR f.title IS DISTINCT FROM n.title OR f.body_text IS DISTINCT FROM n.body_text "
    "ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, body_text = EXCLUDED.body_text"
)
POSTGRES_0005 = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE fts_documents ("
    "document_id INTEGER NOT NULL CONSTRAINT pk_fts_documents PRIMARY KEY "
    "CONSTRAINT fk_fts_documents_document_id_documents REFERENCES documents (id) ON DELETE CASCADE, "
    "title TEXT, body_text TEXT NOT NULL)",
    _PG_SYNC.format(rows="documents"),
    "CREATE INDEX ix_fts_documents_title_trgm ON fts_documents USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_fts_documents_body_text_trgm ON fts_documents USING gin (body_text gin_trgm_ops)",
    "CREATE FUNCTION fts_documents_sync_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _PG_SYNC.format(rows="new_rows") + "; RETURN NULL; END $$",
    "CREATE TRIGGER fts_documents_sync AFTER INSERT ON documents "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fts_documents_sync_rows()",
    "CREATE FUNCTION fts_documents_sync_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO fts_documents (document_id, title, body_text) VALUES (NEW.id, NEW.title, NEW.body_text) "
    "ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, body_text = EXCLUDED.body_text; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER fts_documents_sync_update AFTER UPDATE OF title, body_text ON documents FOR EACH ROW "
    "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body_text IS DISTINCT FROM NEW.body_text) "
    "EXECUTE FUNCTION fts_documents_sync_row()",
]
TABLE_COMMENT_0002 = ("Full-text copy of documents.title and body_text for substring search in Chinese (SQLite: FTS5 "
                      "trigram; PostgreSQL: pg_trgm GIN indexes), kept in sync by triggers.")
TABLE_COLUMN_COMMENTS_0002 = {"document_id": "documents.id", "title": "copy of documents.title",
                              "body_text": "copy of documents.body_text"}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _comment(kind: str, comment: str, columns: dict[str, str]) -> None:
    op.execute(f"COMMENT ON {kind} fts_documents IS {_literal(comment)}")
    for column, text in columns.items():
        op.execute(f"COMMENT ON COLUMN fts_documents.{column} IS {_literal(text)}")


def _is_view(bind) -> bool:
    if bind.dialect.name == "postgresql":
        query = "SELECT c.relkind = 'v' FROM pg_class c WHERE c.oid = to_regclass('fts_documents')"
    else:
        query = "SELECT type = 'view' FROM sqlite_master WHERE name = 'fts_documents'"
    return bool(bind.execute(sa.text(query)).scalar())


def upgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM documents LIMIT 1")).first() is not None:
        return  # a loaded database keeps the index it has
    postgres = bind.dialect.name == "postgresql"
    for statement in POSTGRES_DROP if postgres else SQLITE_DROP:
        op.execute(statement)
    op.execute(VIEW)
    if postgres:
        _comment("VIEW", VIEW_COMMENT, VIEW_COLUMN_COMMENTS)


def downgrade() -> None:
    bind = op.get_bind()
    if not _is_view(bind):
        return
    op.execute("DROP VIEW fts_documents")
    if bind.dialect.name == "postgresql":
        for statement in POSTGRES_0005:
            op.execute(statement)
        _comment("TABLE", TABLE_COMMENT_0002, TABLE_COLUMN_COMMENTS_0002)
    else:
        for statement in SQLITE_0005:
            op.execute(statement)
