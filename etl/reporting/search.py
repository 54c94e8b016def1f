"""Full-text search over titles and body text that works for Chinese (no spaces between words).

A query is one or more words, all of which must occur (in the title or the text). With the search index on
(etl/load/search_index.py), SQLite's FTS5 trigram index answers MATCH for words of three characters or more,
ranked by bm25; trigrams cannot answer one- or two-character words (骗保), so those read documents with
LIKE. PostgreSQL: LIKE over fts_documents, which pg_trgm's GIN indexes serve when the
index is on. With the index off every search is a LIKE over documents. Snippets are cut in Python so both
databases show the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, bindparam, column, literal, or_, select, table, text
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


def words_of(query: str | Sequence[str]) -> list[str]:
    """The distinct words of a query: every whitespace-separated piece, so `医保 基金` and the two
    arguments 医保 基金 are the same search."""
    pieces = query.split() if isinstance(query, str) else [w for part in query for w in part.split()]
    return list(dict.fromkeys(pieces))


def _index_on(conn) -> bool:
    return conn.dialect.name == "sqlite" and search_index_state(conn) is SearchIndex.ON


def _contains(word: str, *columns):
    """The word in any of the columns, as a substring (LIKE with its wildcards escaped)."""
    pattern = literal(_like_pattern(word))
    return or_(*(c.like(pattern, escape="\\") for c in columns))


def _candidate_ids(conn, words: list[str], limit: int, fts5: bool) -> list[int]:
    """Ids of documents containing every word: FTS5 answers the words of three characters or more (in bm25
    order), LIKE the shorter ones, which a trigram index cannot; without FTS5, LIKE answers every word."""
    d = documents.c
    long_words = [w for w in words if len(w) >= 3]
    if fts5 and long_words:
        fts = table("fts_documents", column("rowid"))
        match = text("fts_documents MATCH :q").bindparams(
            bindparam("q", " AND ".join(map(_fts5_phrase, long_words)), type_=String()))
        short = [_contains(w, d.title, d.body_text) for w in words if len(w) < 3]
        stmt = (select(fts.c.rowid).select_from(fts.join(documents, d.id == fts.c.rowid))
                .where(match, *short).order_by(text("bm25(fts_documents)")).limit(limit * 4))
        return list(conn.execute(stmt).scalars())
    if conn.dialect.name == "postgresql":  # fts_documents: pg_trgm's GIN indexes serve LIKE when it is on
        f = table("fts_documents", column("document_id"), column("title"), column("body_text"))
        stmt = select(f.c.document_id).where(*(_contains(w, f.c.title, f.c.body_text) for w in words))
    else:
        stmt = select(d.id).where(*(_contains(w, d.title, d.body_text) for w in words))
    return list(conn.execute(stmt).scalars())


def search(engine: Engine, query: str | Sequence[str], limit: int = 20) -> list[Hit]:
    """Active documents containing every word of query (a string split on whitespace, or a list of words),
    those with the most words in their title first, then the best-ranked or those saying them most."""
    words = words_of(query)
    if not words:
        return []
    d, s = documents.c, sources.c
    with engine.connect() as conn:
        ranked = _index_on(conn) and any(len(w) >= 3 for w in words)  # ids come in bm25 order
        ids = _candidate_ids(conn, words, limit, ranked)
        if not ids:
            return []
        rows = conn.execute(
            select(d.id, d.title, d.published_on, s.name, d.body_text)
            .select_from(documents.outerjoin(sources, s.id == d.source_id))
            .where(d.id.in_(ids[:2000]), d.status == "active")
        ).all()
    rank = {id_: i for i, id_ in enumerate(ids)} if ranked else {}

    def order(row) -> tuple:
        title, body = row[1] or "", row[4] or ""
        return (-sum(w in title for w in words), rank.get(row[0], 0), -sum(body.count(w) for w in words), -row[0])

    rows.sort(key=order)
    return [Hit(r[0], r[1], r[2], r[3], snippet(r[4] or "", _first_found(r[4] or "", words)))
            for r in rows[:limit]]


def _first_found(body: str, words: list[str]) -> str:
    """The word the snippet shows: the one that occurs earliest in the text."""
    found = [(body.find(w), w) for w in words if w in body]
    return min(found)[1] if found else words[0]
