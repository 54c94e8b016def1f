"""The etl_runs ledger: a run is recorded as running when it starts and closed when it ends.

A run killed with SIGKILL cannot close its row; the next run (holding the writer lock, so no other run can
be alive) marks such rows aborted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from etl.load.bulk import insert_for
from etl.load.schema import etl_runs, indicators
from etl.load.vocabulary import indicator_rows


def start_run(engine: Engine, paths: list[str], version: str) -> int:
    with engine.begin() as conn:
        return conn.execute(
            etl_runs.insert().returning(etl_runs.c.id),
            {"started_at": datetime.now(UTC), "status": "running", "paths": "\n".join(paths),
             "extractor_version": version},
        ).scalar_one()


def abort_stale_runs(engine: Engine) -> int:
    """Close rows left 'running' by a process that died; call only while holding the writer lock."""
    with engine.begin() as conn:
        result = conn.execute(
            update(etl_runs).where(etl_runs.c.status == "running")
            .values(status="aborted", error="the process ended before the run finished (killed or crashed)")
        )
        return result.rowcount or 0


def finish_run(engine: Engine, run_id: int, status: str, counts: dict[str, int], error: str | None = None) -> None:
    columns = set(etl_runs.c.keys())
    values = {k: v for k, v in counts.items() if k in columns}
    with engine.begin() as conn:
        conn.execute(
            update(etl_runs).where(etl_runs.c.id == run_id)
            .values(status=status, finished_at=datetime.now(UTC), error=error, **values)
        )


def sync_vocabulary(engine: Engine) -> None:
    """Add indicator codes shipped with a newer package; codes are stable, labels may be updated."""
    wanted = indicator_rows()
    with engine.begin() as conn:
        columns = [indicators.c[c] for c in wanted[0]] if wanted else []
        stored = {tuple(r) for r in conn.execute(select(*columns))} if columns else set()
        rows = [r for r in wanted if tuple(r.values()) not in stored]  # a re-run writes nothing here
        if not rows:
            return
        stmt = insert_for(conn, indicators)
        stmt = stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={c: stmt.excluded[c] for c in ("label_zh", "label_en", "measures", "typical_cues")},
        )
        conn.execute(stmt, rows)
