"""The Dask executor: the same batches as the local pool, run on a Dask cluster (optional extra `dask`).

Why Dask and not a home-made scheduler: it already does what a cluster needs (workers joining and leaving,
re-running the work of a lost worker, back-pressure, a dashboard). The run stays in charge of ordering and
writing: batches are submitted in order, a bounded window of them is in flight, and results come back in
submission order, so a Dask run writes the same rows with the same ids as a local run, and memory on the
client does not grow with the corpus. Workers read the files themselves, so the input must be at the same
path on every worker (shared storage); only Tasks (paths) travel out and records travel back.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from etl.records import Outcome, Task
from etl.version import extractor_version
from etl.work import process_batch, worker_died

try:  # the optional extra: keep the import error readable for SQLite-only installs
    from dask.distributed import Client, Future, KilledWorker, LocalCluster
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "the dask executor needs the optional extra: pip install 'yibao-etl[dask]' (dask[distributed])"
    ) from exc

WINDOW_PER_THREAD = 3  # batches in flight per worker thread: enough to hide a round trip, small for memory
TASK_RETRIES = 2  # a batch that raises is run again; a batch on a lost worker is re-run by the scheduler
WORKER_WAIT_SECONDS = 60.0  # how long a run waits for the first worker of a remote cluster
CONNECT_SECONDS = 30.0  # how long a run waits for the scheduler to answer
RESIZE_EVERY = 64  # batches between looks at the cluster's size


def _worker_version() -> str:
    """Run on each worker: the code version it would transform with."""
    return extractor_version()


class DaskExecutor:
    """Runs batches on a LocalCluster ('dask') or on a running scheduler ('dask://HOST:PORT')."""

    def __init__(self, spec: str, max_bytes: int | None, workers: int | None = None,
                 window_per_thread: int = WINDOW_PER_THREAD, retries: int = TASK_RETRIES):
        if spec != "dask" and not (spec.startswith("dask://") and len(spec) > len("dask://")):
            raise ValueError(f"unknown executor {spec!r}: use dask or dask://HOST:PORT")
        self.spec = spec
        self.max_bytes = max_bytes
        self.workers = workers
        self.window_per_thread = window_per_thread
        self.retries = retries
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None
        self.pending: deque[tuple[list[Task], Future]] = deque()
        self.window = 2
        self.run_key = f"etl-batch-{uuid.uuid4().hex[:8]}"
        self.isolated = 0  # files run alone after their batch killed its workers

    def _start(self) -> Client:
        """Connect (or start the LocalCluster) on the first batch: a run with nothing to do needs no cluster."""
        if self.spec == "dask":
            # processes (the transform is pure Python: threads would share one GIL), one thread each
            self.cluster = LocalCluster(
                n_workers=self.workers or 1, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster, set_as_default=False)
        else:
            address = self.spec[len("dask://"):]
            self.client = Client(address if "://" in address else f"tcp://{address}", set_as_default=False,
                                 timeout=CONNECT_SECONDS)
        self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        self._check_versions()
        self._resize()
        return self.client

    def _resize(self) -> None:
        """Window = threads now in the cluster x window_per_thread, so workers that join get work too."""
        assert self.client is not None
        self.window = max(2, sum(self.client.nthreads().values()) * self.window_per_thread)

    def _check_versions(self) -> None:
        """Refuse workers running other transform code: their rows would not match what the run records."""
        assert self.client is not None
        mine = extractor_version()
        theirs: dict[str, Any] = self.client.run(_worker_version)
        wrong = {addr: v for addr, v in theirs.items() if v != mine}
        if wrong:
            addr, version = next(iter(wrong.items()))
            raise RuntimeError(
                f"{len(wrong)} Dask worker(s) run extractor version {version} (e.g. {addr}), this client runs "
                f"{mine}: install the same yibao-etl on every worker"
            )

    def _submit(self, index: int, batch: list[Task]) -> Future:
        client = self.client or self._start()
        if index and index % RESIZE_EVERY == 0:
            self._resize()
        return client.submit(process_batch, batch, self.max_bytes, key=f"{self.run_key}-{index}",
                             retries=self.retries)

    def map_batches(self, batches: Iterable[list[Task]]) -> Iterator[list[Outcome]]:
        """Outcome lists in submission order; at most `window` batches submitted and not yet consumed."""
        for index, batch in enumerate(batches):
            self.pending.append((batch, self._submit(index, batch)))
            if len(self.pending) >= self.window:
                yield self._next()
        while self.pending:
            yield self._next()

    def next_ready(self) -> bool:
        return bool(self.pending) and self.pending[0][1].done()

    def _next(self) -> list[Outcome]:
        batch, future = self.pending.popleft()
        try:
            return future.result()
        except KilledWorker:  # its workers died more often than the scheduler allows: find the file to blame
            return [self._isolated(task) for task in batch]
        finally:
            future.release()  # let the worker drop the result now, not when the run ends

    def _isolated(self, task: Task) -> Outcome:
        """One file as a task of its own: if its workers keep dying, this file kills them."""
        assert self.client is not None
        self.isolated += 1
        future = self.client.submit(process_batch, [task], self.max_bytes, key=f"{self.run_key}-file-{self.isolated}")
        try:
            return future.result()[0]
        except KilledWorker:
            return worker_died(task)
        finally:
            future.release()

    def close(self) -> None:
        """Cancel what is still in flight (a failed run) and shut down what this executor started."""
        if self.pending and self.client is not None:
            try:
                self.client.cancel([future for _, future in self.pending])
            except Exception:  # the scheduler may already be gone
                pass
            self.pending.clear()
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
