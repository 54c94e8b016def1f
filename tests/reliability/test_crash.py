"""Crash safety: `etl run` on laws from ../shared/corpus/laws is killed with SIGKILL at random moments.

After every kill the database is checked: no document is half-loaded (each one's metric and agency-link
counts equal what the transform gives for its file), no row is duplicated, and the next run gets past
the lock (the killed run's orphaned workers are left alive while it starts, as after a real OOM kill).
At the end one run completes, every loadable file is loaded and every killed run shows as aborted.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.conftest import needs_shared
from tests.reliability.rel_support import (
    LAWS,
    duplicate_rows,
    etl_command,
    expected_counts,
    half_loaded,
    run_statuses,
    sample_files,
    stored_counts,
)

pytestmark = [
    pytest.mark.slow,
    needs_shared(LAWS),
]


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _timed_run(args: list[str]) -> tuple[int, float]:
    started = time.monotonic()
    done = subprocess.run([*etl_command(), *args], capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 3), f"uninterrupted run failed ({done.returncode}):\n{done.stderr[-2000:]}"
    return done.returncode, time.monotonic() - started


def crash_loop(db_url: str, corpus: Path, kills: int, seed: int) -> dict[str, int]:
    """Kill runs until `kills` kills landed; check the database after each. Returns the counts."""
    rng = random.Random(seed)
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    expected = expected_counts(files)
    base = ["run", str(corpus), "--db", db_url, "-q", "--workers", "2"]
    log = corpus.parent / "etl-run.log"
    _timed_run(base)
    assert not half_loaded(db_url, expected)
    # Most attempts re-process: time one, so kills are spread over a run as long as theirs (a re-process that
    # rewrites identical text is several times faster than the first load on PostgreSQL since migration 0004).
    _, full_seconds = _timed_run([*base, "--reprocess"])
    landed = completed = 0
    orphans: list[int] = []  # process groups of killed runs, left alive until the next run has ended
    try:
        for attempt in range(kills * 4):
            if landed >= kills:
                break
            reprocess = attempt % 3 != 2  # most runs rewrite every document, so kills land in writes
            # half the kills early (start-up, migration, plan), half spread over the whole run
            # (up to 0.8 of the timed run: it may have been timed while other tests loaded the machine)
            span = max(0.8 * full_seconds, 0.6)
            delay = rng.uniform(0.3, min(3.0, span)) if attempt % 2 else rng.uniform(0.3, span)
            # stderr to a file, not a pipe: orphaned workers would hold a pipe open after the kill
            with open(log, "w+") as err:
                proc = subprocess.Popen([*etl_command(), *base, *(["--reprocess"] if reprocess else [])],
                                        stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
                try:
                    proc.wait(timeout=delay)
                    err.seek(0)
                    assert proc.returncode in (0, 3), f"run after a kill failed ({proc.returncode}): {err.read()}"
                    completed += 1
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)  # the main process only, as the OOM killer would
                    proc.wait()
                    landed += 1
            for pgid in orphans:
                _kill_group(pgid)
            orphans = [proc.pid]
            problems = half_loaded(db_url, expected)
            assert not problems, f"half-loaded after kill {landed}:\n" + "\n".join(problems[:10])
            assert duplicate_rows(db_url) == {"documents": 0, "document_agencies": 0}
        code, _ = _timed_run(base)
    finally:
        for pgid in orphans:
            _kill_group(pgid)
    assert landed >= kills, f"only {landed} kills landed in {kills * 4} runs"
    statuses = run_statuses(db_url)
    assert statuses[-1] == ("partial" if code == 3 else "succeeded")
    assert set(statuses) <= {"aborted", "partial", "succeeded"}, statuses  # none left running or failed
    # a kill before the run's row was written (start-up, lock, migration) leaves no row to abort
    aborted = statuses.count("aborted")
    assert 0 < aborted <= landed, statuses
    # (a kill after the run closed its row, just before the process exits, leaves it partial or succeeded)
    assert 3 + completed + aborted <= len(statuses) <= 3 + completed + landed, statuses  # + first, timed, final
    assert not half_loaded(db_url, expected)
    lost = set(expected) - set(_stored_paths(db_url))
    assert not lost, f"{len(lost)} loadable files missing after the final run: {sorted(lost)[:5]}"
    return {"kills": landed, "aborted_rows": aborted, "completed": completed, "files": len(files),
            "documents": len(expected)}


def _stored_paths(db_url: str) -> list[str]:
    """File paths of the active documents."""
    engine = create_engine(db_url)
    try:
        return list(stored_counts(engine))
    finally:
        engine.dispose()


def test_sigkill_never_half_loads_sqlite(tmp_path: Path) -> None:
    """20 SIGKILLs of `etl run` on a SQLite file: every next run completes, nothing is half-loaded."""
    corpus = tmp_path / "laws"
    sample_files(LAWS, corpus, int(os.environ.get("ETL_CRASH_FILES", "300")))
    counts = crash_loop(f"sqlite:///{tmp_path / 'etl.db'}", corpus, int(os.environ.get("ETL_CRASH_KILLS", "20")),
                        seed=int(os.environ.get("ETL_CRASH_SEED", "7")))
    print(f"crash safety (SQLite): {counts}")


@pytest.mark.postgres
def test_sigkill_never_half_loads_postgres(tmp_path: Path, postgres_url: str) -> None:
    """The same on PostgreSQL, smaller: 8 kills on 150 files."""
    corpus = tmp_path / "laws"
    sample_files(LAWS, corpus, 150)
    counts = crash_loop(postgres_url, corpus, 8, seed=11)
    print(f"crash safety (PostgreSQL): {counts}")
