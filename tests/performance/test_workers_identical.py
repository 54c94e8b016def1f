"""A --workers 2 run must leave the database exactly as a --workers 1 run does (issue 9).

Why: the pool hands batches back in submission order so ids and rows are reproducible; if that ever
broke, parallel runs would silently assign other ids or drop rows. Small batch sizes force many worker
batches and many load transactions even on a small input. Speed is measured in bench/, not here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import pipeline
from etl.pipeline import RunOptions
from tests.conftest import require_shared
from tests.helpers import snapshot

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
CORPUS = REPO.parent / "shared" / "corpus"
LAWS_EVERY = 60  # one laws file in 60: ~60 files from every folder, a few seconds on 2 cores
NEWS_EVERY = 3


def _load_twice(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(pipeline, "TASKS_PER_BATCH", 3)
    monkeypatch.setattr(pipeline, "LOAD_BATCH_DOCUMENTS", 7)
    snapshots = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        summary = pipeline.run([str(tree)], url, RunOptions(workers=workers))
        assert summary.status in ("succeeded", "partial")
        snapshots.append((summary, snapshot(url)))
    return snapshots


def _assert_same(one: dict, two: dict) -> None:
    assert sorted(one) == sorted(two), "different tables"
    for name in one:
        assert len(two[name]) == len(one[name]), f"{name}: {len(two[name])} rows with 2 workers, {len(one[name])} with 1"
        for index, (a, b) in enumerate(zip(two[name], one[name], strict=True)):
            assert a == b, f"{name}: row {index} differs:\n  2 workers {a!r}\n  1 worker  {b!r}"


def test_seeds_identical_with_two_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree / "seeds")
    (one_summary, one), (two_summary, two) = _load_twice(tree, tmp_path, monkeypatch)
    assert one_summary.files_new == two_summary.files_new == len(list(SEEDS.iterdir()))
    _assert_same(one, two)


def test_corpus_sample_identical_with_two_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    require_shared(CORPUS / "laws")
    require_shared(CORPUS / "news")
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree / "seeds")
    for part, every in (("laws", LAWS_EVERY), ("news", NEWS_EVERY)):
        files = sorted(p for p in (CORPUS / part).rglob("*") if p.is_file())
        for path in files[::every]:
            target = tree / part / path.relative_to(CORPUS / part)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    (one_summary, one), (_, two) = _load_twice(tree, tmp_path, monkeypatch)
    assert one_summary.files_new > 50 and one_summary.metrics_written > 0, "the sample should exercise the loader"
    _assert_same(one, two)
