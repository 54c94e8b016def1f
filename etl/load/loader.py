"""Write transform outcomes into the database: bulk Core statements, one transaction per batch.

A batch either lands whole or not at all, so a run killed at any moment leaves every document either in
its previous state or fully replaced, never half-loaded. Sources and agencies are shared rows, upserted
by name and resolved from an in-memory cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from etl.load.bulk import bulk_insert, draw_ids, insert_for, insert_with_ids
from etl.load.clean import clean_text
from etl.load.dimdate import YearCoverage
from etl.load.duplicates import order_key
from etl.load.pending import mark_pending
from etl.load.prelink import PreLinker
from etl.load.schema import (
    agencies,
    agency_aliases,
    document_agencies,
    documents,
    failed_files,
    metrics,
    skipped_files,
    sources,
)
from etl.load.vocabulary import indicator_codes
from etl.records import (
    AgencyMention,
    Failed,
    Failure,
    NotDocument,
    Outcome,
    SourceRef,
    Transformed,
    Unchanged,
)
from etl.version import extractor_version

LIST_SEPARATOR = "; "
IN_CHUNK = 500  # bound parameters per IN (...) list, well under every driver's limit


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """What the database knows of a file, enough to decide whether to read it again."""

    id: int
    source_path: str
    content_sha256: str
    size_bytes: int
    file_mtime_ns: int | None
    current: bool  # active and made by this extractor version


@dataclass(slots=True)
class BatchCounts:
    new: int = 0
    changed: int = 0
    reprocessed: int = 0
    moved: int = 0
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    metrics_written: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (source_path, stage, reason)

    def add(self, other: BatchCounts) -> None:
        for name in ("new", "changed", "reprocessed", "moved", "unchanged", "failed", "skipped", "metrics_written"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures.extend(other.failures)



def chunked(items: Sequence, size: int = IN_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_documents(conn: Connection, file_paths: Sequence[str], stale: set[int]) -> dict[str, KnownDocument]:
    """The stored state of the given files, keyed by absolute path; `stale` is stale_documents().

    Only the columns before body_text are read: on SQLite a column after it costs a walk of the body's
    overflow pages, for every file of a re-run."""
    found: dict[str, KnownDocument] = {}
    d = documents.c
    for part in chunked(list(file_paths)):
        rows = conn.execute(
            select(d.file_path, d.id, d.source_path, d.content_sha256, d.size_bytes, d.file_mtime_ns)
            .where(d.file_path.in_(part))
        )
        for path, *known in rows:
            found[path] = KnownDocument(*known, current=known[0] not in stale)
    return found


def stale_documents(conn: Connection, version: str) -> set[int]:
    """Ids of documents that are removed or were made by another extractor version: read from the indexes on
    status (0007) and extractor_version (0009), never from the rows. Usually none; all after an upgrade."""
    d = documents.c
    other_version = (d.extractor_version < version) | (d.extractor_version > version)  # a range on the index
    return (set(conn.execute(select(d.id).where(d.status != "active")).scalars())
            | set(conn.execute(select(d.id).where(other_version)).scalars()))


@dataclass(frozen=True, slots=True)
class KnownSkip:
    """A file turned away as not a document, as it was then."""

    size_bytes: int
    file_mtime_ns: int
    extractor_version: str


def known_skips(conn: Connection, file_paths: Sequence[str]) -> dict[str, KnownSkip]:
    """The skipped_files rows of the given files, keyed by absolute path."""
    found: dict[str, KnownSkip] = {}
    s = skipped_files.c
    for part in chunked(list(file_paths)):
        rows = conn.execute(
            select(s.file_path, s.size_bytes, s.file_mtime_ns, s.extractor_version).where(s.file_path.in_(part))
        )
        for row in rows:
            found[row.file_path] = KnownSkip(*row[1:])
    return found


# Bounded columns a document's own text goes into: a run-on line (a 责任编辑 line that swallowed the page) is
# cut to fit, on both databases alike (SQLite would store it whole, PostgreSQL refuse the batch).
DOC_NUMBER_LENGTH = documents.c.doc_number.type.length
INDEX_NUMBER_LENGTH = documents.c.index_number.type.length
EDITOR_LENGTH = documents.c.editor.type.length


def _fit(value: str | None, length: int) -> str | None:
    return value if value is None or len(value) <= length else value[:length]


def _cut_notes(doc) -> list[str]:
    """What _fit cut, said in documents.notes (nothing is cut silently)."""
    return [f"{name} cut to {length} characters (it had {len(value)})"
            for name, value, length in (("doc_number", doc.doc_number, DOC_NUMBER_LENGTH),
                                        ("index_number", doc.index_number, INDEX_NUMBER_LENGTH),
                                        ("editor", doc.editor, EDITOR_LENGTH))
            if value is not None and len(value) > length]


def _one_line(exc: BaseException) -> str:
    """The first line of what the database said, without the statement and its parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return clean_text(f"{type(orig).__name__}: {text[0][:300] if text else ''}")


def _refused_value(exc: BaseException) -> bool:
    """exc says the database (or its driver) refused a value of the batch, not that the database failed: a
    lost connection, a full disk or a read-only file must stop the run, not fail every file in turn."""
    from sqlalchemy import exc as sa_exc

    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, UnicodeError | ValueError | OverflowError | ArithmeticError):
        return True
    if isinstance(exc, sa_exc.DataError | sa_exc.IntegrityError):
        return True
    module = type(orig).__module__.split(".")[0]
    if module in ("sqlite3", "psycopg"):
        names = {cls.__name__ for cls in type(orig).__mro__}
        return bool(names & {"DataError", "IntegrityError"})
    return False


def _joined(values: Iterable[str]) -> str | None:
    text = LIST_SEPARATOR.join(v for v in values if v)
    return text or None


class Loader:
    """Writes batches of outcomes for one run; keeps the name -> id caches between batches."""

    def __init__(self, engine: Engine, run_id: int, version: str | None = None):
        self.engine = engine
        self.run_id = run_id
        self.version = version or extractor_version()  # what skipped_files rows are valid for
        self.source_ids: dict[str, int] = {}
        self.agency_ids: dict[str, int] = {}
        self.aliases_written: set[tuple[int, str]] = set()  # (agency id, alias) pairs this run has inserted
        self.indicator_codes = indicator_codes()
        self.now = datetime.now(UTC)
        self.dim_years = YearCoverage()  # dim_date grows with each batch's dates, not in one go at the end
        self.prelinker = None  # new documents are inserted already linked to their copies (made on first use)
        self.pending_marked = False  # pending_steps has this run's rows (etl.load.pending)

    # -- shared rows -------------------------------------------------------------------------------------

    def _source_ids(self, conn: Connection, refs: Iterable[SourceRef | None]) -> None:
        missing = {r.name: r for r in refs if r is not None and r.name not in self.source_ids}
        if not missing:
            return
        stmt = insert_for(conn, sources).on_conflict_do_nothing(index_elements=["name"])
        conn.execute(stmt, [{"name": r.name, "kind": r.kind, "run_id": self.run_id} for r in missing.values()])
        rows = conn.execute(select(sources.c.name, sources.c.id).where(sources.c.name.in_(list(missing))))
        self.source_ids.update({name: id_ for name, id_ in rows})

    def _agency_ids(self, conn: Connection, mentions: Iterable[AgencyMention]) -> None:
        missing = {m.name: m for m in mentions if m.name not in self.agency_ids}
        if not missing:
            return
        stmt = insert_for(conn, agencies)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"level": stmt.excluded.level, "region": stmt.excluded.region,
                  "region_code": stmt.excluded.region_code},
        )
        conn.execute(stmt, [
            {"name": m.name, "level": m.level, "region": m.region, "region_code": m.region_code, "run_id": self.run_id}
            for m in missing.values()
        ])
        rows = conn.execute(select(agencies.c.name, agencies.c.id).where(agencies.c.name.in_(list(missing))))
        self.agency_ids.update({name: id_ for name, id_ in rows})

    # -- documents ---------------------------------------------------------------------------------------

    def _document_row(self, item: Transformed) -> dict:
        record, ref = item.record, item.task.ref
        doc = record.extracted
        return {
            "file_path": ref.file_path,
            "source_path": ref.source_path,
            "content_sha256": record.content_sha256,
            "size_bytes": record.size_bytes,
            "file_mtime_ns": ref.mtime_ns,
            "format": doc.format,
            "encoding": doc.encoding,
            "title": doc.title,
            "published_at": doc.published_at,
            "published_offset": doc.published_offset,
            "published_on": doc.published_on,
            "doc_number": _fit(doc.doc_number, DOC_NUMBER_LENGTH),
            "index_number": _fit(doc.index_number, INDEX_NUMBER_LENGTH),
            "source_id": self.source_ids.get(doc.source.name) if doc.source else None,
            "original_source_id": self.source_ids.get(doc.original_source.name) if doc.original_source else None,
            "editor": _fit(doc.editor, EDITOR_LENGTH),
            "authors": _joined(doc.authors),
            "categories": _joined(doc.categories),
            "tags": _joined(doc.tags),
            "url": doc.url,
            "body_text": doc.body_text,
            "on_topic": record.on_topic,
            "simhash": record.simhash,
            "extractor_version": record.extractor_version,
            "status": "active",
            "removed_at": None,
            "run_id": self.run_id,
            # corrections and the review queue (etl.corrections)
            "corrected": record.extracted_values is not None,
            "extracted_values": record.extracted_values,
            "unresolved_agencies": _joined(record.unresolved_agencies),
            "notes": _joined([*doc.notes, *_cut_notes(doc)]),  # what the extract dropped or repaired, what was cut
        }

    def _prelinks(self, conn: Connection, docs: list[tuple[int, Transformed]]) -> list[int | None]:
        """duplicate_of_id as guessed for these documents, in order (see etl.load.prelink)."""
        if self.prelinker is None:
            self.prelinker = PreLinker()

        def key(id_: int, item: Transformed) -> tuple:
            doc = item.record.extracted
            return order_key(doc.published_at, doc.published_on, item.record.source_path, id_)

        def fetch(ids: list[int]) -> dict[int, tuple]:
            d = documents.c
            found: dict[int, tuple] = {}
            for part in chunked(ids):
                rows = conn.execute(select(d.id, d.published_at, d.published_on, d.source_path).where(d.id.in_(part)))
                found.update((row[0], order_key(row[1], row[2], row[3], row[0])) for row in rows)
            return found

        return self.prelinker.links([(id_, item.record.simhash, key(id_, item)) for id_, item in docs], fetch)

    def _moved_from(self, conn: Connection, items: list[Transformed]) -> dict[int, int]:
        """New paths whose bytes belong to a known document whose file is gone: index in items -> doc id."""
        by_sha: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            by_sha.setdefault(item.record.content_sha256, []).append(index)
        moved: dict[int, int] = {}
        claimed: set[int] = set()
        d = documents.c
        for part in chunked(list(by_sha)):
            rows = conn.execute(
                select(d.id, d.file_path, d.status, d.content_sha256).where(d.content_sha256.in_(part)).order_by(d.id)
            )
            for id_, path, status, sha in rows:
                if id_ in claimed or (status == "active" and os.path.exists(path)):
                    continue
                waiting = [i for i in by_sha[sha] if i not in moved]
                if waiting:
                    moved[waiting[0]] = id_
                    claimed.add(id_)
        return moved

    def write(self, outcomes: list[Outcome]) -> BatchCounts:
        """Write one batch in one transaction; if the database refuses a value in it, file by file.

        A value one backend refuses (a number beyond NUMERIC(24, 6), a name beyond its column, …) must cost
        its file, never the batch or the run: the batch is rolled back and written again one file per
        transaction, and the file the database refuses is recorded in failed_files with the reason."""
        counts = BatchCounts()
        state = self._state()
        try:
            with self.engine.begin() as conn:
                self._write(conn, outcomes, counts)
                self._mark_pending(conn, counts)
            return counts
        except Exception as exc:
            if not _refused_value(exc):
                raise
            self._restore(state)
        counts = BatchCounts()
        for outcome in outcomes:
            state = self._state()
            one = BatchCounts()
            try:
                with self.engine.begin() as conn:
                    self._write(conn, [outcome], one)
                    self._mark_pending(conn, one)
                counts.add(one)
            except Exception as exc:
                if not _refused_value(exc):
                    raise
                self._restore(state)
                failed = Failed(outcome.task, Failure(
                    outcome.task.ref.source_path, "load", f"the database refused it: {_one_line(exc)}",
                    getattr(getattr(outcome, "record", None), "content_sha256", None) or getattr(outcome, "sha256", None)))
                with self.engine.begin() as conn:
                    self._write(conn, [failed], counts)
        return counts

    def _state(self) -> tuple:
        """What a rolled-back transaction must not leave behind in the caches."""
        return (dict(self.source_ids), dict(self.agency_ids), set(self.aliases_written),
                (self.dim_years.years, self.dim_years._read), self.pending_marked)

    def _restore(self, state: tuple) -> None:
        self.source_ids, self.agency_ids, self.aliases_written, (years, read), self.pending_marked = state
        self.dim_years.years, self.dim_years._read = years, read
        self.prelinker = None  # it holds ids of rows that were rolled back; link_duplicates settles every link

    def _mark_pending(self, conn: Connection, counts: BatchCounts) -> None:
        """The first write that changes documents records, in its own transaction, the steps that must follow."""
        if not self.pending_marked and (counts.new or counts.changed or counts.moved or counts.reprocessed):
            mark_pending(conn, self.run_id)
            self.pending_marked = True

    def _write(self, conn: Connection, outcomes: list[Outcome], counts: BatchCounts) -> None:
        transformed = [o for o in outcomes if isinstance(o, Transformed)]
        self._source_ids(conn, [s for o in transformed for s in (o.record.extracted.source, o.record.extracted.original_source)])
        self._agency_ids(conn, [m for o in transformed for m in o.record.agencies])

        fresh = [o for o in transformed if o.task.doc_id is None]
        moved = self._moved_from(conn, fresh) if fresh else {}
        inserts: list[Transformed] = []
        updates: list[tuple[int, Transformed]] = []
        for index, item in enumerate(fresh):
            if index in moved:
                updates.append((moved[index], item))
                counts.moved += 1
            else:
                inserts.append(item)
                counts.new += 1
        for item in transformed:
            if item.task.doc_id is not None:
                updates.append((item.task.doc_id, item))
                if item.record.content_sha256 == item.task.known_sha256:
                    counts.reprocessed += 1
                else:
                    counts.changed += 1

        doc_ids: list[tuple[int, Transformed]] = []
        if inserts:
            rows = [{**self._document_row(o), "first_run_id": self.run_id} for o in inserts]
            ids = draw_ids(conn, documents, len(rows))
            if ids is None:  # a database that gives ids only as rows go in: inserted unlinked
                ids = insert_with_ids(conn, documents, rows)
            else:
                links = self._prelinks(conn, list(zip(ids, inserts, strict=True)))
                bulk_insert(conn, documents, [{**row, "id": id_, "duplicate_of_id": link}
                                              for row, id_, link in zip(rows, ids, links, strict=True)])
            doc_ids.extend(zip(ids, inserts, strict=True))
        if updates:
            self._prelinks(conn, updates)  # they keep their links until the exact pass; later copies may point here
            ids = [id_ for id_, _ in updates]
            for part in chunked(ids):
                conn.execute(delete(metrics).where(metrics.c.document_id.in_(part)))
                conn.execute(delete(document_agencies).where(document_agencies.c.document_id.in_(part)))
            rows = [{**self._document_row(o), "doc_id": id_} for id_, o in updates]
            stmt = update(documents).where(documents.c.id == bindparam("doc_id"))
            conn.execute(stmt, rows)
            doc_ids.extend(updates)
        self._write_children(conn, doc_ids, counts)

        touched = [o for o in outcomes if isinstance(o, Unchanged)]
        counts.unchanged += len(touched)
        restat = [
            {"doc_id": o.task.doc_id, "file_mtime_ns": o.task.ref.mtime_ns, "source_path": o.task.ref.source_path,
             "size_bytes": o.task.ref.size}
            for o in touched if o.task.doc_id is not None
        ]
        if restat:
            conn.execute(update(documents).where(documents.c.id == bindparam("doc_id")), restat)

        self._remember_skips(conn, outcomes, counts)
        failures = [o for o in outcomes if isinstance(o, Failed)]
        if failures:
            conn.execute(failed_files.insert(), [
                {"run_id": self.run_id, "file_path": o.task.ref.file_path, "source_path": o.failure.source_path,
                 "stage": o.failure.stage, "reason": clean_text(o.failure.reason), "content_sha256": o.failure.content_sha256,
                 "failed_at": self.now}
                for o in failures
            ])
            counts.failed += len(failures)
            counts.failures.extend((o.failure.source_path, o.failure.stage, o.failure.reason) for o in failures)

    def _remember_skips(self, conn: Connection, outcomes: list[Outcome], counts: BatchCounts) -> None:
        """Record files that are not documents; forget those that have become documents (or failed)."""
        turned_away = [o for o in outcomes if isinstance(o, NotDocument)]
        counts.skipped += len(turned_away)
        # only paths that had a row (the planner says which) or failed: a first load deletes nothing
        stale = [o.task.ref.file_path for o in outcomes
                 if not isinstance(o, Unchanged) and (o.task.was_skipped or isinstance(o, Failed))]
        for part in chunked(stale):
            conn.execute(delete(skipped_files).where(skipped_files.c.file_path.in_(part)))
        rows = [
            {"file_path": o.task.ref.file_path, "source_path": o.task.ref.source_path, "size_bytes": o.task.ref.size,
             "file_mtime_ns": o.task.ref.mtime_ns, "content_sha256": o.sha256, "extractor_version": self.version,
             "reason": o.reason[:500], "run_id": self.run_id}
            for o in turned_away if o.sha256 is not None
        ]
        if rows:
            conn.execute(skipped_files.insert(), rows)

    def _write_children(self, conn: Connection, doc_ids: list[tuple[int, Transformed]], counts: BatchCounts) -> None:
        links: dict[tuple[int, int, str], dict] = {}
        aliases: dict[tuple[int, str], None] = {}  # in order of first mention, each once a run (see below)
        metric_rows: list[dict] = []
        for doc_id, item in doc_ids:
            for mention in item.record.agencies:
                agency_id = self.agency_ids[mention.name]
                key = (doc_id, agency_id, mention.role)
                if key in links:
                    links[key]["mention_count"] += mention.mention_count
                    continue
                links[key] = {"document_id": doc_id, "agency_id": agency_id, "role": mention.role,
                              "mention_count": mention.mention_count, "aliases": _joined(mention.aliases),
                              "run_id": self.run_id}
                aliases.update(dict.fromkeys((agency_id, alias) for alias in mention.aliases if alias))
            for m in item.record.metrics:
                metric_rows.append({
                    "document_id": doc_id,
                    "agency_id": self.agency_ids.get(m.agency_name) if m.agency_name else None,
                    "indicator": m.indicator if m.indicator in self.indicator_codes else None,
                    "value": m.value, "value_max": m.value_max, "unit": m.unit, "qualifier": m.qualifier,
                    "raw_text": m.raw_text, "sentence": m.sentence, "char_start": m.char_start,
                    "char_end": m.char_end, "period_start": m.period_start, "period_end": m.period_end,
                    "period_kind": m.period_kind, "cumulative": m.cumulative, "on_topic": m.on_topic, "run_id": self.run_id,
                    "agency_basis": m.agency_basis, "corrected": m.extracted_values is not None,
                    "extracted_values": m.extracted_values,
                })
        if links:
            bulk_insert(conn, document_agencies, list(links.values()))
        # Ids must not depend on how outcomes are grouped into writes (the pool's last writes follow timing): so
        # aliases go in the order they are first met, and each pair is tried once a run, because PostgreSQL
        # spends a sequence value on every row that ON CONFLICT skips.
        new_aliases = [pair for pair in aliases if pair not in self.aliases_written]
        if new_aliases:
            stmt = insert_for(conn, agency_aliases).on_conflict_do_nothing(index_elements=["agency_id", "alias"])
            conn.execute(stmt, [{"agency_id": a, "alias": s, "run_id": self.run_id} for a, s in new_aliases])
            self.aliases_written.update(new_aliases)
        if metric_rows:
            bulk_insert(conn, metrics, metric_rows)
            counts.metrics_written += len(metric_rows)
        self.dim_years.cover(conn, [item.record.extracted.published_on for _, item in doc_ids]
                             + [day for m in metric_rows for day in (m["period_start"], m["period_end"])])


def _under(path_column, folder: str):
    """path_column is a path inside folder: a range on the column's index, not a LIKE."""
    prefix = folder.rstrip("/") + "/"
    upper = folder.rstrip("/") + "0"  # '0' sorts right after '/'
    return and_(path_column >= prefix, path_column < upper)


def mark_removed(engine: Engine, folder: str, seen: set[int], run_id: int) -> int:
    """Mark active documents under folder whose file the walk did not see (by hash of path) as removed."""
    d = documents.c
    with engine.begin() as conn:
        rows = conn.execute(  # streamed: memory stays flat at 100,000 files
            select(d.id, d.file_path).where(d.status == "active", _under(d.file_path, folder))
            .execution_options(yield_per=5000)
        )
        gone = [id_ for id_, path in rows if hash(path) not in seen]
        for part in chunked(gone):
            conn.execute(
                update(documents).where(d.id.in_(part))
                .values(status="removed", removed_at=datetime.now(UTC), run_id=run_id)
            )
        if gone:  # links to a removed copy must move: recorded with the change, done after the load
            mark_pending(conn, run_id)
    return len(gone)


def documents_under(engine: Engine, folder: str) -> list[tuple[str, str]]:
    """(file_path, source_path) of the active documents under folder (a folder the walk could not list)."""
    d = documents.c
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(
            select(d.file_path, d.source_path).where(d.status == "active", _under(d.file_path, folder)))]


def forget_skipped(engine: Engine, folder: str, seen: set[int]) -> int:
    """Drop skipped_files rows under folder whose file the walk did not see (it is gone, or now excluded)."""
    s = skipped_files.c
    with engine.begin() as conn:
        paths = conn.execute(select(s.file_path).where(_under(s.file_path, folder))).scalars()
        gone = [path for path in paths if hash(path) not in seen]
        for part in chunked(gone):
            conn.execute(delete(skipped_files).where(s.file_path.in_(part)))
    return len(gone)


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "documents": conn.execute(
                select(func.count()).select_from(documents).where(documents.c.status == "active")
            ).scalar_one(),
            "agencies": conn.execute(select(func.count()).select_from(agencies)).scalar_one(),
            "metrics": conn.execute(select(func.count()).select_from(metrics)).scalar_one(),
        }
