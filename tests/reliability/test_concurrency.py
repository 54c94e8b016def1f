"""Concurrency: two `etl run` on one database at once (one waits or exits 4 with a clear message, never a
duplicate row), and a reader during a load is not blocked on SQLite (WAL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest

from etl.load.db import make_engine
from etl.load.lock import LockBusy, writer_lock
from tests.reliability.rel_support import (
    LAWS,
    SEEDS,
    duplicate_rows,
    etl_command,
    run_etl,
    run_statuses,
    sample_files,
    wait_for_fault_point,
)


def _corpus(tmp_path: Path, count: int) -> Path:
    """Seeds plus a sample of laws (or only seeds without the shared corpus), big enough to take seconds."""
    root = tmp_path / "input"
    sample_files(SEEDS, root / "seeds", 100, suffix="")
    if LAWS.is_dir():
        sample_files(LAWS, root / "laws", count)
    return root


def test_two_runs_at_once_one_waits_or_exits_4(tmp_path: Path, db_url: str) -> None:
    """While another writer holds the lock (the test itself, so nothing depends on timing): B (no --wait)
    exits 4 with one clear line and leaves no etl_runs row; C (--wait) finds the lock taken, waits, and
    completes once it is released."""
    corpus = _corpus(tmp_path, 20)
    args = ["run", str(corpus), "--db", db_url, "-q", "--workers", "1"]
    gate = tmp_path / "released"
    engine = make_engine(db_url)
    try:
        with writer_lock(engine):
            busy = run_etl(*args, timeout=120)
            waiting = subprocess.Popen([*etl_command(), *args, "--wait", "600"], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True,
                                       env={**os.environ, "ETL_TEST_FAULT": f"lock_busy:wait={gate}"})
            try:
                wait_for_fault_point(Path(f"{gate}.reached"), waiting)  # C met the lock taken and is waiting for it
            except BaseException:
                waiting.kill()
                raise
        gate.touch()
        out_c, err_c = waiting.communicate(timeout=600)
    finally:
        engine.dispose()
    assert busy.returncode == 4, f"expected exit 4 (locked), got {busy.returncode}: {busy.stderr}"
    lines = busy.stderr.strip().splitlines()
    assert len(lines) == 1 and "another etl run" in lines[0] and "--wait" in lines[0], busy.stderr
    assert waiting.returncode in (0, 3), f"the waiting run failed: {err_c}"
    assert "another etl run" not in err_c
    assert duplicate_rows(db_url) == {"documents": 0, "document_agencies": 0}
    statuses = run_statuses(db_url)
    assert len(statuses) == 1 and "running" not in statuses, statuses  # the refused run left no row


def test_sqlite_lock_is_the_real_file_whatever_the_path(tmp_path: Path) -> None:
    """The lock is on the database file itself, by its real path: another path to it (a symlink to the
    file, a symlinked folder, a relative path) finds it taken, and deleting a lock file next to it (as an
    older version had) frees nothing. The second writer exits 4."""
    data = tmp_path / "data"
    real = data / "etl.db"
    assert run_etl("run", str(SEEDS), "--db", str(real), "-q", "--workers", "1").returncode == 0
    (tmp_path / "link.db").symlink_to(real)
    (tmp_path / "alias").symlink_to(data, target_is_directory=True)
    paths = [tmp_path / "link.db", tmp_path / "alias" / "etl.db", Path("alias") / "etl.db"]
    for held_through in (real, tmp_path / "link.db"):
        engine = make_engine(f"sqlite:///{held_through}")
        try:
            with writer_lock(engine):
                for lock_file in [*data.glob("*.lock"), *tmp_path.glob("*.lock")]:
                    lock_file.unlink()
                for path in [real, *paths]:
                    done = run_etl("run", str(SEEDS), "--db", str(path), "-q", "--workers", "1", cwd=tmp_path)
                    lines = done.stderr.strip().splitlines()
                    assert done.returncode == 4, f"{path} (lock held through {held_through}): {done.stderr}"
                    assert len(lines) == 1 and "another etl run" in lines[0], done.stderr
        finally:
            engine.dispose()
    assert run_etl("run", str(SEEDS), "--db", str(tmp_path / "link.db"), "-q").returncode == 0  # released
    assert run_statuses(f"sqlite:///{real}") == ["succeeded", "succeeded"]


@pytest.mark.slow
def test_many_waiting_runs_never_duplicate(tmp_path: Path, db_url: str) -> None:
    """Three runs started together with --wait all complete, one after another, without a duplicate row."""
    corpus = _corpus(tmp_path, 60)
    args = ["run", str(corpus), "--db", db_url, "-q", "--workers", "1", "--wait", "600"]
    procs = [subprocess.Popen([*etl_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in procs]
    for code, err in results:
        assert code in (0, 3), err
    assert duplicate_rows(db_url) == {"documents": 0, "document_agencies": 0}
    assert len(run_statuses(db_url)) == 3


def test_writer_lock_excludes_within_one_process(tmp_path: Path, db_url: str) -> None:
    """Two writers in one process (threads, a notebook) exclude each other too."""
    engine = make_engine(db_url)
    other = make_engine(db_url)
    try:
        with writer_lock(engine):
            outcome: list[BaseException | None] = []

            def second() -> None:
                try:
                    with writer_lock(other, wait_seconds=0.3):
                        outcome.append(None)
                except BaseException as exc:  # noqa: BLE001 - handed to the main thread
                    outcome.append(exc)

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(10)
        assert outcome and isinstance(outcome[0], LockBusy), outcome
        with writer_lock(other):  # released: taken at once
            pass
    finally:
        engine.dispose()
        other.dispose()


@pytest.mark.slow
def test_reader_is_not_blocked_during_a_load_on_sqlite(tmp_path: Path) -> None:
    """A BI tool reading with no busy timeout at all never sees 'database is locked' during a load."""
    corpus = _corpus(tmp_path, 200)
    db_file = tmp_path / "etl.db"
    db_url = f"sqlite:///{db_file}"
    assert run_etl("run", str(SEEDS), "--db", db_url, "-q", "--workers", "1").returncode in (0, 3)
    load = subprocess.Popen([*etl_command(), "run", str(corpus), "--db", db_url, "-q", "--workers", "2",
                             "--reprocess"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reads, slowest, errors = 0, 0.0, []
    reader = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=0)
    try:
        while load.poll() is None:
            started = time.monotonic()
            try:
                reader.execute("SELECT count(*), sum(length(body_text)) FROM documents").fetchone()
                reader.execute("SELECT count(*) FROM document_agencies").fetchone()
                reads += 1
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.02)
    finally:
        reader.close()
        load.wait(timeout=600)
    assert load.returncode in (0, 3), load.stderr.read() if load.stderr else ""
    assert not errors, f"reader blocked {len(errors)} times: {errors[:3]}"
    assert reads >= 20, f"only {reads} reads happened during the load"
    assert slowest < 2.0, f"a read took {slowest:.2f}s during the load"
