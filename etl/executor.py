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
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Protocol

from etl.records import Outcome, Task
from etl.work import process_batch, worker_died


class Executor(Protocol):
    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]: ...

    def next_ready(self) -> bool:
        """Whether the next batch's outcomes are in, so that taking them will not wait."""
        ...

    def close(self) -> None: ...


class InlineExecutor:
    """One process: no pool start-up, simplest to debug (used for --workers 1)."""

    def __init__(self, max_bytes: int | None):
        self.max_bytes = max_bytes

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        for batch in batches:
            yield process_batch(batch, self.max_bytes)

    def next_ready(self) -> bool:
        return False  # computed when asked for

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

    Called in the parent before the pool forks, so every worker starts with it loaded (else each pays the
    imports again, while the parent migrates on the same cores); in a worker it is a
    no-op then, and covers start methods that do not fork.
    """
    import etl.transform  # noqa: F401 - start-up: the transform, only for a run that will transform files
    from etl.transform.duplicates import simhash  # start-up: as above

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


class WorkersKeepDying(RuntimeError):
    """Fresh workers die with nothing to do: the machine (memory, process limits) is at fault, not a file."""


class ProcessPoolBatchExecutor:
    """A local process pool with a bounded, ordered window of batches in flight.

    A worker that dies (a crash in a C extension, the kernel's OOM killer) breaks the whole pool and every
    batch in flight with it. The batches in flight are then run again one file at a time in a fresh pool,
    so that a file that kills its worker becomes a Failed outcome and every other file is still loaded.
    """

    def __init__(self, workers: int, max_bytes: int | None, window_per_worker: int = 3):
        self.workers = workers
        self.context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.pool = self._new_pool()
        self.window = max(workers * window_per_worker, MIN_WINDOW_BATCHES)
        self.work = partial(process_batch, max_bytes=max_bytes)
        self.started = False
        self.pending: deque[tuple[list[Task], Future]] = deque()  # batches in flight, oldest first

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context, initializer=_start_worker)

    def warm_up(self) -> None:
        """Start the workers now, not at the first batch: they fork while the parent takes the lock and migrates."""
        self._start()

    def _start(self) -> None:
        if not self.started:
            self.started = True
            _load_transform()
            self.pool.submit(_nothing)

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        pending = self.pending
        for batch in batches:
            self._start()
            pending.append((batch, self._submit(batch)))
            if len(pending) >= self.window:
                yield self._outcomes(pending)
        while pending:
            yield self._outcomes(pending)

    def next_ready(self) -> bool:
        return bool(self.pending) and self.pending[0][1].done()

    def _submit(self, batch: list[Task]) -> Future:
        try:
            return self.pool.submit(self.work, batch)
        except BrokenProcessPool:  # broken by a batch still in flight: a future that says so
            future: Future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    def _outcomes(self, pending: deque[tuple[list[Task], Future]]) -> list[Outcome]:
        """The oldest batch's outcomes; after a worker died, every batch in flight is run again file by file."""
        batch, future = pending.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            pass
        suspects = [batch] + [b for b, _ in pending]
        self._replace_pool()
        isolated = [(b, _done([self._isolated(task) for task in b])) for b in suspects]
        pending.clear()
        pending.extend(isolated[1:])
        return isolated[0][1].result()

    def _isolated(self, task: Task) -> Outcome:
        """One file alone in the pool: if the pool breaks now, this file broke it.

        Tried twice, in two fresh pools: the first death may have been the machine's doing (the OOM killer
        picks the largest process, which need not be the one to blame)."""
        for _ in range(2):
            try:
                return self.pool.submit(self.work, [task]).result()[0]
            except BrokenProcessPool:
                self._replace_pool()
        return worker_died(task)

    def _replace_pool(self) -> None:
        """A fresh pool in place of a broken one; raises WorkersKeepDying if its workers cannot run at all."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new_pool()
        try:
            self.pool.submit(_nothing).result()
        except BrokenProcessPool:
            raise WorkersKeepDying("worker processes die before doing any work; is the machine out of memory "
                                   "or processes? (--workers 1 runs without them)") from None

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _done(outcomes: list[Outcome]) -> Future:
    future: Future = Future()
    future.set_result(outcomes)
    return future


def make_executor(spec: str, workers: int, max_bytes: int | None) -> Executor:
    """'local' (a process pool of `workers`, inline when 1) or 'dask' / 'dask://HOST:PORT'."""
    if spec.startswith("dask"):
        from etl.executor_dask import (
            DaskExecutor,  # start-up: an optional extra, imported only when asked for
        )

        return DaskExecutor(spec, max_bytes, workers=workers)
    if spec != "local":
        raise ValueError(f"unknown executor {spec!r}: use local, dask or dask://HOST:PORT")
    if workers <= 1:
        return InlineExecutor(max_bytes)
    return ProcessPoolBatchExecutor(workers, max_bytes)
