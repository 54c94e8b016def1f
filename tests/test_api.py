"""etl.api, the one door: what a command does, a notebook gets by the same call (a migration under the writer
lock, a list of records loaded as a run whose row is closed, a database not migrated refused)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import api
from etl.load.db import make_engine
from etl.load.lock import LockBusy, writer_lock
from tests.conftest import SEEDS
from tests.helpers import query


def test_load_records_is_one_run_with_its_row_closed(db_url: str) -> None:
    records = [api.inspect_file(str(path)) for path in sorted(SEEDS.iterdir())[:2]]
    summary = api.load_records(records, db_url, root=SEEDS)
    assert (summary.status, summary.files_new, summary.documents) == ("succeeded", 2, 2)
    assert summary.metrics == sum(len(r.metrics) for r in records) > 0
    [(status, finished, new)] = query(db_url, "SELECT status, finished_at, files_new FROM etl_runs WHERE id = :i",
                                      i=summary.run_id)
    assert status == "succeeded" and finished is not None and new == 2
    again = api.load_records(records[:1], db_url, root=SEEDS)  # the same file: its document is replaced
    assert (again.files_new, again.files_reprocessed, again.documents) == (0, 1, 2)
    assert query(db_url, "SELECT COUNT(*) FROM etl_runs WHERE status = 'running'") == [(0,)]


def test_a_run_of_the_same_files_after_load_records_keeps_their_documents(sqlite_url: str, seeds_copy: Path) -> None:
    records = [api.inspect_file(str(path)) for path in sorted(seeds_copy.iterdir())]
    api.load_records(records, sqlite_url, root=seeds_copy)
    summary = api.run([str(seeds_copy)], sqlite_url, workers=1)
    assert (summary.files_new, summary.documents) == (0, 5)  # same paths, same bytes: no new document


def test_migrate_takes_the_writer_lock(db_url: str) -> None:
    assert api.migrate("head", db_url) == api.schema_revisions(db_url)[1]
    engine = make_engine(db_url)
    try:
        with writer_lock(engine), pytest.raises(LockBusy):  # what a running load holds
            api.migrate("base", db_url, downgrade=True)
    finally:
        engine.dispose()
    assert api.schema_revisions(db_url)[0] == api.schema_revisions(db_url)[1]  # nothing was downgraded
    with pytest.raises(api.UnknownRevision, match="no revision 'nosuch'"):
        api.migrate("nosuch", db_url)


def test_reading_a_database_not_at_head_is_refused(sqlite_url: str) -> None:
    api.migrate("0001", sqlite_url)
    with pytest.raises(api.NotMigrated, match="run `etl db upgrade`"):
        api.show(sqlite_url)
    with pytest.raises(api.NotMigrated):
        api.search(["医保"], db_url=sqlite_url)


def test_usage_errors_are_named_and_other_errors_are_not(tmp_path: Path) -> None:
    assert "no such file" in api.usage_error(api.PathNotFound([str(tmp_path / "nope")]))
    assert api.usage_error(api.UnknownIssue("unknown issue 'x'")) == "unknown issue 'x'"
    assert api.usage_error(RuntimeError("disk full")) is None
