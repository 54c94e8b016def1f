"""The search index is never left on but incomplete (issue 18, case 18).

`etl search-index enable` killed mid-build used to leave the index on (its table and triggers made outside
the transaction) but empty on SQLite: search found nothing, `enable` said "already on" and no run repaired
it. Now the build is one transaction, so a kill leaves the index off; an index found on but incomplete
(made so by an older version) is reported by `etl check` and rebuilt by the next `etl run` or `enable`.
"""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import create_engine, text

from etl.load.search_index import SearchIndex, search_index_state
from tests.reliability.rel_support import SEEDS, run_etl

WORD = "医保基金"  # three characters or more: read from the index when it is on


def _state(db_url: str) -> SearchIndex:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return search_index_state(conn)
    finally:
        engine.dispose()


def _found(db_url: str) -> int:
    """Documents `etl search` finds for WORD (the CSV's rows)."""
    done = run_etl("search", WORD, "--db", db_url, "--format", "csv")
    assert done.returncode == 0, done.stderr
    return len(done.stdout.strip().splitlines()) - 1


def _loaded(db_url: str) -> int:
    assert run_etl("run", str(SEEDS), "--db", db_url, "-q", "--workers", "1").returncode == 0
    found = _found(db_url)
    assert found > 0
    return found


def test_enable_killed_mid_build_leaves_the_index_off(tmp_path: Path, db_url: str) -> None:
    """SIGKILL half-way through the build (after the table, before the fill): off, search unchanged, and
    the next `enable` builds it whole."""
    found = _loaded(db_url)
    killed = run_etl("search-index", "enable", "--db", db_url, env={"ETL_TEST_FAULT": "search_index_build:kill"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _state(db_url) is SearchIndex.OFF
    assert _found(db_url) == found
    built = run_etl("search-index", "enable", "--db", db_url)
    assert built.returncode == 0 and "built" in built.stdout, built.stdout + built.stderr
    assert _state(db_url) is SearchIndex.ON and _found(db_url) == found
    assert run_etl("check", "--db", db_url).returncode == 0


def _empty_the_index(db_url: str) -> None:
    """What an interrupted build of an older version left: the index on, its rows missing."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("INSERT INTO fts_documents (fts_documents) VALUES ('delete-all')"))
            else:
                conn.execute(text("DELETE FROM fts_documents"))
    finally:
        engine.dispose()


def test_an_index_on_but_incomplete_is_reported_and_repaired(tmp_path: Path, db_url: str) -> None:
    found = _loaded(db_url)
    assert run_etl("search-index", "enable", "--db", db_url).returncode == 0
    _empty_the_index(db_url)
    assert _found(db_url) == 0  # what users met: an index on, and nothing found
    check = run_etl("check", "search_index_complete", "--db", db_url)
    assert check.returncode == 1 and "FAIL  search_index_complete" in check.stdout, check.stdout + check.stderr
    assert run_etl("run", str(SEEDS), "--db", db_url, "-q", "--workers", "1").returncode == 0  # nothing changed
    assert _found(db_url) == found
    assert run_etl("check", "--db", db_url).returncode == 0

    _empty_the_index(db_url)  # and `enable` mends it instead of saying "already on"
    again = run_etl("search-index", "enable", "--db", db_url)
    assert again.returncode == 0 and "already on" not in again.stdout, again.stdout
    assert _found(db_url) == found
