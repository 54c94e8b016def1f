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
