"""`etl run`: walk -> plan (what changed) -> extract+transform in workers -> load in batches -> finish.

Memory stays flat: files stream from the walk in chunks, each chunk's stored state is fetched with one
query, and only a bounded window of batches is in flight. Unchanged files (same size, mtime and extractor
version) are not even read.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field

from etl.config import DEFAULT_MAX_FILE_BYTES, masked, masked_text, resolve_url
from etl.corrections import begin_run as begin_corrections
from etl.corrections import load_corrections
from etl.executor import Executor, make_executor
from etl.extract.files import (
    NOT_DOCUMENT_SUFFIXES,
    SKIPPED_FOLDERS,
    Skipped,
    UnlistedFolder,
    Unusable,
    matches_any,
    stored_path,
    walk,
)
from etl.load import migrate
from etl.load.db import make_engine, sqlite_path
from etl.load.duplicates import link_duplicates
from etl.load.faults import fault_point
from etl.load.loader import (
    BatchCounts,
    Loader,
    documents_under,
    forget_skipped,
    known_documents,
    known_skips,
    mark_removed,
    stale_documents,
    table_counts,
)
from etl.load.lock import writer_lock
from etl.load.pending import done as mark_done
from etl.load.pending import pending as steps_left
from etl.load.postload import after_load
from etl.load.runs import abort_stale_runs, finish_run, start_run, sync_vocabulary
from etl.load.search_index import repair_if_incomplete
from etl.records import DocumentRecord, Failed, Failure, FileRef, Outcome, Task, Transformed
from etl.rules import check as check_rules
from etl.version import extractor_version

PLAN_CHUNK = 512  # files whose stored state is fetched with one query
TASKS_PER_BATCH = 16  # files a worker handles per round trip
LOAD_BATCH_DOCUMENTS = 256  # documents written per transaction


@dataclass(slots=True)
class RunOptions:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    reprocess: bool = False
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    executor: str = "local"
    max_file_bytes: int | None = DEFAULT_MAX_FILE_BYTES
    follow_symlinks: bool = False
    lock_wait_seconds: float = 0.0
    corrections: str | None = None  # the corrections folder (None: $ETL_CORRECTIONS_DIR, else ./corrections)


@dataclass(slots=True)
class RunSummary:
    run_id: int
    status: str
    database: str
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_reprocessed: int = 0
    files_moved: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    files_skipped: int = 0
    files_removed: int = 0
    documents: int = 0
    agencies: int = 0
    metrics: int = 0
    metrics_written: int = 0
    corrections_applied: int = 0
    corrections_orphaned: int = 0
    corrections_pending: int = 0
    corrections_version: str | None = None  # SHA-256 of the corrections folder's files (etl_runs.corrections_sha256)
    seconds: float = 0.0
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    orphaned: list[tuple[str, str, str, str]] = field(default_factory=list)  # (file:line, kind, target, why)

    def as_dict(self) -> dict:
        return asdict(self)


Progress = Callable[[int], None]


class _Planner:
    """Turns walked files into tasks, counting what the walk passed over."""

    def __init__(self, engine, options: RunOptions, version: str, fresh: bool = False):
        self.engine = engine
        self.options = options
        self.version = version
        self.fresh = fresh  # the database is created by this run: nothing is known, nothing to look up
        self.seen_hashes: set[int] = set()
        self.skipped = 0
        self.seen = 0
        self.unchanged = 0
        self.passed_over = 0  # files settled without a task (unchanged, or turned away before), for progress
        self.unusable: list[Failed] = []
        self.stale: set[int] | None = None  # documents not current (removed, another version): read once
        self.forced: set[int] = set()  # documents to read again because a correction of theirs changed
        self.exhausted = False  # the walk is over: every task has been handed out

    def tasks(self, paths: list[str]) -> Iterator[Task]:
        chunk: list[FileRef] = []
        for item in walk(paths, self.options.include, self.options.exclude, self.options.follow_symlinks):
            if isinstance(item, Skipped):
                self.skipped += 1
                self.seen_hashes.add(hash(item.file_path))
            elif isinstance(item, Unusable):
                self.seen += 1
                self.seen_hashes.add(hash(item.file_path))
                ref = FileRef(item.file_path, item.source_path, 0, 0)
                self.unusable.append(Failed(Task(ref, None, None, False), Failure(item.source_path, "walk", item.reason)))
                if isinstance(item, UnlistedFolder) and not self.fresh:
                    self._shield(item)
            else:
                self.seen += 1
                self.seen_hashes.add(hash(item.file_path))
                chunk.append(item)
                if len(chunk) >= PLAN_CHUNK:
                    yield from self._plan(chunk)
                    chunk = []
        if chunk:
            yield from self._plan(chunk)
        self.exhausted = True

    def _shield(self, folder: UnlistedFolder) -> None:
        """A folder that cannot be listed is not a folder emptied: its known documents count as seen (none
        is marked removed) and each is recorded as unreadable, with the folder's reason."""
        for path, source_path in documents_under(self.engine, folder.file_path):
            self.seen_hashes.add(hash(path))
            ref = FileRef(path, source_path, 0, 0)
            reason = f"not read: its folder {folder.source_path} could not be listed ({folder.reason})"
            self.unusable.append(Failed(Task(ref, None, None, False), Failure(source_path, "walk", reason)))

    def _plan(self, refs: list[FileRef]) -> Iterator[Task]:
        if self.fresh:
            for ref in refs:
                yield Task(ref, None, None, False)
            return
        with self.engine.connect() as conn:
            if self.stale is None:
                self.stale = stale_documents(conn, self.version) | self.forced
            known = known_documents(conn, [r.file_path for r in refs], self.stale)
            skips = known_skips(conn, [r.file_path for r in refs])
        for ref in refs:
            skip = skips.get(ref.file_path)
            if (skip is not None and skip.size_bytes == ref.size and skip.file_mtime_ns == ref.mtime_ns
                    and skip.extractor_version == self.version and not self.options.reprocess):
                self.skipped += 1  # turned away before, unchanged since: not read again, and counted as
                self.seen -= 1  # when it was read: skipped, not seen (a document file)
                self.passed_over += 1
                continue
            doc = known.get(ref.file_path)
            if doc is None:
                yield Task(ref, None, None, False, was_skipped=skip is not None)
                continue
            stale = self.options.reprocess or not doc.current
            same_stat = doc.size_bytes == ref.size and doc.file_mtime_ns == ref.mtime_ns
            if same_stat and not stale and doc.source_path == ref.source_path:
                self.unchanged += 1  # the fast path: not even read
                self.passed_over += 1
                continue
            yield Task(ref, doc.id, doc.content_sha256, stale, was_skipped=skip is not None)


def _batched(tasks: Iterable[Task], size: int) -> Iterator[list[Task]]:
    batch: list[Task] = []
    for task in tasks:
        batch.append(task)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _folders(paths: list[str]) -> list[str]:
    return [stored_path(os.path.realpath(p)) for p in paths if os.path.isdir(p)]


class PathNotFound(LookupError):
    """A path given to a run does not exist: nothing is written (a typo must not create a database)."""

    def __init__(self, paths: list[str]):
        self.paths = paths
        super().__init__("no such file or folder: " + ", ".join(paths))


def run(
    paths: list[str] | None = None,
    db_url: str | None = None,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Extract, transform and load every document under paths into the database at db_url.

    Migrates the database to head first. Raises LockBusy if another run is writing to the database, and
    PathNotFound, before touching it, if a path does not exist, RuleError for a mistake in a rule table, and
    CorrectionError, before writing anything, for a mistake in the corrections folder.
    """
    started = time.monotonic()
    paths = list(paths or ["seeds"])
    missing = [p for p in paths if not os.path.lexists(p)]  # a dangling link is the walk's to record
    if missing:
        raise PathNotFound(missing)
    options = options or RunOptions()
    check_rules()  # a mistake in a rule table stops the run here, naming the file and line
    found = load_corrections(options.corrections)
    url = resolve_url(db_url)
    engine = make_engine(url)
    version = extractor_version()
    executor = make_executor(options.executor, options.workers, options.max_file_bytes)
    if hasattr(executor, "warm_up") and _new_sqlite_file(url):
        executor.warm_up()  # a new file will be filled: the workers start while this process locks and migrates
    try:
        with writer_lock(engine, options.lock_wait_seconds) as lock:
            # checked under the lock: no other run can have created the file meanwhile
            planner = _Planner(engine, options, version, fresh=_new_sqlite_file(url))
            outcomes = _Primed(executor.map_batches(_batched(planner.tasks(paths), TASKS_PER_BATCH)))
            if planner.fresh:
                outcomes.prime()  # the workers transform the first batches while this process creates the schema
            migrate.upgrade_to_head(engine)
            abort_stale_runs(engine)
            sync_vocabulary(engine)
            repair_if_incomplete(engine)  # a search index an older version left on but half-built
            run_id = start_run(engine, [stored_path(os.path.abspath(p)) for p in paths], version)
            summary = RunSummary(run_id=run_id, status="running", database=masked(url))
            try:
                corrections = begin_corrections(engine, found, run_id, planner.fresh)
                if corrections is not None:
                    planner.forced = corrections.redo
                _execute(engine, executor, planner, outcomes, run_id, paths, version, summary, progress, corrections,
                         lock.check)
                lock.check()  # still ours: what this run wrote was written under the lock
            except BaseException as exc:
                reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else masked_text(f"{type(exc).__name__}: {exc}")
                summary.status = "aborted" if isinstance(exc, KeyboardInterrupt) else "failed"
                try:
                    finish_run(engine, run_id, summary.status, _counts(summary), reason.splitlines()[0][:500])
                except Exception:  # the database itself may be gone; the next run marks the row aborted
                    pass
                raise
            summary.status = "partial" if summary.files_failed else "succeeded"
            summary.seconds = round(time.monotonic() - started, 3)
            finish_run(engine, run_id, summary.status, _counts(summary))
            return summary
    finally:
        executor.close()
        engine.dispose()


def _new_sqlite_file(url: str) -> bool:
    """A SQLite file that does not exist yet: the run will transform every file it is given.

    Only then are the workers started before the lock and the migrations; a re-run may find nothing to do
    and should not pay for workers it never uses."""
    path = sqlite_path(url)
    return path is not None and _size(path) == 0 and _size(f"{path}-wal") == 0  # the lock creates it empty


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _counts(summary: RunSummary) -> dict[str, int]:
    return {k: v for k, v in summary.as_dict().items() if isinstance(v, int) and k != "run_id"}


class _Primed:
    """An iterator whose first item can be taken early, so that whatever produces the items starts sooner.

    An error while priming is raised when the items are iterated: by then the run has its etl_runs row,
    which records it."""

    def __init__(self, items: Iterator[list[Outcome]]):
        self.items = items
        self.head: list[list[Outcome]] = []
        self.error: Exception | None = None

    def prime(self) -> None:
        try:
            self.head.extend(itertools.islice(self.items, 1))
        except Exception as exc:
            self.error = exc

    def __iter__(self) -> Iterator[list[Outcome]]:
        if self.error is not None:
            raise self.error
        while self.head:
            yield self.head.pop(0)
        yield from self.items


def _execute(engine, executor: Executor, planner: _Planner, outcomes: Iterable[list[Outcome]], run_id: int,
             paths: list[str], version: str, summary: RunSummary, progress: Progress | None,
             corrections=None, check_lock: Callable[[], None] = lambda: None) -> None:
    loader = Loader(engine, run_id, version)
    undone = steps_left(engine)  # steps an earlier run left undone: done by this one, whatever it loads

    unguarded = loader.write
    if corrections is not None:  # applied between the transform and the load
        loader.agency_ids.update(corrections.agency_ids)
        unguarded = corrections.wrap(loader.write)

    def write(batch: list) -> BatchCounts:
        check_lock()  # a run that lost its writer lock must not write another batch
        return unguarded(batch)

    fault_point("before_load")
    totals = BatchCounts()
    pending: list = []
    pending_docs = 0
    try:
        for batch in outcomes:
            pending.extend(batch)
            pending_docs += len(batch)
            if planner.unusable:
                pending.extend(planner.unusable)
                planner.unusable = []
            # Once every task is out, the last batches are still being transformed: whatever has arrived is
            # written whenever the next batch is not in yet, while the workers go on, so that what is left at
            # the end is a batch or two, not a transaction's worth written after the workers are done.
            if pending_docs >= LOAD_BATCH_DOCUMENTS or (planner.exhausted and not executor.next_ready()):
                totals.add(write(pending))
                _tell(progress, planner, len(pending))
                pending, pending_docs = [], 0
        pending.extend(planner.unusable)
        if pending:
            totals.add(write(pending))
        _tell(progress, planner, len(pending))
    finally:
        executor.close()

    removed = 0
    for folder in [] if planner.fresh else _folders(paths):  # a database this run created holds nothing unseen
        check_lock()
        removed += mark_removed(engine, folder, planner.seen_hashes, run_id)
        forget_skipped(engine, folder, planner.seen_hashes)
    _finish_steps(engine, run_id, totals, loader, undone, removed, check_lock)
    if corrections is not None:
        _correction_counts(summary, corrections.finish(engine, removed), corrections.version)
    summary.files_seen = planner.seen - totals.skipped
    summary.files_skipped = planner.skipped + totals.skipped
    summary.files_unchanged = planner.unchanged + totals.unchanged
    summary.files_new = totals.new
    summary.files_changed = totals.changed
    summary.files_reprocessed = totals.reprocessed
    summary.files_moved = totals.moved
    summary.files_failed = totals.failed
    summary.files_removed = removed
    summary.metrics_written = totals.metrics_written
    summary.failures = totals.failures
    for key, value in table_counts(engine).items():
        setattr(summary, key, value)


def _tell(progress: Progress | None, planner: _Planner, written: int) -> None:
    """Report the files settled since the last call: those written and those passed over unread."""
    settled, planner.passed_over = written + planner.passed_over, 0
    if progress and settled:
        progress(settled)


def _finish_steps(engine, run_id: int, totals: BatchCounts, loader: Loader, undone: set[str], removed: int,
                  check_lock: Callable[[], None]) -> None:
    """The steps after a load (copies linked, dim_date, the search index), when this run changed documents
    or an earlier one left them undone; then nothing is pending any more."""
    if not (totals.new or totals.changed or totals.moved or totals.reprocessed or removed or undone):
        return
    fault_point("after_load")
    check_lock()
    link_duplicates(engine)
    fault_point("after_linking")
    after_load(engine, run_id)
    if undone or loader.pending_marked or removed:
        mark_done(engine)


def load_records(records: Iterable[DocumentRecord], db_url: str | None = None, root: str | os.PathLike = ".",
                 lock_wait_seconds: float = 0.0) -> RunSummary:
    """Write records made outside a run (etl.api.inspect_file, a notebook's own transform) as one run of their
    own: migrated, under the writer lock, copies linked, and its etl_runs row closed as a run's is.

    A record's document is the file `root/source_path`: loading it again replaces that document's rows."""
    started = time.monotonic()
    records = list(records)
    url = resolve_url(db_url)
    engine = make_engine(url)
    version = extractor_version()
    base = os.path.abspath(root)
    try:
        with writer_lock(engine, lock_wait_seconds) as lock:
            migrate.upgrade_to_head(engine)
            abort_stale_runs(engine)
            sync_vocabulary(engine)
            run_id = start_run(engine, [stored_path(base)], version)
            summary = RunSummary(run_id=run_id, status="running", database=masked(url))
            try:
                undone = steps_left(engine)  # steps an earlier run left undone: done by this one
                totals, loader = _write_records(engine, run_id, version, base, records)
                _finish_steps(engine, run_id, totals, loader, undone, 0, lock.check)
                summary.files_seen = len(records)
                summary.files_new, summary.files_changed = totals.new, totals.changed
                summary.files_reprocessed, summary.files_moved = totals.reprocessed, totals.moved
                summary.metrics_written = totals.metrics_written
                for key, value in table_counts(engine).items():
                    setattr(summary, key, value)
                lock.check()
            except BaseException as exc:
                summary.status = "aborted" if isinstance(exc, KeyboardInterrupt) else "failed"
                reason = masked_text(f"{type(exc).__name__}: {exc}").splitlines()[0][:500]
                finish_run(engine, run_id, summary.status, _counts(summary), reason)
                raise
            summary.status = "succeeded"
            summary.seconds = round(time.monotonic() - started, 3)
            finish_run(engine, run_id, summary.status, _counts(summary))
            return summary
    finally:
        engine.dispose()


def _write_records(engine, run_id: int, version: str, base: str,
                   records: list[DocumentRecord]) -> tuple[BatchCounts, Loader]:
    """The records as Transformed outcomes of files under base, written LOAD_BATCH_DOCUMENTS at a time."""
    paths = [stored_path(os.path.join(base, r.source_path)) for r in records]
    with engine.connect() as conn:
        known = known_documents(conn, paths, set())
    loader = Loader(engine, run_id, version)
    totals = BatchCounts()
    outcomes: list[Outcome] = []
    for path, record in zip(paths, records, strict=True):
        doc = known.get(path)
        task = Task(FileRef(path, record.source_path, record.size_bytes, 0), doc.id if doc else None,
                    doc.content_sha256 if doc else None, True)
        outcomes.append(Transformed(task, record))
    for start in range(0, len(outcomes), LOAD_BATCH_DOCUMENTS):
        totals.add(loader.write(outcomes[start:start + LOAD_BATCH_DOCUMENTS]))
    return totals, loader


def count_documents(paths: Iterable[str], include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> int:
    """About how many document files a run will meet, for a progress bar's total.

    The walk's rules on names only (hidden, tooling folders, suffixes, --include/--exclude), from the entry
    types the folder listing gives: no stat per file, so it costs a small part of the walk's own time
    (bench/README.md). Symlinks and special files may make it differ by a few.
    """
    total = 0
    stack = [(p, "") for p in paths if os.path.isdir(p)]
    total += sum(1 for p in paths if os.path.isfile(p))
    while stack:
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
                    if entry.name.startswith(".") and not (include and matches_any(include, rel)):
                        continue
                    if entry.is_dir():
                        if entry.name not in SKIPPED_FOLDERS:
                            stack.append((entry.path, rel))
                    elif (entry.is_file() and not (include and not matches_any(include, rel))
                          and not (exclude and matches_any(exclude, rel))
                          and os.path.splitext(entry.name)[1].lower() not in NOT_DOCUMENT_SUFFIXES):
                        total += 1
        except OSError:
            continue
    return total


def _correction_counts(summary: RunSummary, counts, version: str | None) -> None:
    summary.corrections_applied = counts.applied
    summary.corrections_orphaned = counts.orphaned
    summary.corrections_pending = counts.pending
    summary.corrections_version = version
    summary.orphaned = counts.orphans


def print_progress_to(stream=sys.stderr) -> Progress:
    """Plain progress lines for logs (the CLI uses a bar on a terminal)."""
    done = 0
    last = time.monotonic()

    def report(count: int) -> None:
        nonlocal done, last
        done += count
        if time.monotonic() - last >= 2.0:
            print(f"processed {done} files", file=stream, flush=True)
            last = time.monotonic()

    return report
