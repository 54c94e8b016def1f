"""Full-text search over titles and body text that works for Chinese (no spaces between words).

With the search index on (etl/load/search_index.py), SQLite's FTS5 trigram index answers MATCH for three
characters or more, ranked by bm25; trigrams cannot answer one- or two-character searches (骗保), so those
read documents with LIKE. PostgreSQL: LIKE over fts_documents, which pg_trgm's GIN indexes serve when the
index is on. With the index off every search is a LIKE over documents. Snippets are cut in Python so both
databases show the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, String, bindparam, literal, or_, select, text
from sqlalchemy.engine import Engine

from etl.load.schema import documents, sources
from etl.load.search_index import SearchIndex, search_index_state

SNIPPET_BEFORE, SNIPPET_AFTER = 12, 30


@dataclass(slots=True)
class Hit:
    document_id: int
    title: str | None
    published_on: Any
    source_name: str | None
    snippet: str

    def as_row(self) -> tuple:
        day = self.published_on.isoformat() if isinstance(self.published_on, date) else self.published_on
        return (self.document_id, day, self.source_name, self.title, self.snippet)


COLUMNS = ["document_id", "published_on", "source_name", "title", "snippet"]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts5_phrase(term: str) -> str:
    """The term as one FTS5 phrase, so its characters are not read as query syntax."""
    return '"' + term.replace('"', '""') + '"'


def snippet(body: str, term: str, before: int = SNIPPET_BEFORE, after: int = SNIPPET_AFTER) -> str:
    """The first occurrence of term with some text either side, on one line."""
    at = body.find(term)
    if at < 0:
        at = body.lower().find(term.lower())
    if at < 0:
        return " ".join(body[: before + after].split())
    start, end = max(0, at - before), min(len(body), at + len(term) + after)
    return ("…" if start else "") + " ".join(body[start:end].split()) + ("…" if end < len(body) else "")


def _uses_fts5(conn, term: str) -> bool:
    return conn.dialect.name == "sqlite" and len(term) >= 3 and search_index_state(conn) is SearchIndex.ON


def _candidate_ids(conn, term: str, limit: int, fts5: bool) -> list[int]:
    d = documents.c
    if fts5:
        stmt = text(
            "SELECT rowid FROM fts_documents WHERE fts_documents MATCH :phrase ORDER BY bm25(fts_documents) LIMIT :n"
        ).bindparams(bindparam("phrase", type_=String()), bindparam("n", type_=Integer()))
        return list(conn.execute(stmt, {"phrase": _fts5_phrase(term), "n": limit * 4}).scalars())
    pattern = literal(_like_pattern(term))
    if conn.dialect.name == "postgresql":
        stmt = text(
            "SELECT document_id FROM fts_documents WHERE title LIKE :p ESCAPE '\\' OR body_text LIKE :p ESCAPE '\\'"
        ).bindparams(bindparam("p", type_=String()))
        return list(conn.execute(stmt, {"p": _like_pattern(term)}).scalars())
    stmt = select(d.id).where(or_(d.title.like(pattern, escape="\\"), d.body_text.like(pattern, escape="\\")))
    return list(conn.execute(stmt).scalars())


def search(engine: Engine, term: str, limit: int = 20) -> list[Hit]:
    """Active documents containing term, title hits first, then the best-ranked or most recent."""
    term = term.strip()
    if not term:
        return []
    d, s = documents.c, sources.c
    with engine.connect() as conn:
        ranked = _uses_fts5(conn, term)  # ids come in bm25 order
        ids = _candidate_ids(conn, term, limit, ranked)
        if not ids:
            return []
        rows = conn.execute(
            select(d.id, d.title, d.published_on, s.name, d.body_text)
            .select_from(documents.outerjoin(sources, s.id == d.source_id))
            .where(d.id.in_(ids[:2000]), d.status == "active")
        ).all()
    rank = {id_: i for i, id_ in enumerate(ids)} if ranked else {}
    rows.sort(key=lambda r: (term not in (r[1] or ""), rank.get(r[0], 0), -(r[4] or "").count(term), -r[0]))
    return [Hit(r[0], r[1], r[2], r[3], snippet(r[4] or "", term)) for r in rows[:limit]]
