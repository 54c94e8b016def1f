"""Steps that run after a run's batches are loaded (reporting tables kept in step with the data)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from etl.load.dimdate import refresh_dim_date


def after_load(engine: Engine, run_id: int) -> None:
    """Keep derived tables covering what is loaded.

    dim_date gains the days of any new year the run brought in. The search index (fts_documents), when it is
    on, needs nothing here: triggers on documents keep it in sync on both databases, whoever writes the rows.
    """
    refresh_dim_date(engine)
