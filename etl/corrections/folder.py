"""Which corrections folder a command uses (cheap to import: a run without corrections needs nothing more)."""

from __future__ import annotations

import os
from pathlib import Path

from etl.corrections.model import CorrectionError

ENV_VAR = "ETL_CORRECTIONS_DIR"
DEFAULT_FOLDER = "corrections"


def resolve_folder(given: str | os.PathLike | None = None) -> Path | None:
    """`--corrections DIR`, else $ETL_CORRECTIONS_DIR, else ./corrections when it exists, else None; a folder
    named explicitly must exist (CorrectionError)."""
    if given is not None and str(given) != "":
        return _existing(Path(given), str(given), "no such corrections folder")
    env = os.environ.get(ENV_VAR)
    if env:
        return _existing(Path(env), env, f"no such corrections folder (${ENV_VAR})")
    path = Path(DEFAULT_FOLDER)
    return path if path.is_dir() else None


def _existing(path: Path, where: str, message: str) -> Path:
    if not path.is_dir():

        raise CorrectionError(where, message)
    return path


def folder_for_writing(given: str | os.PathLike | None = None) -> Path:
    """Where `etl correct` and `etl review --import` write: the folder given, else $ETL_CORRECTIONS_DIR, else
    ./corrections (made when missing), so the next `etl run` from here finds what they wrote."""
    return Path(given) if given not in (None, "") else Path(os.environ.get(ENV_VAR) or DEFAULT_FOLDER)
