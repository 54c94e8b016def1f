"""Corrections that survive re-runs: data files a user keeps under version control, applied on every run.

folder: which corrections folder; model: what a correction is and how it is validated; files: the folder's
YAML read and written; targets: finding a correction's document and figure again; apply: the pure step
between transform and load; store: a run's corrections in the database (sync, documents to read again,
lineage, statuses). This module imports none of them until there are corrections: a run without any pays
for one query at most.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from etl.corrections.folder import resolve_folder
from etl.load.schema import corrections

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from etl.corrections.files import CorrectionSet
    from etl.corrections.store import CorrectionRun


def load_corrections(folder: str | os.PathLike | None = None) -> CorrectionSet | None:
    """The corrections of the folder a run uses (see etl.corrections.folder), validated; None when there is no
    folder. Raises CorrectionError, naming file and line, for the first mistake."""
    path = resolve_folder(folder)
    if path is None:
        return None
    from etl.corrections.files import load_folder  # start-up: YAML, only for a run with a corrections folder

    return load_folder(path)


def begin_run(engine: Engine, found: CorrectionSet | None, run_id: int, fresh: bool) -> CorrectionRun | None:
    """A run's corrections (etl.corrections.store.begin), or None when there is no folder and the database holds
    none (a database this run creates holds none: not even asked)."""
    if found is None and (fresh or not _any_stored(engine)):
        return None
    from etl.corrections.store import begin  # start-up: only for a run with corrections

    return begin(engine, found, run_id, fresh)


def _any_stored(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(corrections.c.id).limit(1)).first() is not None


def __getattr__(name: str) -> Any:
    if name in ("Correction", "CorrectionError"):
        from etl.corrections import model  # start-up: the names are there without importing the modules

        return getattr(model, name)
    if name == "CorrectionSet":
        from etl.corrections.files import CorrectionSet  # start-up: YAML, only when asked for

        return CorrectionSet
    raise AttributeError(name)


__all__ = ["Correction", "CorrectionError", "CorrectionSet", "begin_run", "load_corrections"]
