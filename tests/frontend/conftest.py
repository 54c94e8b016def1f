"""A loaded database for the front-end tests: the seeds plus the reporting fixtures (tests/reporting), then a
second run over a file that cannot be decoded, so etl_runs has two runs and failed_files a row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.pipeline import RunOptions, run
from tests.reporting.conftest import EXTRA, load_corpus

# a UTF-32 byte-order mark followed by bytes that are no UTF-32: the decode stage rejects the file
UNDECODABLE = b"\xff\xfe\x00\x00\x00\xd8\x00\x00garbage"


def load_front(url: str, seeds: Path, tmp: Path) -> Engine:
    engine = load_corpus(url, seeds, EXTRA)
    rejected = tmp / "rejected"
    rejected.mkdir()
    (rejected / "undecodable.txt").write_bytes(UNDECODABLE)
    summary = run([str(rejected)], url, RunOptions(workers=1))
    assert summary.status == "partial" and len(summary.failures) == 1, summary
    return engine


@pytest.fixture
def front(db_url: str, seeds_copy: Path, tmp_path: Path):
    """(url, engine) of a database with the seeds, the reporting fixtures and one rejected file."""
    engine = load_front(db_url, seeds_copy, tmp_path)
    yield db_url, engine
    engine.dispose()
