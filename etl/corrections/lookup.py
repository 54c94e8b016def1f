"""Name documents as corrections do (path and bytes) when a person gives a database id or half the name."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from etl.config import resolve_url
from etl.corrections.model import SHA256, CorrectionError
from etl.corrections.targets import metric_occurrence
from etl.load.db import make_engine, sqlite_path
from etl.load.schema import documents, metrics

PAIRS = (("document", "sha256"), ("duplicate_of", "duplicate_of_sha256"))


def pin_documents(specs: list[dict[str, Any]], db_url: str) -> list[dict[str, Any]]:
    """Each spec with its documents named by path and sha256 as the database has them: a `document` that is
    a number is a documents.id; a sha256 alone gains its path; a path alone gains its sha256 when one active
    document has that path. A database that does not exist yet changes nothing (ids then are a mistake)."""
    url = resolve_url(db_url)
    path = sqlite_path(url)
    if path is not None and not os.path.exists(path):
        engine = None
    else:
        engine = make_engine(url)
    try:
        return [_pinned(spec, engine) for spec in specs]
    finally:
        if engine is not None:
            engine.dispose()


def _pinned(spec: dict[str, Any], engine) -> dict[str, Any]:
    out = dict(spec)
    for path_key, sha_key in PAIRS:
        given, sha = out.get(path_key), out.get(sha_key)
        if given is None and sha is None:
            continue
        if isinstance(given, str) and SHA256.match(given.lower()) and sha is None:
            given, sha = None, given.lower()  # a sha256 given where a path goes
        rows = _lookup(engine, given, sha, path_key)
        if isinstance(given, int) or (isinstance(given, str) and given.isdigit()):
            if not rows:
                raise CorrectionError(path_key, f"no document with id {given}")
            out[path_key], out[sha_key] = rows[0]
            continue
        if given is None and len({p for p, _ in rows}) == 1:
            out[path_key] = rows[0][0]
        if sha is None and len({s for _, s in rows}) == 1:
            out[sha_key] = rows[0][1]
        if given is None:
            out.pop(path_key, None)
        out = {k: v for k, v in out.items() if v is not None}
    if engine is not None and "raw_text" in out and "occurrence" not in out:
        found = _occurrences(engine, out.get("document"), out.get("sha256"), out["raw_text"])
        if len(found) == 1:  # the place the extractor reads the figure at, not always the first one
            out["occurrence"] = found.pop()
    return out


def _occurrences(engine, path: str | None, sha: str | None, raw_text: str) -> set[int]:
    """Where the database has the figure raw_text of the document: occurrences as corrections count them."""
    if path is None and sha is None:
        return set()
    d, m = documents.c, metrics.c
    where = [*_active(path, sha), m.raw_text == raw_text]
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(d.body_text, m.char_start).join_from(metrics, documents,
                                                                             m.document_id == d.id).where(*where))
            return {metric_occurrence(body or "", raw_text, start) for body, start in rows}
    except SQLAlchemyError:
        return set()


def _lookup(engine, given: Any, sha: str | None, what: str) -> list[tuple[str, str]]:
    if engine is None:
        if isinstance(given, int) or (isinstance(given, str) and given.isdigit()):
            raise CorrectionError(what, f"document {given} is a database id, and the database does not exist yet")
        return []
    d = documents.c
    if isinstance(given, int) or (isinstance(given, str) and given.isdigit()):
        where = [d.id == int(given)]
    else:
        where = _active(given, sha)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(d.source_path, d.content_sha256).where(*where).limit(5))]
    except SQLAlchemyError:  # a database without documents (not migrated): name it as given
        return []


def _active(path: str | None, sha: str | None) -> list:
    """The conditions naming active documents by path and/or sha256, as a correction names them."""
    d = documents.c
    where = [d.status == "active"]
    if path is not None:
        where.append(d.source_path == path)
    if sha is not None:
        where.append(d.content_sha256 == sha)
    return where
