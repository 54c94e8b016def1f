"""The library API the CLI is a thin shell over; call it from a notebook the same way."""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from etl.extract.files import read_file
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


def inspect_file(path: str, max_bytes: int | None = None) -> DocumentRecord:
    """What the transform makes of one file, without touching a database. Raises StageError for bad input."""
    from etl.transform import transform_document

    data, sha = read_file(os.path.abspath(path), max_bytes)
    return transform_document(data, os.path.basename(path), sha256=sha)


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


__all__ = ["RunOptions", "RunSummary", "StageError", "inspect_file", "run", "to_jsonable"]
