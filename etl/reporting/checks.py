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
from etl.load.search_index import SearchIndex, search_index_state
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


def require_checks(names: Iterable[str], folder: Path | None = None) -> None:
    """ReportError listing the checks when a name is none of them: a typo must not pass as a check passed."""
    known = [c.name for c in find_checks(folder)] + ([FTS5_INTEGRITY.name] if folder is None else [])
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
        if folder is None and (not only or FTS5_INTEGRITY.name in only):
            result = fts5_integrity(conn)
            if result is not None:
                outcomes.append(CheckOutcome(FTS5_INTEGRITY, result))
    return outcomes
