"""Pool workers run at a lower priority than the parent, the single writer on the critical path."""

from __future__ import annotations

import os

import pytest

from etl.executor import WORKER_NICENESS, ProcessPoolBatchExecutor


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no os.nice on this platform")
def test_pool_workers_are_nicer_than_the_parent() -> None:
    executor = ProcessPoolBatchExecutor(workers=2, max_bytes=None)
    try:
        niceness = {executor.pool.submit(os.nice, 0).result() for _ in range(4)}
    finally:
        executor.close()
    parent = os.nice(0)
    assert niceness == {min(parent + WORKER_NICENESS, 19)}


def test_workers_start_before_the_lock_only_for_a_new_file(tmp_path, seeds_copy, monkeypatch) -> None:
    """A run into a new SQLite file starts its workers while it migrates; a re-run that finds nothing to do
    never starts one (it must cost no more than reading the folder)."""
    from concurrent.futures import ProcessPoolExecutor

    from etl.api import run

    submitted: list[str] = []
    original = ProcessPoolExecutor.submit

    def counting_submit(self, fn, *args, **kwargs):
        submitted.append(getattr(fn, "__name__", getattr(getattr(fn, "func", None), "__name__", "?")))
        return original(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", counting_submit)
    url = str(tmp_path / "new.db")
    assert run([str(seeds_copy)], url, workers=2).files_new == 5
    assert submitted.index("process_batch") > 0  # the pool was started (warmed) before the first batch
    submitted.clear()
    again = run([str(seeds_copy)], url, workers=2)
    assert again.files_unchanged == 5 and submitted == []
