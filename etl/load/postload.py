"""Steps that run after a run's batches are loaded (reporting tables kept in step with the data)."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def after_load(engine: Engine, run_id: int) -> None:
    """Keep derived tables (the date dimension, search indexes) covering what is loaded."""
