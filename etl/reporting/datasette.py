"""Datasette (optional extra `datasette`) on a loaded SQLite file: metadata and canned queries generated here.

Descriptions come from the schema (etl/load/schema.py comments, the same text PostgreSQL holds as COMMENT ON)
and etl/reporting/catalog.py for the views; every sql/ report and check becomes a canned query with its
title and description, so Datasette shows the same reports as `etl report`.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from etl.load.schema import metadata as schema_metadata
from etl.reporting.catalog import VIEW_DESCRIPTIONS, fts_description
from etl.reporting.checks import find_checks
from etl.reporting.queries import find_reports

TITLE = "医保基金监管 · medical-insurance fund supervision"


def build_metadata(database: str = "etl", search_index: bool = False) -> dict[str, Any]:
    """Datasette metadata (0.64+ layout): table, view and column descriptions, canned queries.

    With the search index on, Datasette's search box on documents uses it (FTS5 MATCH); with it off there
    is no index to search, and the column filters (body_text contains …) do the same job.
    """
    tables: dict[str, Any] = {}
    for table in schema_metadata.sorted_tables:
        tables[table.name] = {
            "description": table.comment or "",
            "columns": {c.name: c.comment for c in table.columns if c.comment},
        }
    for view, (description, columns) in VIEW_DESCRIPTIONS.items():
        tables[view] = {"description": description, "columns": dict(columns)}
    description, columns = fts_description(search_index)
    tables["fts_documents"] = {"description": description, "columns": dict(columns), "hidden": True}
    if search_index:
        tables["documents"].update({"fts_table": "fts_documents", "fts_pk": "id", "searchmode": "raw"})
    queries: dict[str, Any] = {}
    for report in find_reports():
        queries[report.name] = {"sql": report.body, "title": report.title, "description": report.description}
    for check in find_checks():
        queries[f"check_{check.name}"] = {"sql": check.body, "title": f"Check: {check.title}",
                                          "description": check.description}
    return {
        "title": TITLE,
        "description": "Documents, agencies and reported figures on how China's medical-insurance funds are "
                       "policed. Start with the v_metrics view or one of the canned queries.",
        "databases": {database: {"tables": tables, "queries": queries}},
    }


def write_metadata(path: Path, database: str = "etl", search_index: bool = False) -> Path:
    metadata = build_metadata(database, search_index)
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_metadata_for(engine: Engine, path: Path) -> Path:
    """Metadata for the SQLite file behind engine: named after the file, a search box if its index is on."""
    from etl.load.db import sqlite_path
    from etl.load.search_index import SearchIndex, search_index_state

    with engine.connect() as conn:
        index_on = search_index_state(conn) is SearchIndex.ON
    return write_metadata(path, Path(sqlite_path(str(engine.url)) or "etl").stem, index_on)


def datasette_command(db_file: Path, metadata_file: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The command line that serves db_file (Datasette only reads it) with the generated metadata."""
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    return [exe, "serve", str(db_file), "--metadata", str(metadata_file),
            "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000"]


def available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True
