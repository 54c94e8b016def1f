"""The shared fixtures themselves (tests/conftest.py): a migrated database, a loader whose run row is closed,
and the switch that makes the corpus tests required."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from etl.load import migrate
from etl.load.schema import etl_runs, indicators
from tests.conftest import CORPUS_ENV, needs_shared


def test_migrated_db_is_at_head_with_the_vocabulary(migrated_db) -> None:
    assert migrate.current_revision(migrated_db) == migrate.head_revision()
    with migrated_db.connect() as conn:
        assert conn.execute(select(indicators.c.code)).first() is not None


def test_loader_writes_as_one_run(loader) -> None:
    with loader.engine.connect() as conn:
        assert conn.execute(select(etl_runs.c.status).where(etl_runs.c.id == loader.run_id)).scalar() == "running"


def test_the_corpus_tests_skip_unless_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no-shared"
    monkeypatch.delenv(CORPUS_ENV, raising=False)
    assert needs_shared(missing).args == (True,)
    assert needs_shared(tmp_path).args == (False,)
    monkeypatch.setenv(CORPUS_ENV, "1")
    assert needs_shared(missing).args == (False,)  # runs, and fails on the missing files
