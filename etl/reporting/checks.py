"""Data checks in the spirit of dbt tests: each sql/checks/*.sql returns the rows that break one rule.

A check passes when it returns no rows. Checks may use parameters the runner knows (today's date in
Beijing), so the same files also run unchanged in a SQL client once those are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.reporting.queries import Report, Result, find_reports, run_report, sql_dir

BEIJING = timezone(timedelta(hours=8))


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


def run_checks(engine: Engine, folder: Path | None = None, only: list[str] | None = None) -> list[CheckOutcome]:
    """Run every check (or those named in only) and return each one's failing rows."""
    known = runtime_params()
    outcomes = []
    with engine.connect() as conn:
        for check in find_checks(folder):
            if only and check.name not in only:
                continue
            params = {p.name: known[p.name] for p in check.params if p.name in known}
            outcomes.append(CheckOutcome(check, run_report(conn, check, params)))
    return outcomes
