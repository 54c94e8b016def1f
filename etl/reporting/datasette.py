"""Datasette (optional extra `datasette`) on a loaded SQLite file: curated metadata, canned queries, a dashboard.

Descriptions come from the schema (etl/load/schema.py comments, the same text PostgreSQL holds as COMMENT ON)
and etl/reporting/catalog.py for the views; what an analyst sees first (column order, facets, sort, hidden
internals, Chinese labels) is data in data/datasette.toml and data/labels_zh.csv; every sql/ report and check
becomes a canned query with its SQL folded away; the dashboard comes from etl/reporting/dashboard.py. What plain
metadata cannot do (column order, search for short words, the reading page) the plugin in
etl/reporting/datasette_plugin does, configured from the same metadata.
"""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from etl.load.db import sqlite_path
from etl.load.schema import metadata as schema_metadata
from etl.load.search_index import SearchIndex, fts_description, search_index_state
from etl.reporting.catalog import VIEW_DESCRIPTIONS
from etl.reporting.checks import find_checks
from etl.reporting.dashboard import dashboards_config, resolve
from etl.reporting.queries import find_reports

TITLE = "医保基金监管 · medical-insurance fund supervision"
PLUGIN = "yibao-etl"
DATA = Path(__file__).resolve().parent / "data"
# Table metadata keys of data/datasette.toml that Datasette reads as they are (label is its label_column).
DATASETTE_KEYS = {"facets": "facets", "facet_size": "facet_size", "sort": "sort", "sort_desc": "sort_desc",
                  "label": "label_column"}
PLUGIN_KEYS = ("columns", "search", "links", "amounts", "reading")


@cache
def curation() -> dict[str, Any]:
    return tomllib.loads((DATA / "datasette.toml").read_text(encoding="utf-8"))


@cache
def labels_zh() -> dict[str, dict[str, str]]:
    """Chinese labels by kind (table, column, report, check) and name."""
    out: dict[str, dict[str, str]] = {}
    with (DATA / "labels_zh.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["kind"], {})[row["name"]] = row["label_zh"]
    return out


def _bilingual(kind: str, name: str, english: str) -> str:
    zh = labels_zh().get(kind, {}).get(name)
    return f"{zh} · {english}" if zh else english


def _column_descriptions(columns: dict[str, str]) -> dict[str, str]:
    zh = labels_zh().get("column", {})
    return {c: f"{zh[c]} · {d}" if c in zh else d for c, d in columns.items()}


def known_objects() -> set[str]:
    """Tables and views a database at the newest schema has (for metadata written without a database)."""
    return {t.name for t in schema_metadata.sorted_tables} | set(VIEW_DESCRIPTIONS) | {"fts_documents"}


def database_objects(engine: Engine) -> set[str]:
    found = inspect(engine)
    return set(found.get_table_names()) | set(found.get_view_names())


def build_metadata(database: str = "etl", search_index: bool = False,
                   objects: set[str] | None = None) -> dict[str, Any]:
    """Datasette metadata (0.64+ layout): tables, views, canned queries, the dashboard and the plugin's config.

    objects: the tables and views the database has, for the dashboard to leave out panels that read others
    (default: what the newest schema has). The search box works with the index on or off (the plugin reads
    the index for words of three characters or more, documents for shorter ones), so search_index only
    changes what fts_documents is said to be.
    """
    objects = known_objects() if objects is None else objects
    curated = curation()
    tables: dict[str, Any] = {}
    for table in schema_metadata.sorted_tables:
        tables[table.name] = {"description": table.comment or "",
                              "columns": _column_descriptions({c.name: c.comment for c in table.columns
                                                               if c.comment})}
    for view, (description, columns) in VIEW_DESCRIPTIONS.items():
        tables[view] = {"description": description, "columns": _column_descriptions(dict(columns))}
    description, columns = fts_description(search_index)
    tables["fts_documents"] = {"description": description, "columns": dict(columns)}
    plugin_tables: dict[str, Any] = {}
    for name, settings in curated.get("tables", {}).items():
        entry = tables.setdefault(name, {})
        entry.update({key: settings[k] for k, key in DATASETTE_KEYS.items() if k in settings})
        plugin_tables[name] = {k: settings[k] for k in PLUGIN_KEYS if k in settings}
    for name, entry in tables.items():
        entry["title"] = _bilingual("table", name, name)
    for name in curated.get("hidden", []):
        tables.setdefault(name, {})["hidden"] = True
    queries: dict[str, Any] = {}
    for report in find_reports():
        queries[report.name] = {"sql": report.body, "title": _bilingual("report", report.name, report.title),
                                "description": report.description, "hide_sql": True}
    for check in find_checks():
        queries[f"check_{check.name}"] = {"sql": check.body, "hide_sql": True,
                                          "title": _bilingual("check", check.name, f"Check: {check.title}"),
                                          "description": check.description}
    row_url = f"/{database}/documents"
    return {
        "title": TITLE,
        "description": "Documents, agencies and reported figures on how China's medical-insurance funds are "
                       "policed. Start with the dashboard (menu, top right), the v_metrics view or one of the "
                       "canned queries.",
        "databases": {database: {
            "tables": tables, "queries": queries,
            "plugins": {PLUGIN: {"tables": plugin_tables, "labels": labels_zh().get("column", {})}},
        }},
        "plugins": {"datasette-dashboards": dashboards_config(database, objects, labels_zh().get("column", {}),
                                                              row_url)},
    }


def write_metadata(path: Path, metadata: dict[str, Any]) -> Path:
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def database_name(engine: Engine) -> str:
    """Datasette's name for the SQLite file behind engine: the file name without its suffix."""
    return Path(sqlite_path(str(engine.url)) or "etl").stem


def metadata_for(engine: Engine) -> dict[str, Any]:
    """Metadata for the SQLite file behind engine: named after the file, panels for the objects it has."""
    with engine.connect() as conn:
        index_on = search_index_state(conn) is SearchIndex.ON
    return build_metadata(database_name(engine), index_on, database_objects(engine))


def write_metadata_for(engine: Engine, path: Path) -> Path:
    return write_metadata(path, metadata_for(engine))


def waiting_panels(engine: Engine) -> list[str]:
    """One line per dashboard panel the database cannot draw yet or draws from a fallback, and what it lacks."""
    resolved = resolve(database_objects(engine))
    return [f"{panel.slug}: waiting for {', '.join(missing)}" for panel, missing in resolved.waiting] + \
        [f"{panel.slug}: drawn from a fallback until there is {', '.join(missing)}"
         for panel, missing in resolved.fallbacks]


def datasette_command(db_file: Path, metadata_file: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The command line that serves db_file (Datasette only reads it) with the generated metadata."""
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    return [exe, "serve", str(db_file), "--metadata", str(metadata_file),
            "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000",
            "--setting", "truncate_cells_html", "300"]


class _Stop(Exception):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = tuple(s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


def run_child(command: list[str], grace_seconds: float = 10.0) -> int:
    """Run command until it ends or this process is told to stop (SIGTERM, SIGHUP, Ctrl-C); then end it too.

    Returns the child's exit status, or 0 when a stop signal ended it (stopping a server is a normal end).
    Without this a SIGTERM killed only this process: the child went on listening and the caller's clean-up
    (the temporary metadata folder) never ran.
    """

    def stop(signum, _frame):
        raise _Stop(signum)

    previous: dict[int, Callable | int | None] = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    child = None
    try:
        child = subprocess.Popen(command)
        return child.wait()
    except (_Stop, KeyboardInterrupt):
        return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def available() -> bool:
    try:
        import datasette  # noqa: F401
    except ImportError:
        return False
    return True


def dashboards_available() -> bool:
    try:
        import datasette_dashboards  # noqa: F401
    except ImportError:
        return False
    return True

