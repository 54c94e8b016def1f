"""Executors hand batches of tasks to workers and give the outcomes back in submission order.

Ordered results keep runs reproducible: a run with N workers writes the same rows, with the same ids, as a
run with one. The window of batches in flight is bounded, so memory does not grow with the corpus.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Protocol

from etl.config import MAX_WORKERS
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

# How often a worker checks that its parent is alive where the parent-death signal is not available.
PARENT_CHECK_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1


def _load_transform() -> None:
    """Import the transform (its modules, NumPy for SimHash) and run it once.

    Called in the parent before the pool forks, so every worker starts with it loaded (else each pays the
    imports again, while the parent migrates on the same cores); in a worker it is a
    no-op then, and covers start methods that do not fork.
    """
    import etl.transform  # noqa: F401 - start-up: the transform, only for a run that will transform files
    from etl.transform.duplicates import simhash  # start-up: as above

    simhash("warm up")


def _start_worker(parent: int, from_main_thread: bool) -> None:
    """Pool initializer, once in each worker process: end with the parent; lower its priority; have the
    transform loaded."""
    _end_with_parent(parent, from_main_thread)
    try:
        os.nice(WORKER_NICENESS)
    except (AttributeError, OSError):  # no nice() on this platform, or not allowed: run as is
        pass
    _load_transform()


def _end_with_parent(parent: int, from_main_thread: bool) -> None:
    """A worker whose parent is killed (SIGKILL, SIGTERM, the OOM killer) must not live on for good.

    Linux: the kernel sends SIGKILL when the parent goes (prctl PR_SET_PDEATHSIG). The signal is tied to the
    thread that forked, so it is asked for only when that was the main thread; elsewhere, and on other
    systems, a daemon thread checks the parent's pid every PARENT_CHECK_SECONDS."""
    armed = False
    if from_main_thread and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="etl-parent-watch").start()


def _watch_parent(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


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
        self.size = workers  # the pool's size: min(workers, batches) once the first batches are known
        self.context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self._pool: ProcessPoolExecutor | None = None  # made when the first batches are known
        self.window = max(workers * window_per_worker, MIN_WINDOW_BATCHES)
        self.work = partial(process_batch, max_bytes=max_bytes)
        self.started = False
        self.pending: deque[tuple[list[Task], Future]] = deque()  # batches in flight, oldest first

    @property
    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool

    def _new_pool(self) -> ProcessPoolExecutor:
        main = threading.current_thread() is threading.main_thread()
        return ProcessPoolExecutor(max_workers=self.size, mp_context=self.context, initializer=_start_worker,
                                   initargs=(os.getpid(), main))

    def warm_up(self) -> None:
        """Have the transform loaded in this process now, so the workers fork with it (while the parent takes
        the lock, not after); the pool itself waits for the first batches, to be sized by them."""
        _load_transform()

    def _start(self, first: list[list[Task]]) -> None:
        if not self.started:
            self.started = True
            _load_transform()
            if self._pool is None:
                self.size = max(1, min(self.workers, len(first)))  # five files: one batch, one worker
            self.pool.submit(_nothing)

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        pending = self.pending
        batches = iter(batches)
        first = list(itertools.islice(batches, self.workers)) if not self.started else []
        for batch in itertools.chain(first, batches):
            self._start(first)
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
        self._pool = self._new_pool()
        try:
            self.pool.submit(_nothing).result()
        except BrokenProcessPool:
            raise WorkersKeepDying("worker processes die before doing any work; is the machine out of memory "
                                   "or processes? (--workers 1 runs without them)") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


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
    if workers > MAX_WORKERS:
        raise ValueError(f"--workers {workers}: at most {MAX_WORKERS}")
    if workers <= 1:
        return InlineExecutor(max_bytes)
    return ProcessPoolBatchExecutor(workers, max_bytes)
