"""Once the walk is over, a pool's outcomes are written as they arrive, not held for a full transaction.

Why: the last files of a run are still being transformed after every task is out. Holding their outcomes
until the workers are done left a transaction's worth of writing (0.2 s for the news files, which come last)
on one core while the other idled. Here the last file takes a second to transform in a real pool worker: the
outcomes before it must already be in the database by then, and the last write holds that file alone.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

import etl.transform
from etl import pipeline
from etl.load.loader import Loader
from etl.pipeline import RunOptions
from tests.helpers import snapshot

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SLOW_NAME = "zz_slow.txt"  # sorts last: the walk goes in name order


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(SEEDS, docs)
    first = sorted(SEEDS.iterdir())[0]
    (docs / SLOW_NAME).write_bytes(first.read_bytes() + "\n本文另有一段。\n".encode())
    return docs


def _slow_last_file(monkeypatch: pytest.MonkeyPatch) -> None:
    transform = etl.transform.transform_document

    def slow(data, source_path, *args, **kwargs):
        if source_path.endswith(SLOW_NAME):
            time.sleep(1.0)
        return transform(data, source_path, *args, **kwargs)

    monkeypatch.setattr(etl.transform, "transform_document", slow)  # forked workers inherit it


def _spy_on_writes(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    writes: list[list[str]] = []
    write = Loader.write

    def spy(self, outcomes):
        writes.append([o.task.ref.source_path for o in outcomes])
        return write(self, outcomes)

    monkeypatch.setattr(Loader, "write", spy)
    return writes


def test_outcomes_before_a_slow_last_file_are_written_while_it_runs(tree: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "TASKS_PER_BATCH", 1)
    monkeypatch.setattr(pipeline, "LOAD_BATCH_DOCUMENTS", 1000)  # the size rule alone would write once, at the end
    _slow_last_file(monkeypatch)
    writes = _spy_on_writes(monkeypatch)

    summary = pipeline.run([str(tree)], f"sqlite:///{tmp_path / 'w2.db'}", RunOptions(workers=2))

    assert summary.status == "succeeded" and summary.files_new == 6
    assert writes[-1] == [SLOW_NAME]
    assert sorted(name for write in writes for name in write) == sorted(p.name for p in tree.iterdir())


def test_a_run_writes_the_same_rows_either_way(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "TASKS_PER_BATCH", 1)
    _slow_last_file(monkeypatch)
    urls = [f"sqlite:///{tmp_path / name}" for name in ("w1.db", "w2.db")]
    for url, workers in zip(urls, (1, 2), strict=True):
        pipeline.run([str(tree)], url, RunOptions(workers=workers))
    one, two = (snapshot(url) for url in urls)
    assert one == two
