"""Steps a run must finish after its load, recorded so that a run stopped before them is finished by the next.

Linking copies (link_duplicates) and extending dim_date look at the whole database, so they run after the
batches. A run that is killed, loses its lock or fails between the load and their end would otherwise
leave them undone for good: the next run sees every file unchanged and writes nothing. So the first batch
that changes documents records the steps in pending_steps, in its own transaction (no document changes
without its row), and the run deletes them once the steps are done; a run that finds rows left does the
steps whether or not it changed anything. `etl check` (pending_steps_done) reports rows left by a run that
is not running any more.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from etl.load.bulk import insert_for
from etl.load.schema import pending_steps

STEPS = ("link_duplicates", "dim_date")


def mark_pending(conn: Connection, run_id: int, steps: tuple[str, ...] = STEPS) -> None:
    """Record steps as pending in conn's transaction (a step already pending keeps its first run)."""
    stmt = insert_for(conn, pending_steps).on_conflict_do_nothing(index_elements=["step"])
    conn.execute(stmt, [{"step": step, "run_id": run_id, "since": datetime.now(UTC)} for step in steps])


def pending(engine: Engine) -> set[str]:
    """The steps an earlier run left undone."""
    with engine.connect() as conn:
        return set(conn.execute(select(pending_steps.c.step)).scalars())


def done(engine: Engine, steps: set[str] | tuple[str, ...] = STEPS) -> None:
    with engine.begin() as conn:
        conn.execute(delete(pending_steps).where(pending_steps.c.step.in_(list(steps))))
