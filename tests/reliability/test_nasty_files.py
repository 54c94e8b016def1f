"""A folder of nasty files: each one loads or is recorded in failed_files with a clear reason, the run
goes on (exit 3), YAML never constructs objects, and what was loaded stays on the next run."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from etl.extract.files import read_file
from etl.load.schema import documents
from etl.records import StageError
from tests.reliability.rel_support import active_paths, failures_by_path, run_etl


def _bodies(db_url: str) -> dict[str, str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(select(documents.c.source_path, documents.c.body_text)).all())
    finally:
        engine.dispose()


@pytest.mark.slow
def test_nasty_corpus_loads_or_fails_clearly(nasty_corpus, db_url: str) -> None:
    """Every nasty file is accounted for; the good ones load; nothing is constructed from YAML."""
    done = run_etl("run", str(nasty_corpus.root), "--db", db_url, "-q", "--workers", "2", timeout=240)
    assert done.returncode == 3, f"expected exit 3 (some files failed):\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr

    failed = failures_by_path(db_url)
    loaded = active_paths(db_url)
    for path, word in nasty_corpus.expect_fail.items():
        assert path in failed, f"{path!r} neither failed nor was reported: failed={sorted(failed)}"
        stage, reason = failed[path]
        assert word.lower() in reason.lower(), f"{path}: unclear reason [{stage}] {reason!r}"
        assert "\n" not in reason and len(reason) < 300
    bodies = _bodies(db_url)
    for path, text in nasty_corpus.expect_load.items():
        assert path in loaded, f"{path!r} did not load: {failed.get(path)}"
        assert text in (bodies[path] or ""), f"{path}: body lost its text"
    for path in nasty_corpus.other:
        assert path in loaded or path in failed, f"{path!r} is neither loaded nor in failed_files"
        if path in failed:
            assert failed[path][1].strip(), f"{path}: empty reason"
    assert not nasty_corpus.marker.exists(), "YAML constructed a Python object (!!python/object ran)"

    again = run_etl("run", str(nasty_corpus.root), "--db", db_url, "-q", "--workers", "1", timeout=240)
    assert again.returncode == 3, again.stderr
    assert active_paths(db_url) == loaded, "what was loaded must stay"


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 50 MB sparse file is refused by its size; reading it never allocates its bytes."""
    path = tmp_path / "huge.md"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(StageError) as caught:
            read_file(str(path), 20 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.stage == "read" and "limit" in caught.value.reason
    assert peak < 1_000_000, f"read_file allocated {peak} bytes for a file it refuses"


def test_fifo_given_directly_does_not_block(tmp_path: Path) -> None:
    """A FIFO named on the command line is refused, not opened for a read that would never end."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    done = run_etl("run", str(fifo), "--db", f"sqlite:///{tmp_path / 'etl.db'}", "-q", "--workers", "1",
                   timeout=60)
    assert done.returncode == 3, done.stderr
    assert "FIFO" in failures_by_path(f"sqlite:///{tmp_path / 'etl.db'}")["pipe.md"][1]
