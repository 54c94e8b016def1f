"""The unit of parallel work: read, hash and transform one file. Runs in worker processes; no database."""

from __future__ import annotations

import multiprocessing
import resource
import signal
import threading
from contextlib import contextmanager

from etl.extract.files import read_file
from etl.load.clean import clean, clean_text, may_need_cleaning
from etl.records import (
    DocumentRecord,
    Failed,
    Failure,
    NotADocument,
    NotDocument,
    Outcome,
    StageError,
    Task,
    Transformed,
    Unchanged,
)

# One pathological file must cost that file, not the run or the machine: a worker process may use at most
# this much address space, and a file may take at most this long to transform.
WORKER_MEMORY_LIMIT_BYTES = 4 * 1024**3
FILE_TIME_LIMIT_SECONDS = 60.0
_memory_limited = False


class TransformTimeout(Exception):
    """A file took longer than FILE_TIME_LIMIT_SECONDS to transform."""


def _limit_worker_memory() -> None:
    """Cap a worker process's address space once (never the parent's: it holds the database session)."""
    global _memory_limited
    if _memory_limited or multiprocessing.parent_process() is None:
        return
    _memory_limited = True
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, WORKER_MEMORY_LIMIT_BYTES)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # a platform without RLIMIT_AS: run unguarded
        pass


@contextmanager
def _time_limit(seconds: float):
    """Raise TransformTimeout in the block after `seconds` (main thread only: signals need it)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signum, _frame):
        raise TransformTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def transform_limited(data: bytes, source_path: str, sha256: str | None = None) -> DocumentRecord:
    """transform_document under the per-file time limit (etl run and etl inspect alike): raises
    TransformTimeout after FILE_TIME_LIMIT_SECONDS."""
    from etl.transform import transform_document  # start-up: a no-change run never imports the transform

    with _time_limit(FILE_TIME_LIMIT_SECONDS):
        return transform_document(data, source_path, sha256=sha256)


def timeout_reason() -> str:
    return f"transform took over {FILE_TIME_LIMIT_SECONDS:.0f} s (a pathological input?)"


def process(task: Task, max_bytes: int | None) -> Outcome:
    """Never raises: an unusable file becomes a Failed outcome with a one-line reason."""
    ref = task.ref
    sha: str | None = None
    try:
        data, sha = read_file(ref.os_path, max_bytes)
        if sha == task.known_sha256 and not task.force:
            return Unchanged(task, sha)
        record = transform_limited(data, ref.source_path, sha)
        if may_need_cleaning(data):
            record = clean(record)  # nothing a database refuses (NUL, lone surrogates)
        return Transformed(task, record)
    except TransformTimeout:
        return Failed(task, Failure(ref.source_path, "transform", timeout_reason(), sha))
    except NotADocument as exc:
        return NotDocument(task, exc.reason, sha)
    except StageError as exc:
        return Failed(task, Failure(ref.source_path, exc.stage, clean_text(exc.reason), sha))
    except RecursionError:
        return Failed(task, Failure(ref.source_path, "transform", "document nested too deeply to parse", sha))
    except MemoryError:
        return Failed(task, Failure(ref.source_path, "transform", "out of memory while transforming", sha))
    except Exception as exc:  # a bug must cost one file, never the run
        reason = f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return Failed(task, Failure(ref.source_path, "transform", clean_text(reason), sha))


def worker_died(task: Task) -> Failed:
    """The outcome for a file whose worker process died each time it was transformed, alone and retried."""
    reason = "the worker process transforming this file died on every try (a crash, or killed for its memory)"
    return Failed(task, Failure(task.ref.source_path, "transform", reason))


def process_batch(tasks: list[Task], max_bytes: int | None) -> list[Outcome]:
    _limit_worker_memory()
    return [process(task, max_bytes) for task in tasks]
