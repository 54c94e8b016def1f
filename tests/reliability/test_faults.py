"""Database faults: the server stopped mid-run, a full disk, a read-only database file.

Each must end `etl run` with exit 1 and one clear line (no traceback, no password), leave no document
half-loaded, and let the next run complete once the fault is gone. Faults are real: our own PostgreSQL
server stopped with pg_ctl, a 2 MB tmpfs, an immutable file or a read-only bind mount.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.reliability.rel_support import (
    LAWS,
    SEEDS,
    duplicate_rows,
    etl_command,
    expected_counts,
    half_loaded,
    run_etl,
    run_statuses,
    sample_files,
    wait_until_running,
)

if TYPE_CHECKING:
    from tests.reliability.conftest import ThrowawayServer

SECRET = "s3cr3t-pw"


def _corpus(tmp_path: Path, count: int) -> tuple[Path, dict[str, tuple[int, int]]]:
    """A sample of laws (seeds without the shared corpus) and what the transform gives for each file."""
    root = tmp_path / "input"
    if LAWS.is_dir():
        files = sample_files(LAWS, root, count)
    else:
        files = sample_files(SEEDS, root, count, suffix="")
    return root, expected_counts(files)


def _assert_clear_error(done: subprocess.CompletedProcess | tuple[int, str], *words: str) -> str:
    """Exit 1, exactly one line on stderr, no traceback, no password; returns the line."""
    code, err = (done.returncode, done.stderr) if isinstance(done, subprocess.CompletedProcess) else done
    assert code == 1, f"expected exit 1, got {code}: {err}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    assert "Traceback" not in err and SECRET not in err, err
    assert any(w.lower() in lines[0].lower() for w in words), f"no {words} in: {lines[0]}"
    return lines[0]


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_stopped_mid_run(tmp_path: Path, throwaway_pg: ThrowawayServer) -> None:
    """Stop our own server while a run writes: exit 1 with one masked line; restart: nothing half-loaded,
    the interrupted run shows aborted and the next run completes."""
    corpus, expected = _corpus(tmp_path, 800)  # a re-process long enough (seconds) to stop the server inside
    url = throwaway_pg.url().replace("postgres@", f"postgres:{SECRET}@")  # trust auth ignores the password
    first = run_etl("run", str(corpus), "--db", url, "-q", "--workers", "2", timeout=600)
    assert first.returncode in (0, 3), first.stderr
    err_file = tmp_path / "err.log"
    with open(err_file, "w+") as err:
        proc = subprocess.Popen([*etl_command(), "run", str(corpus), "--db", url, "-q", "--workers", "2",
                                 "--reprocess"], stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_until_running(url, proc)
            time.sleep(0.5)  # into the run: planning, transforming, rewriting every document
            assert proc.poll() is None, "the run finished before the server was stopped"
            throwaway_pg.stop("immediate")
            code = proc.wait(timeout=120)
        finally:
            proc.kill()
        err.seek(0)
        message = err.read()
    _assert_clear_error((code, message), "connection", "server", "terminat", "closed")
    throwaway_pg.start()
    assert not half_loaded(url, expected)
    assert run_statuses(url)[-1] in ("running", "failed")  # closed by the next run if the server was gone
    again = run_etl("run", str(corpus), "--db", url, "-q", "--workers", "2", timeout=600)
    assert again.returncode in (0, 3), again.stderr
    statuses = run_statuses(url)
    assert statuses[1] in ("aborted", "failed") and statuses[-1] in ("succeeded", "partial"), statuses
    assert not half_loaded(url, expected)
    assert duplicate_rows(url) == {"documents": 0, "document_agencies": 0}


@pytest.fixture
def small_tmpfs() -> Iterator[Path]:
    """A 2 MB tmpfs, unmounted afterwards; skips when this process may not mount."""
    mount_point = Path(tempfile.mkdtemp(prefix="etl-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        mount_point.rmdir()
        pytest.skip(f"cannot mount a tmpfs to fill (needs root or CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)
        mount_point.rmdir()


@pytest.mark.slow
def test_full_disk_is_one_clear_line(tmp_path: Path, small_tmpfs: Path) -> None:
    """A SQLite file on a 2 MB tmpfs: the run fills it, exits 1 with one line, and loses no whole batch."""
    corpus, expected = _corpus(tmp_path, 300)
    url = f"sqlite:///{small_tmpfs / 'etl.db'}"
    done = run_etl("run", str(corpus), "--db", url, "-q", "--workers", "2", timeout=300)
    _assert_clear_error(done, "full", "no space")
    assert not half_loaded(url, expected)
    assert duplicate_rows(url) == {"documents": 0, "document_agencies": 0}


def _make_read_only(path: Path) -> tuple[Path, list[list[str]]]:
    """Make a database file unwritable even for root: `chattr +i`, else a read-only bind mount of its
    folder. Returns the path to use and the commands that undo it; skips when neither works."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        return path, [["chattr", "-i", str(path)]]
    view = Path(tempfile.mkdtemp(prefix="etl-ro-"))
    bind = subprocess.run(["mount", "--bind", str(path.parent), str(view)], capture_output=True, text=True)
    if bind.returncode == 0:
        undo = [["umount", "-l", str(view)], ["rmdir", str(view)]]
        ro = subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], capture_output=True, text=True)
        if ro.returncode == 0:
            return view / path.name, undo
        for command in undo:
            subprocess.run(command, capture_output=True)
    else:
        view.rmdir()
    pytest.skip("cannot make a file read-only for root here (no chattr +i, no read-only bind mount)")


def test_read_only_database_is_one_clear_line(tmp_path: Path) -> None:
    """A loaded SQLite file made read-only: exit 1, one line that says read-only; its rows stay intact."""
    corpus, expected = _corpus(tmp_path, 20)
    db_file = tmp_path / "etl.db"
    url = f"sqlite:///{db_file}"
    assert run_etl("run", str(corpus), "--db", url, "-q", "--workers", "1").returncode in (0, 3)
    # a checkpointed file with no WAL, as a backup restored read-only would be
    with sqlite3.connect(db_file) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target, undo = _make_read_only(db_file)
    try:
        assert not os.access(target, os.W_OK), "the file is still writable"
        done = run_etl("run", str(corpus), "--db", f"sqlite:///{target}", "-q", "--workers", "1", "--reprocess")
        _assert_clear_error(done, "readonly", "read-only")
        assert not half_loaded(f"sqlite:///{target}", expected)
    finally:
        for command in undo:
            subprocess.run(command, capture_output=True)
    again = run_etl("run", str(corpus), "--db", url, "-q", "--workers", "1")
    assert again.returncode in (0, 3), again.stderr
    assert not half_loaded(url, expected)
