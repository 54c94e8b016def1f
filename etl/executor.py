"""Executors hand batches of tasks to workers and give the outcomes back in submission order.

Ordered results keep runs reproducible: a run with N workers writes the same rows, with the same ids, as a
run with one. The window of batches in flight is bounded, so memory does not grow with the corpus.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from typing import Protocol

from etl.work import Outcome, Task, process_batch


class Executor(Protocol):
    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]: ...

    def close(self) -> None: ...


class InlineExecutor:
    """One process: no pool start-up, simplest to debug (used for --workers 1)."""

    def __init__(self, max_bytes: int | None):
        self.max_bytes = max_bytes

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        for batch in batches:
            yield process_batch(batch, self.max_bytes)

    def close(self) -> None:
        pass


# Batches in flight at least: two load transactions' worth (2 x 256 documents at 16 files a batch). While the
# parent writes one transaction (seconds, with the search index on), workers keep transforming the next ones
# instead of idling on a full window; the results held meanwhile are a few MB.
MIN_WINDOW_BATCHES = 32

# Pool workers run this much nicer than the parent. The parent is the single writer and the critical path
# (on SQLite most of its time goes to the search index when it is on); with two workers and the parent on two cores, equal
# priorities gave it about two thirds of a core. Lower-priority workers only yield when the CPU is contended,
# so they lose nothing otherwise.
WORKER_NICENESS = 10


def _load_transform() -> None:
    """Import the transform (its modules, NumPy for SimHash) and run it once.

    Called in the parent before the pool forks, so every worker starts with it loaded (0.1 s of CPU each
    otherwise, twice over on two workers, while the parent migrates on the same cores); in a worker it is a
    no-op then, and covers start methods that do not fork.
    """
    import etl.transform  # noqa: F401
    from etl.transform.duplicates import simhash

    simhash("warm up")


def _start_worker() -> None:
    """Pool initializer, once in each worker process: lower its priority; have the transform loaded."""
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on this platform, or not allowed: run as is
        pass
    _load_transform()


def _nothing() -> None:
    """A task that only makes the pool start its workers."""


class ProcessPoolBatchExecutor:
    """A local process pool with a bounded, ordered window of batches in flight."""

    def __init__(self, workers: int, max_bytes: int | None, window_per_worker: int = 3):
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)
        self.window = max(workers * window_per_worker, MIN_WINDOW_BATCHES)
        self.work = partial(process_batch, max_bytes=max_bytes)
        self.started = False

    def warm_up(self) -> None:
        """Start the workers now, not at the first batch: they fork while the parent takes the lock and migrates."""
        self._start()

    def _start(self) -> None:
        if not self.started:
            self.started = True
            _load_transform()
            self.pool.submit(_nothing)

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        pending: deque[Future] = deque()
        for batch in batches:
            self._start()
            pending.append(self.pool.submit(self.work, batch))
            if len(pending) >= self.window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def make_executor(spec: str, workers: int, max_bytes: int | None) -> Executor:
    """'local' (a process pool of `workers`, inline when 1) or 'dask' / 'dask://HOST:PORT'."""
    if spec.startswith("dask"):
        from etl.executor_dask import DaskExecutor  # optional extra

        return DaskExecutor(spec, max_bytes, workers=workers)
    if spec != "local":
        raise ValueError(f"unknown executor {spec!r}: use local, dask or dask://HOST:PORT")
    if workers <= 1:
        return InlineExecutor(max_bytes)
    return ProcessPoolBatchExecutor(workers, max_bytes)
