"""Data checks in the spirit of dbt tests: each sql/checks/*.sql returns the rows that break one rule.

A check passes when it returns no rows. Checks may use parameters the runner knows (today's date in
Beijing), so the same files also run unchanged in a SQL client once those are filled in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from etl.constants import BEIJING
from etl.load.lock import LockBusy, writer_lock
from etl.load.search_index import SearchIndex, search_index_state
from etl.load.search_index import search_index_complete as complete
from etl.reporting.queries import Report, ReportError, Result, find_reports, run_report, sql_dir


@dataclass(slots=True)
class CheckOutcome:
    check: Report
    result: Result

    @property
    def passed(self) -> bool:
        return not self.result.rows


def runtime_params(now: datetime | None = None) -> dict[str, Any]:
    """Values the runner binds for checks that name them."""
    now = now or datetime.now(UTC)
    return {"today": now.astimezone(BEIJING).date()}


def find_checks(folder: Path | None = None) -> list[Report]:
    return find_reports(folder or sql_dir() / "checks")


FTS5_INTEGRITY = Report(
    name="fts5_integrity",
    path=Path("etl/reporting/checks.py"),
    title="The SQLite search index agrees with the documents",
    description="FTS5's own integrity-check, against the text in documents. On SQLite the index reads its text "
                "from documents, so fts_documents_in_sync cannot see stale entries; only FTS5 can. Runs when "
                "the search index is on; rows: what FTS5 reported ('database disk image is malformed' when they "
                "disagree). `etl search-index disable` then `enable` rebuilds the index.",
)


def fts5_integrity(conn: Connection) -> Result | None:
    """FTS5's integrity-check (rank 1: with the content table) in a transaction rolled back; None when the
    database is not SQLite or its search index is off."""
    if conn.dialect.name != "sqlite" or search_index_state(conn) is not SearchIndex.ON:
        return None
    if conn.in_transaction():
        conn.rollback()  # the read-only checks before this one
    transaction = conn.begin()
    try:
        conn.execute(text("INSERT INTO fts_documents (fts_documents, rank) VALUES ('integrity-check', 1)"))
        problems: list[tuple] = []
    except DBAPIError as exc:
        problems = [(str(exc.orig),)]
    finally:
        transaction.rollback()
    return Result(["problem"], problems)


PENDING_STEPS_DONE = Report(
    name="pending_steps_done",
    path=Path("etl/reporting/checks.py"),
    title="No run left its steps after the load undone",
    description="Rows of pending_steps (linking copies, dim_date) left by a run that is not running any more: "
                "it was stopped between its load and those steps. The next `etl run` does them, whether or "
                "not files changed. Rows of a run that still holds the writer lock are not reported.",
)

SEARCH_INDEX_COMPLETE = Report(
    name="search_index_complete",
    path=Path("etl/reporting/checks.py"),
    title="The search index, when on, holds every document",
    description="Runs when the search index is on; a row when it indexes fewer or more documents than there "
                "are (an index whose build was stopped). `etl run` or `etl search-index enable` rebuilds it.",
)


def pending_steps_done(conn: Connection, engine: Engine) -> Result | None:
    """pending_steps rows of runs that are over; None on a database without the table (not migrated)."""
    from sqlalchemy import inspect


    if not inspect(conn).has_table("pending_steps"):
        return None
    rows = [tuple(r) for r in conn.execute(text(
        "SELECT p.step, p.run_id, r.status FROM pending_steps p LEFT JOIN etl_runs r ON r.id = p.run_id "
        "ORDER BY p.step"))]
    if any(status == "running" for _, _, status in rows):
        try:  # a run marked running whose lock is free was killed: its steps are undone
            with writer_lock(engine):
                pass
        except (LockBusy, OSError):  # held (or not ours to take: a read-only file): the run goes on
            rows = [r for r in rows if r[2] != "running"]
    return Result(["step", "run_id", "run_status"], rows)


def search_index_complete(conn: Connection) -> Result | None:

    if search_index_state(conn) is not SearchIndex.ON:
        return None
    if complete(conn):
        return Result(["problem"], [])
    return Result(["problem"], [("the search index is on but does not hold every document",)])


PYTHON_CHECKS = (FTS5_INTEGRITY, PENDING_STEPS_DONE, SEARCH_INDEX_COMPLETE)


def require_checks(names: Iterable[str], folder: Path | None = None) -> None:
    """ReportError listing the checks when a name is none of them: a typo must not pass as a check passed."""
    known = [c.name for c in find_checks(folder)] + ([c.name for c in PYTHON_CHECKS] if folder is None else [])
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ReportError(f"no check {', '.join(map(repr, unknown))}; checks: {', '.join(known)}")


def run_checks(engine: Engine, folder: Path | None = None, only: list[str] | None = None) -> list[CheckOutcome]:
    """Run every check (or those named in only, see require_checks) and return each one's failing rows."""
    require_checks(only or (), folder)
    known = runtime_params()
    outcomes = []
    with engine.connect() as conn:
        for check in find_checks(folder):
            if only and check.name not in only:
                continue
            params = {p.name: known[p.name] for p in check.params if p.name in known}
            outcomes.append(CheckOutcome(check, run_report(conn, check, params)))
        if folder is None:
            for check, result_of in ((FTS5_INTEGRITY, fts5_integrity),
                                     (PENDING_STEPS_DONE, lambda c: pending_steps_done(c, engine)),
                                     (SEARCH_INDEX_COMPLETE, search_index_complete)):
                if only and check.name not in only:
                    continue
                if conn.in_transaction():
                    conn.rollback()
                result = result_of(conn)
                if result is not None:
                    outcomes.append(CheckOutcome(check, result))
    return outcomes
