"""A worker process that dies costs at most the file it was transforming, never the run.

A crash in a C extension or the kernel's OOM killer ends a pool worker with a signal; ProcessPoolExecutor
then fails every batch in flight. The executor runs those batches again one file at a time in a fresh pool:
a file that kills its worker twice is recorded in failed_files, every other file is loaded, and a death
that was not the file's fault (the first try dies, the second does not) loses nothing.

The deaths are real: the injected transform sends SIGKILL to its own worker process. It is patched before
the pool forks (the executor forks on POSIX), so the workers inherit it: in this process for the library
API, and in a `python -c` that patches and then runs the `etl` command for the CLI.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

import etl.executor
import etl.transform
from etl import pipeline
from etl.executor import WorkersKeepDying
from etl.load.schema import documents, etl_runs
from etl.pipeline import RunOptions
from tests.helpers import snapshot
from tests.reliability.rel_support import SEEDS, run_etl

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs fork and SIGKILL")

VICTIM_TEXT = "关于开展医保基金监管专项检查的通知\n\n各区医疗保障局：\n\n追回医保基金120万元。\n"


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    """seeds/ plus one more notice, the file the tests make deadly; returns (tree, that file)."""
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree / "seeds")
    victim = tree / "extra" / "deadly-notice.txt"
    victim.parent.mkdir(parents=True)
    victim.write_text(VICTIM_TEXT, encoding="utf-8")
    return tree, victim


def _kill_worker_on(monkeypatch: pytest.MonkeyPatch, victim: Path, times: int, tally: Path) -> None:
    """The transform of `victim` kills its worker process the first `times` times (counted in `tally`)."""
    real = etl.transform.transform_document

    def deadly(data: bytes, source_path: str, *, sha256: str | None = None):
        if source_path.endswith(victim.name):  # source_path is relative to the folder given to the run
            with tally.open("a") as f:
                f.write("x")
            if tally.stat().st_size <= times:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(data, source_path, sha256=sha256)

    monkeypatch.setattr(etl.transform, "transform_document", deadly)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several batches in flight at once, so a death breaks more than the batch that caused it."""
    monkeypatch.setattr(pipeline, "TASKS_PER_BATCH", 2)
    monkeypatch.setattr(pipeline, "LOAD_BATCH_DOCUMENTS", 3)


@pytest.mark.usefixtures("small_batches")
def test_a_worker_killed_once_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    tree, victim = _tree(tmp_path)
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    clean = pipeline.run([str(tree)], clean_url, RunOptions(workers=1))
    assert clean.status == "succeeded" and clean.files_new == 6

    tally = tmp_path / "tally"
    _kill_worker_on(monkeypatch, victim, times=1, tally=tally)
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    summary = pipeline.run([str(tree)], url, RunOptions(workers=2))

    assert tally.read_text() == "xx", "the victim should have been transformed twice: killed, then again"
    assert summary.status == "succeeded" and summary.files_new == 6 and summary.files_failed == 0
    assert snapshot(url) == snapshot(clean_url), "a worker's death must not change what is loaded"


# `etl` with a transform that kills its worker on one file name (patched before the pool forks)
DEADLY_ETL = """
import os, signal, sys
import etl.transform
real = etl.transform.transform_document
def deadly(data, source_path, *, sha256=None):
    if source_path.endswith(os.environ["DEADLY_NAME"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(data, source_path, sha256=sha256)
etl.transform.transform_document = deadly
from etl.cli import main
main()
"""


def test_a_file_that_kills_its_worker_is_recorded_and_the_run_goes_on(tmp_path: Path):
    tree, victim = _tree(tmp_path)
    db = tmp_path / "etl.db"
    done = subprocess.run([sys.executable, "-c", DEADLY_ETL, "run", str(tree), "--db", str(db), "--workers", "2"],
                          env={**os.environ, "DEADLY_NAME": victim.name}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 3, done.stderr  # the run completed, some files failed
    assert "new 5" in done.stdout and "failed 1" in done.stdout, done.stdout
    assert f"{victim.name}  [transform] the worker process transforming this file died" in done.stdout

    with sqlite3.connect(db) as conn:
        loaded = [p for (p,) in conn.execute("SELECT source_path FROM documents")]
        failures = conn.execute("SELECT source_path, stage, reason FROM failed_files").fetchall()
    assert len(loaded) == 5 and not any(p.endswith(victim.name) for p in loaded)
    assert len(failures) == 1 and failures[0][0].endswith(victim.name) and failures[0][1] == "transform"

    # the file is not lost: once it no longer kills its worker, the next run loads it
    again = run_etl("run", str(tree), "--db", str(db), "--workers", "2")
    assert again.returncode == 0 and "new 1" in again.stdout and "documents 6" in again.stdout, again.stdout


def test_workers_that_cannot_run_at_all_stop_the_run_with_a_reason(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    tree, _ = _tree(tmp_path)

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(etl.executor, "_start_worker", die)
    url = f"sqlite:///{tmp_path / 'etl.db'}"
    with pytest.raises(WorkersKeepDying, match="before doing any work"):
        pipeline.run([str(tree)], url, RunOptions(workers=2))

    engine = create_engine(url)
    with engine.connect() as conn:
        statuses = conn.execute(select(etl_runs.c.status)).scalars().all()
        loaded = conn.execute(select(documents.c.id)).all()
    engine.dispose()
    assert statuses == ["failed"] and loaded == []
