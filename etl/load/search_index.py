"""The search index behind fts_documents is optional: off for fast loads (the default), on for fast search.

fts_documents has the same columns either way (document_id, title, body_text), so `etl search`, the
search_documents report, the checks and anyone's SQL read it unchanged:

- off: a view over documents. A search reads every title and body (LIKE): its time grows with the corpus.
- on: SQLite an FTS5 trigram index over documents' own columns (external content, kept in step by
  triggers); PostgreSQL a table with pg_trgm GIN indexes, kept in step by triggers. Searches of three
  characters or more read the index (ranked by bm25 on SQLite). Every load pays for it: indexing every
  trigram of the text costs the database more than the rest of a first load together.

Building it in one pass after a first load costs about what keeping it in step row by row does (the figures:
bench/README.md); once on, daily runs that add a few documents pay little for it. Enabling and disabling take
the same writer lock as `etl run`.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.load import migrate
from etl.load.faults import fault_point
from etl.load.lock import writer_lock

FTS_DESCRIPTION = (
    "Full-text copy of documents.title and body_text for substring search in Chinese (SQLite: FTS5 "
    "trigram; PostgreSQL: pg_trgm GIN indexes), kept in sync by triggers."
)
FTS_COLUMNS = {
    "document_id": "documents.id",
    "title": "copy of documents.title",
    "body_text": "copy of documents.body_text",
}
FTS_VIEW_DESCRIPTION = (
    "documents.title and body_text for substring search in Chinese, read straight from documents: the "
    "search index is off (etl search-index enable builds it, for faster searches and slower loads)."
)
FTS_VIEW_COLUMNS = {
    "document_id": "documents.id",
    "title": "documents.title",
    "body_text": "documents.body_text",
}


def fts_description(index_on: bool) -> tuple[str, dict[str, str]]:
    """What fts_documents is, with the search index on (an index kept by triggers) or off (a view)."""
    return (FTS_DESCRIPTION, FTS_COLUMNS) if index_on else (FTS_VIEW_DESCRIPTION, FTS_VIEW_COLUMNS)


class SearchIndex(StrEnum):
    ON = "on"
    OFF = "off"
    MISSING = "missing"  # a database not migrated yet


_SQLITE_INSERT = ("INSERT INTO fts_documents (rowid, document_id, title, body_text) "
                  "VALUES (new.id, new.id, new.title, new.body_text);")
_SQLITE_DELETE = ("INSERT INTO fts_documents (fts_documents, rowid, document_id, title, body_text) "
                  "VALUES ('delete', old.id, old.id, old.title, old.body_text);")
SQLITE_ON = [
    "CREATE VIEW fts_documents_content AS SELECT id, id AS document_id, title, body_text FROM documents",
    "CREATE VIRTUAL TABLE fts_documents USING fts5("
    "document_id UNINDEXED, title, body_text, content = 'fts_documents_content', content_rowid = 'id', "
    "tokenize = 'trigram')",
    # automerge 16 (default 4): fewer re-merges while loading; a MATCH reads a few more segments.
    "INSERT INTO fts_documents (fts_documents, rank) VALUES ('automerge', 16)",
    f"CREATE TRIGGER fts_documents_ai AFTER INSERT ON documents BEGIN {_SQLITE_INSERT} END",
    f"CREATE TRIGGER fts_documents_ad AFTER DELETE ON documents BEGIN {_SQLITE_DELETE} END",
    f"CREATE TRIGGER fts_documents_au AFTER UPDATE OF id, title, body_text ON documents BEGIN "
    f"{_SQLITE_DELETE} {_SQLITE_INSERT} END",
    "INSERT INTO fts_documents (fts_documents) VALUES ('rebuild')",
    "INSERT INTO fts_documents (fts_documents) VALUES ('optimize')",
]
SQLITE_OFF = [
    "DROP TRIGGER IF EXISTS fts_documents_au",
    "DROP TRIGGER IF EXISTS fts_documents_ad",
    "DROP TRIGGER IF EXISTS fts_documents_ai",
    "DROP TABLE IF EXISTS fts_documents",
    "DROP VIEW IF EXISTS fts_documents_content",
    "CREATE VIEW fts_documents AS SELECT id AS document_id, title, body_text FROM documents",
]

# Rows of documents the index lacks or holds differently, upserted: the body of both sync functions.
_PG_SYNC = (
    "INSERT INTO fts_documents (document_id, title, body_text) "
    "SELECT n.id, n.title, n.body_text FROM {rows} n "
    "LEFT JOIN fts_documents f ON f.document_id = n.id "
    "WHERE f.document_id IS NULL OR f.title IS DISTINCT FROM n.title OR f.body_text IS DISTINCT FROM n.body_text "
    "ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, body_text = EXCLUDED.body_text"
)
POSTGRES_REPAIR = [
    "DELETE FROM fts_documents f WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = f.document_id)",
    _PG_SYNC.format(rows="documents"),
]
POSTGRES_ON = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DROP VIEW IF EXISTS fts_documents",
    "CREATE TABLE fts_documents ("
    "document_id INTEGER NOT NULL CONSTRAINT pk_fts_documents PRIMARY KEY "
    "CONSTRAINT fk_fts_documents_document_id_documents REFERENCES documents (id) ON DELETE CASCADE, "
    "title TEXT, body_text TEXT NOT NULL)",
    _PG_SYNC.format(rows="documents"),  # fill first, index after: one build instead of row-by-row updates
    "CREATE INDEX ix_fts_documents_title_trgm ON fts_documents USING gin (title gin_trgm_ops)",
    "CREATE INDEX ix_fts_documents_body_text_trgm ON fts_documents USING gin (body_text gin_trgm_ops)",
    # Inserts: one set-based upsert per statement from the transition table (a COPY of 256 documents is one).
    "CREATE FUNCTION fts_documents_sync_rows() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _PG_SYNC.format(rows="new_rows") + "; RETURN NULL; END $$",
    "CREATE TRIGGER fts_documents_sync AFTER INSERT ON documents "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fts_documents_sync_rows()",
    # Updates: only when the text really changed, so bookkeeping updates (links, status) never touch the GIN.
    "CREATE FUNCTION fts_documents_sync_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO fts_documents (document_id, title, body_text) VALUES (NEW.id, NEW.title, NEW.body_text) "
    "ON CONFLICT (document_id) DO UPDATE SET title = EXCLUDED.title, body_text = EXCLUDED.body_text; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER fts_documents_sync_update AFTER UPDATE OF title, body_text ON documents FOR EACH ROW "
    "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.body_text IS DISTINCT FROM NEW.body_text) "
    "EXECUTE FUNCTION fts_documents_sync_row()",
]
POSTGRES_OFF = [
    "DROP TRIGGER IF EXISTS fts_documents_sync_update ON documents",
    "DROP TRIGGER IF EXISTS fts_documents_sync ON documents",
    "DROP FUNCTION IF EXISTS fts_documents_sync_row()",
    "DROP FUNCTION IF EXISTS fts_documents_sync_rows()",
    "DROP TABLE IF EXISTS fts_documents",
    "CREATE VIEW fts_documents AS SELECT id AS document_id, title, body_text FROM documents",
]


def search_index_state(conn: Connection) -> SearchIndex:
    """ON when fts_documents is an index, OFF when it is the plain view over documents."""
    if conn.dialect.name == "postgresql":
        kind = conn.execute(text("SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('fts_documents')"))
        found = {"r": SearchIndex.ON, "v": SearchIndex.OFF}
    else:
        kind = conn.execute(text("SELECT type FROM sqlite_master WHERE name = 'fts_documents'"))
        found = {"table": SearchIndex.ON, "view": SearchIndex.OFF}
    value = kind.scalar()
    return found.get(value.decode() if isinstance(value, bytes) else value, SearchIndex.MISSING)


def _comment_postgres(conn: Connection, on: bool) -> None:
    """COMMENT ON takes no bind parameters: psycopg composes the literals, inside this transaction."""
    from psycopg import sql

    kind = sql.SQL("TABLE" if on else "VIEW")
    description, columns = fts_description(on)
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(sql.SQL("COMMENT ON {} fts_documents IS {}").format(kind, sql.Literal(description)))
        for column, comment in columns.items():
            cur.execute(sql.SQL("COMMENT ON COLUMN {} IS {}").format(
                sql.Identifier("fts_documents", column), sql.Literal(comment)))


def _begin_sqlite(conn: Connection) -> None:
    """Open the transaction on SQLite now: Python's sqlite3 runs DDL outside one unless it is open, which
    left an index killed mid-build on (its table and triggers made) but empty, for good."""
    if conn.dialect.name == "sqlite" and not conn.connection.driver_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def set_search_index(conn: Connection, on: bool) -> bool:
    """Build (on) or drop (off) the index in this transaction, all or nothing; False when it already was so.

    An index found on but incomplete (see search_index_complete) is built again."""
    _begin_sqlite(conn)
    state = search_index_state(conn)
    if state is SearchIndex.MISSING:
        raise RuntimeError("the database has no fts_documents: migrate it first (etl db upgrade)")
    if (state is SearchIndex.ON) == on:
        if on and not search_index_complete(conn):
            repair_search_index(conn)
            return True
        return False
    postgres = conn.dialect.name == "postgresql"
    if on:
        statements = POSTGRES_ON if postgres else ["DROP VIEW IF EXISTS fts_documents", *SQLITE_ON]
    else:
        statements = POSTGRES_OFF if postgres else SQLITE_OFF
    for number, statement in enumerate(statements):
        if number == len(statements) // 2:
            fault_point("search_index_build")
        conn.exec_driver_sql(statement)
    if postgres:
        _comment_postgres(conn, on)
    return True


def search_index_complete(conn: Connection) -> bool:
    """False when the index is on but lacks documents (an index built by an older version and stopped
    mid-build): one count of the index's rows (FTS5: its docsize table) against one of documents."""
    if search_index_state(conn) is not SearchIndex.ON:
        return True
    count = conn.exec_driver_sql("SELECT count(*) FROM fts_documents" if conn.dialect.name == "postgresql"
                                 else "SELECT count(*) FROM fts_documents_docsize").scalar_one()
    return count == conn.exec_driver_sql("SELECT count(*) FROM documents").scalar_one()


def repair_search_index(conn: Connection) -> None:
    """Index every document again, in conn's transaction."""
    _begin_sqlite(conn)
    if conn.dialect.name == "postgresql":
        for statement in POSTGRES_REPAIR:
            conn.exec_driver_sql(statement)
    else:
        conn.exec_driver_sql("INSERT INTO fts_documents (fts_documents) VALUES ('rebuild')")


def repair_if_incomplete(engine: Engine) -> bool:
    """For `etl run` (under the writer lock): rebuild an index that is on but incomplete; True if it was."""
    with engine.begin() as conn:
        if search_index_complete(conn):
            return False
        repair_search_index(conn)
        return True


def switch_search_index(engine: Engine, on: bool, wait_seconds: float = 0.0) -> bool:
    """Migrate, then build or drop the index under the writer lock; False when there was nothing to do."""
    with writer_lock(engine, wait_seconds):
        migrate.upgrade_to_head(engine)
        with engine.begin() as conn:
            return set_search_index(conn, on)
