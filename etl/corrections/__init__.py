"""Corrections that survive re-runs: data files a user keeps under version control, applied on every run.

model: what a correction is and how it is validated; files: the corrections folder (YAML) read and written;
targets: finding a correction's document and figure again; apply: the pure step between transform and load;
store: a run's corrections in the database (sync, documents to read again, lineage, statuses).
"""

from __future__ import annotations

import os

from etl.corrections.files import CorrectionSet, load_folder, resolve_folder
from etl.corrections.model import Correction, CorrectionError


def load_corrections(folder: str | os.PathLike | None = None) -> CorrectionSet:
    """The corrections of the folder a run uses (see etl.corrections.files), validated; an empty set when
    there is no folder. Raises CorrectionError, naming file and line, for the first mistake."""
    path = resolve_folder(folder)
    return load_folder(path) if path is not None else CorrectionSet()


__all__ = ["Correction", "CorrectionError", "CorrectionSet", "load_corrections"]
