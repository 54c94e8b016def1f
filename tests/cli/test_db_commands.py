"""`etl db upgrade|downgrade` never change the schema under a running load: they take the writer lock."""

from __future__ import annotations

from etl.load.db import make_engine
from etl.load.lock import writer_lock
from tests.helpers import run_etl


def test_downgrade_exits_4_while_a_run_writes(db_url, etl_bin):
    assert run_etl(etl_bin, "db", "upgrade", "--db", db_url).returncode == 0
    engine = make_engine(db_url)
    with writer_lock(engine):  # what a running `etl run` holds
        busy = run_etl(etl_bin, "db", "downgrade", "base", "--yes", "--db", db_url)
    engine.dispose()
    assert busy.returncode == 4 and "another etl run" in busy.stderr
    current = run_etl(etl_bin, "db", "current", "--db", db_url)
    assert "up to date" in current.stdout  # nothing was downgraded
    assert run_etl(etl_bin, "db", "downgrade", "base", "--yes", "--db", db_url).returncode == 0
