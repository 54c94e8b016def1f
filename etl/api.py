"""The library API the CLI is a thin shell over; call it from a notebook the same way."""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from etl.config import DEFAULT_MAX_FILE_BYTES
from etl.extract.files import read_file, shown_name
from etl.pipeline import RunOptions, RunSummary
from etl.pipeline import run as _run
from etl.records import DocumentRecord, StageError


def run(paths: list[str] | None = None, db_url: str | None = None, **options: Any) -> RunSummary:
    """Load every document under paths (default seeds/) into the database; see RunOptions for options."""
    return _run(paths, db_url, RunOptions(**options))


def search_index(on: bool, db_url: str | None = None, wait_seconds: float = 0.0) -> bool:
    """Build (on) or drop (off) the optional trigram search index; False when it already was so."""
    from etl.load.db import make_engine
    from etl.load.search_index import switch_search_index

    engine = make_engine(db_url)
    try:
        return switch_search_index(engine, on, wait_seconds)
    finally:
        engine.dispose()


def review(db_url: str | None = None, issues: list[str] | None = None, limit: int | None = None) -> list:
    """The review queue (etl.reporting.review.ReviewItem), most urgent first."""
    from etl.load.db import make_engine
    from etl.reporting.review import review_queue

    engine = make_engine(db_url)
    try:
        return review_queue(engine, issues, limit)
    finally:
        engine.dispose()


def review_export(path: str | os.PathLike, db_url: str | None = None, issues: list[str] | None = None,
                  limit: int | None = None) -> int:
    """Write the review queue to a CSV file with empty columns for the fixes; returns the rows written."""
    from etl.reporting.review import export_csv

    return export_csv(review(db_url, issues, limit), path)


def review_import(path: str | os.PathLike, corrections: str | os.PathLike | None = None,
                  file: str | None = None) -> tuple[str, list]:
    """Turn an edited review CSV into corrections in the corrections folder (file: default the CSV's name
    with .yaml); returns the file written and the corrections added. Raises CorrectionError for a mistake."""
    from pathlib import Path

    from etl.reporting.review import import_csv

    specs = import_csv(Path(path))
    return correct(specs, corrections, file or Path(path).with_suffix(".yaml").name)


def correct(specs: dict | list[dict], corrections: str | os.PathLike | None = None, file: str | None = None,
            db_url: str | None = None) -> tuple[str, list]:
    """Add corrections (mappings as in a corrections file) to the corrections folder (given, else
    $ETL_CORRECTIONS_DIR, else ./corrections, made when missing) and return the file and the corrections added. With db_url, a
    `document` given as a database id or a sha256 alone is written as the document's path and sha256.
    Raises CorrectionError for a mistake; nothing is written then."""
    from etl.corrections.files import DEFAULT_FILE, append
    from etl.corrections.folder import folder_for_writing
    from etl.corrections.lookup import pin_documents

    items = [specs] if isinstance(specs, dict) else list(specs)
    if db_url is not None:
        items = pin_documents(items, db_url)
    path, added = append(folder_for_writing(corrections), items, file or DEFAULT_FILE)
    return str(path), added


def list_corrections(corrections: str | os.PathLike | None = None, db_url: str | None = None) -> list[tuple]:
    """(correction, status, detail) for each correction of the folder, checked; status and detail as the
    database's last run found them (None without db_url, or for one no run has met)."""
    from etl.corrections.files import load_folder
    from etl.corrections.folder import resolve_folder
    from etl.corrections.model import CorrectionError
    from etl.corrections.store import stored_statuses

    folder = resolve_folder(corrections)
    if folder is None:
        raise CorrectionError("corrections", "no corrections folder here (give --corrections DIR)")
    found = load_folder(folder)
    statuses = stored_statuses(db_url) if db_url is not None else {}
    return [(c, *statuses.get(c.key, (None, None))) for c in found.items]


def inspect_file(path: str, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES) -> DocumentRecord:
    """What the transform makes of one file, without touching a database. Raises StageError for bad input,
    and for a file over the limits `etl run` sets (its size, FILE_TIME_LIMIT_SECONDS of transform)."""
    from etl.load.clean import clean
    from etl.work import TransformTimeout, timeout_reason, transform_limited

    data, sha = read_file(os.path.realpath(path), max_bytes)
    try:
        record = transform_limited(data, shown_name(os.path.basename(path)), sha)
    except TransformTimeout:
        raise StageError("transform", timeout_reason()) from None
    return clean(record)  # what `etl run` would store


def to_jsonable(value: Any) -> Any:
    """Records -> JSON-ready structures (dates as ISO text, Decimals as numbers)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


__all__ = ["RunOptions", "RunSummary", "StageError", "correct", "inspect_file", "review", "review_export",
           "review_import", "run", "to_jsonable"]
