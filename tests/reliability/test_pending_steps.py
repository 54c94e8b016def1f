"""Steps after the load are finished by the next run when a run is stopped before them (issue 18, case 6),
and a run that loses its PostgreSQL writer lock stops instead of going on without it (case 7).

Faults are injected at named points ($ETL_TEST_FAULT, etl.load.faults): the run is killed exactly between
its load and the linking of copies, or stands still while the test ends its lock's session, so nothing
depends on timing.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from etl.load.schema import dim_date, documents
from tests.reliability.conftest import GOOD_NOTICE
from tests.reliability.rel_support import (
    SEEDS,
    etl_command,
    run_etl,
    run_statuses,
    sample_files,
    wait_for_fault_point,
)


def _story(date: str, title: str) -> str:
    """A copy of one story (same text), published on `date`."""
    return GOOD_NOTICE.replace("date: 2021-12-08 14:00:30", f"date: {date}").replace(
        "title: '国家医保局：累计追回医保基金约506亿元'", f"title: '{title}'")


def _corpus(tmp_path: Path) -> Path:
    root = tmp_path / "input"
    sample_files(SEEDS, root / "seeds", 100, suffix="")
    (root / "news").mkdir()
    (root / "news" / "later.md").write_text(_story("2021-12-09 09:00:00", "追回医保基金506亿元（转载）"),
                                            encoding="utf-8")
    return root


def _add_earlier_copy(root: Path) -> None:
    """A copy published before the one already loaded: the loaded one must now point at it."""
    (root / "news" / "earlier.md").write_text(_story("2015-12-07 08:00:00", "追回医保基金506亿元"), encoding="utf-8")


def _links(db_url: str) -> tuple[dict[str, str | None], int, tuple]:
    """source_path -> source_path of its canonical copy; active documents; dim_date's span."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            d = documents.c
            rows = conn.execute(select(d.id, d.source_path, d.duplicate_of_id).where(d.status == "active")).all()
            span = conn.execute(select(func.min(dim_date.c.date), func.max(dim_date.c.date))).one()
    finally:
        engine.dispose()
    path = {id_: p for id_, p, _ in rows}
    return {p: path.get(target) for _, p, target in rows}, len(rows), tuple(span)


def _check(db_url: str) -> subprocess.CompletedProcess:
    return run_etl("check", "pending_steps_done", "--db", db_url)


@pytest.mark.parametrize("point", ["after_load", "after_linking"])
def test_a_run_killed_after_its_load_is_finished_by_the_next(tmp_path: Path, db_url: str, point: str) -> None:
    """Killed between the load and linking (or dim_date): `etl check` says so, and the next run, with no
    file changed, finishes the work: links and dim_date equal those of an uninterrupted run."""
    root = _corpus(tmp_path)
    args = ["--db", db_url, "-q", "--workers", "1"]
    assert run_etl("run", str(root), *args).returncode in (0, 3)
    _add_earlier_copy(root)
    killed = run_etl("run", str(root), *args, env={"ETL_TEST_FAULT": f"{point}:kill"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    left = _check(db_url)
    assert left.returncode == 1 and "FAIL  pending_steps_done" in left.stdout, left.stdout + left.stderr

    again = run_etl("run", str(root), *args)
    assert again.returncode in (0, 3), again.stderr
    assert "unchanged" in again.stdout or again.stdout == ""
    assert _check(db_url).returncode == 0

    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    assert run_etl("run", str(root), "--db", clean_url, "-q", "--workers", "1").returncode in (0, 3)
    finished, clean = _links(db_url), _links(clean_url)
    assert finished == clean
    assert finished[0]["news/later.md"] == "news/earlier.md"  # the link only the exact pass makes
    assert run_statuses(db_url)[-2:] == ["aborted", "succeeded"]


def _advisory_holder(db_url: str) -> int | None:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT l.pid FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())")).scalar()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_run_whose_lock_session_is_ended_stops_with_one_line(tmp_path: Path, postgres_url: str) -> None:
    """The lock's session is ended (pg_terminate_backend, as an idle timeout or a proxy would) while the run
    stands before its load: the run stops with one line saying so, writes nothing, is recorded failed,
    and the next run completes."""
    root = _corpus(tmp_path)
    gate = tmp_path / "go"
    env = {**os.environ, "ETL_TEST_FAULT": f"before_load:wait={gate}"}
    proc = subprocess.Popen([*etl_command(), "run", str(root), "--db", postgres_url, "-q", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        wait_for_fault_point(Path(f"{gate}.reached"), proc)
        holder = _advisory_holder(postgres_url)
        assert holder is not None, "the run holds no advisory lock"
        engine = create_engine(postgres_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": holder}).scalar()
        engine.dispose()
        gate.touch()
        out, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 1, f"exit {proc.returncode}: {err}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "LockLost" in lines[0] and "writer lock" in lines[0], err
    assert "Traceback" not in err
    assert _links(postgres_url)[1] == 0, "a batch was written without the lock"
    assert run_statuses(postgres_url) == ["failed"]
    assert _advisory_holder(postgres_url) is None
    done = run_etl("run", str(root), "--db", postgres_url, "-q", "--workers", "1")
    assert done.returncode in (0, 3), done.stderr
    assert run_statuses(postgres_url) == ["failed", "succeeded"]
    assert _links(postgres_url)[1] > 0


@pytest.mark.postgres
def test_the_lock_session_has_no_idle_timeout(postgres_url: str) -> None:
    """A database whose sessions time out when idle (idle_session_timeout, a common server default) does not
    end the writer lock's session: it sets both idle timeouts to 0 for itself."""
    from sqlalchemy.engine import make_url

    from etl.load.db import make_engine
    from etl.load.lock import writer_lock

    name = make_url(postgres_url).database
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET idle_session_timeout = '1min'")
        conn.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET idle_in_transaction_session_timeout = '1min'")
    admin.dispose()
    engine = make_engine(postgres_url)
    try:
        with writer_lock(engine) as held:
            conn = held.conn
            assert conn.execute(text("SHOW idle_session_timeout")).scalar() == "0"
            assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "0"
            conn.commit()
            params = conn.connection.driver_connection.info.get_parameters()
            assert params.get("keepalives") == "1", params
            held.check()  # alive: no error
    finally:
        engine.dispose()
