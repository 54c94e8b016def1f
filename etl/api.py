"""The library API: every `etl` command is one call of a function here, and a notebook calls them the same way.

The CLI only parses options, calls one of these and prints what it returns; whatever a command does (the writer
lock around a migration, the check that a database is at the newest schema, closing the run row of records a
notebook loads) is done here, so a caller of the library gets it too. Errors are exceptions: `usage_error` says
which of them are the caller's mistake.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine, make_url

from etl.config import DEFAULT_MAX_FILE_BYTES, MAX_WORKERS, BadDatabaseURL, masked, masked_text, resolve_url
from etl.corrections.folder import folder_for_writing, resolve_folder
from etl.corrections.model import Correction, CorrectionError
from etl.extract.files import read_file, shown_name, stored_path
from etl.load import migrate as migrations
from etl.load.clean import clean
from etl.load.db import DatabaseNotFound, UnsupportedDatabase, make_engine, sqlite_path
from etl.load.lock import LockBusy, writer_lock
from etl.load.search_index import SearchIndex, search_index_state, switch_search_index
from etl.pipeline import PathNotFound, Progress, RunOptions, RunSummary, count_documents, print_progress_to
from etl.pipeline import load_records as _load_records
from etl.pipeline import run as _run
from etl.records import DocumentRecord, StageError
from etl.reporting import datasette as _datasette
from etl.reporting.chart import ChartError, report_svg
from etl.reporting.checks import CheckOutcome, require_checks, run_checks
from etl.reporting.queries import Report, ReportError, Result, find_reports, get_report, run_report
from etl.reporting.render import as_table, pad, plain, render
from etl.reporting.review import ISSUES, ReviewItem, export_csv, import_csv, review_queue
from etl.reporting.search import COLUMNS as SEARCH_COLUMNS
from etl.reporting.search import Hit
from etl.reporting.search import search as _search
from etl.rules import RuleError
from etl.show import overview
from etl.work import TransformTimeout, timeout_reason, transform_limited


class NotMigrated(RuntimeError):
    """The database is not at the newest schema: `etl db upgrade` (or a run) first."""


class UnknownRevision(ValueError):
    """A revision that names none of the migrations."""


class UnknownIssue(ValueError):
    """An issue the review queue does not list."""


class DatasetteMissing(RuntimeError):
    """The optional Datasette extra is not installed."""


# -- runs ----------------------------------------------------------------------------------------------------


def run(paths: list[str] | None = None, db_url: str | None = None, options: RunOptions | None = None,
        progress: Progress | None = None, **option_values: Any) -> RunSummary:
    """Load every document under paths (default seeds/) into the database; options as RunOptions (or its
    fields as keywords). Raises LockBusy, PathNotFound, CorrectionError (see etl.pipeline.run)."""
    return _run(paths, db_url, options or RunOptions(**option_values), progress)


def load_records(records: Iterable[DocumentRecord], db_url: str | None = None, root: str | os.PathLike = ".",
                 wait_seconds: float = 0.0) -> RunSummary:
    """Write a list of records (from inspect_file, or a notebook's own transform) in one call, as a run whose
    etl_runs row is closed; a record is the document of the file root/source_path."""
    return _load_records(records, db_url, root, wait_seconds)


def inspect_file(path: str, max_bytes: int | None = DEFAULT_MAX_FILE_BYTES) -> DocumentRecord:
    """What the transform makes of one file, without touching a database. Raises StageError for bad input,
    and for a file over the limits `etl run` sets (its size, FILE_TIME_LIMIT_SECONDS of transform)."""
    data, sha = read_file(os.path.realpath(path), max_bytes)
    try:
        record = transform_limited(data, shown_name(os.path.basename(path)), sha)
    except TransformTimeout:
        raise StageError("transform", timeout_reason()) from None
    return clean(record)  # what `etl run` would store


def progress_total(paths: list[str], options: RunOptions) -> int:
    """About how many documents a run of paths meets, for a progress bar (names only, no stat)."""
    return count_documents(paths, options.include, options.exclude)


def progress_lines(stream: Any) -> Progress:
    """A progress callback that prints a plain line every few seconds (for logs, not terminals)."""
    return print_progress_to(stream)


# -- the schema ----------------------------------------------------------------------------------------------


def check_revision(revision: str) -> None:
    """UnknownRevision, naming those that exist, for a revision no migration has (before any database opens)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if re.fullmatch(r"[+-]\d+|heads?|base", revision) or "@" in revision:
        return  # relative and symbolic revisions are resolved against the database by Alembic
    script = ScriptDirectory.from_config(migrations.alembic_config())
    try:
        script.get_revision(revision)
    except CommandError:
        known = sorted(r.revision for r in script.walk_revisions())
        raise UnknownRevision(f"no revision {revision!r}; revisions: base, {', '.join(known)}, head") from None


def migrate(revision: str = "head", db_url: str | None = None, downgrade: bool = False,
            wait_seconds: float = 0.0) -> str:
    """Migrate the database up (or down) to revision under the writer lock, so the schema never changes under a
    running load; returns the revision it is at then. Raises UnknownRevision, LockBusy."""
    check_revision(revision)
    engine = make_engine(db_url, must_exist=downgrade)
    try:
        with writer_lock(engine, wait_seconds):
            (migrations.downgrade if downgrade else migrations.upgrade)(engine, revision)
        return migrations.current_revision(engine) or "base"
    finally:
        engine.dispose()


def schema_revisions(db_url: str | None = None) -> tuple[str | None, str | None]:
    """(the database's revision, the newest one); the database must exist."""
    with _database(db_url, ready=False) as engine:
        return migrations.current_revision(engine), migrations.head_revision()


def shown_url(db_url: str | None = None) -> str:
    """The database URL as it may be printed: resolved, password masked."""
    try:
        return masked(resolve_url(db_url))
    except Exception:  # an unparsable URL is never echoed
        return "<unparsable database URL>"


@contextmanager
def _database(db_url: str | None, ready: bool = True) -> Iterator[Engine]:
    """An engine on an existing database (a mistyped SQLite path is an error, not a new file), at the newest
    schema when ready; disposed of afterwards."""
    engine = make_engine(db_url, must_exist=True)
    try:
        if ready:
            current = migrations.current_revision(engine)
            if current != migrations.head_revision():
                raise NotMigrated(f"{masked(engine.url)} is at revision {current or 'base'}; run `etl db upgrade` "
                                  "(or `etl run`) first")
        yield engine
    finally:
        engine.dispose()


# -- reading the database ------------------------------------------------------------------------------------


def show(db_url: str | None = None, limit: int = 10) -> dict[str, list[tuple]]:
    """What the database holds: documents, on-topic metrics by indicator, agencies by level, recent failures."""
    with _database(db_url) as engine:
        return overview(engine, limit)


def reports() -> list[Report]:
    """The reports of sql/ (or $ETL_SQL_DIR), by name."""
    return find_reports()


def report(name: str, params: Mapping[str, Any] | None = None, db_url: str | None = None) -> tuple[Report, Result]:
    """Run the report NAME with its :parameters; raises ReportError for a name or a parameter that does not fit."""
    found = get_report(name)
    with _database(db_url) as engine, engine.connect() as conn:
        return found, run_report(conn, found, dict(params or {}))


def report_chart(found: Report, result: Result, x: str | None = None, y: str | None = None,
                 series: str | None = None) -> str:
    """A report's rows as an SVG line chart; raises ChartError when they do not make one."""
    return report_svg(found.name, found.title, result.columns, result.rows, x, y, series)


def check(names: Iterable[str] = (), db_url: str | None = None) -> list[CheckOutcome]:
    """Run the data checks of sql/checks/ (or only names; an unknown name is a ReportError before the database
    is opened)."""
    names = list(names)
    require_checks(names)
    with _database(db_url) as engine:
        return run_checks(engine, only=names or None)


def search(words: Iterable[str], limit: int = 20, db_url: str | None = None) -> list[Hit]:
    """Active documents whose title or text contains every one of words (COLUMNS: what a hit's row holds)."""
    with _database(db_url) as engine:
        return _search(engine, list(words), limit)


def search_index_status(db_url: str | None = None) -> SearchIndex:
    """Whether the optional trigram search index is on."""
    with _database(db_url) as engine, engine.connect() as conn:
        return search_index_state(conn)


def search_index(on: bool, db_url: str | None = None, wait_seconds: float = 0.0) -> bool:
    """Build (on) or drop (off) the optional trigram search index under the writer lock; False when it already
    was so. Migrates a database that is not at the newest schema (creates a SQLite file that is not there)."""
    engine = make_engine(db_url)
    try:
        return switch_search_index(engine, on, wait_seconds)
    finally:
        engine.dispose()


# -- review and corrections ----------------------------------------------------------------------------------


def review_issues() -> tuple[str, ...]:
    """The kinds of issue the review queue lists."""
    return ISSUES


def review(db_url: str | None = None, issues: list[str] | None = None, limit: int | None = None) -> list[ReviewItem]:
    """The review queue, most urgent first; UnknownIssue for an issue that is none of review_issues()."""
    unknown = [i for i in issues or () if i not in ISSUES]
    if unknown:
        raise UnknownIssue(f"unknown issue {unknown[0]!r}; one of {', '.join(ISSUES)}")
    with _database(db_url) as engine:
        return review_queue(engine, issues, limit)


def review_export(path: str | os.PathLike, db_url: str | None = None, issues: list[str] | None = None,
                  limit: int | None = None) -> int:
    """Write the review queue to a CSV file with empty columns for the fixes; returns the rows written."""
    return export_csv(review(db_url, issues, limit), Path(path))


def review_import(path: str | os.PathLike, corrections: str | os.PathLike | None = None,
                  file: str | None = None) -> tuple[str, list[Correction]]:
    """Turn an edited review CSV into corrections in the corrections folder (file: default the CSV's name
    with .yaml); returns the file written and the corrections added. Raises CorrectionError for a mistake."""
    specs = import_csv(Path(path))
    return correct(specs, corrections, file or Path(path).with_suffix(".yaml").name)


def correct(specs: dict | list[dict], corrections: str | os.PathLike | None = None, file: str | None = None,
            db_url: str | None = None) -> tuple[str, list[Correction]]:
    """Add corrections (mappings as in a corrections file) to the corrections folder (given, else
    $ETL_CORRECTIONS_DIR, else ./corrections, made when missing) and return the file and the corrections added. With db_url, a
    `document` given as a database id or a sha256 alone is written as the document's path and sha256.
    Raises CorrectionError for a mistake; nothing is written then."""
    from etl.corrections.files import (  # start-up: YAML, which a run without corrections skips
        DEFAULT_FILE,
        append,
    )

    items = [specs] if isinstance(specs, dict) else list(specs)
    if db_url is not None:
        items = pin(items, db_url)
    path, added = append(folder_for_writing(corrections), items, file or DEFAULT_FILE)
    return str(path), added


def pin(specs: list[dict], db_url: str) -> list[dict]:
    """Correction mappings whose `document` (a database id, path or sha256) is named by its path and sha256."""
    from etl.corrections.lookup import (
        pin_documents,  # start-up: as the corrections files, only when asked for
    )

    return pin_documents(specs, db_url)


def list_corrections(corrections: str | os.PathLike | None = None, db_url: str | None = None) -> list[tuple]:
    """(correction, status, detail) for each correction of the folder, checked; status and detail as the
    database's last run found them (None without db_url, or for one no run has met)."""
    from etl.corrections.files import load_folder  # start-up: YAML, which a run without corrections skips
    from etl.corrections.store import stored_statuses  # start-up: as above

    folder = resolve_folder(corrections)
    if folder is None:
        raise CorrectionError("corrections", "no corrections folder here (give --corrections DIR)")
    found = load_folder(folder)
    statuses = stored_statuses(db_url) if db_url is not None else {}
    return [(c, *statuses.get(c.key, (None, None))) for c in found.items]


# -- PostgreSQL roles and Datasette --------------------------------------------------------------------------


def _postgres(db_url: str | None) -> None:
    from etl.reporting.roles import require_postgres  # start-up: psycopg, which no other command needs

    require_postgres(make_url(resolve_url(db_url)).get_backend_name())


def grant_reader(name: str, password: str | None = None, schema: str = "public", statement_timeout: str = "30s",
                 db_url: str | None = None) -> tuple[list[str], str]:
    """Create or update NAME, a read-only PostgreSQL login; returns the statements run and the URL to give BI
    tools (password masked). Raises RoleError on another database or for a name that does not fit."""
    from etl.reporting.roles import (
        grant_reader as _grant,  # start-up: psycopg, which no other command needs
    )

    _postgres(db_url)
    with _database(db_url, ready=False) as engine:
        statements = _grant(engine, name, password, schema, statement_timeout)
        return statements, masked(engine.url.set(username=name, password=None))


def revoke_reader(name: str, db_url: str | None = None) -> None:
    """Remove NAME's privileges on this database and drop the role."""
    from etl.reporting.roles import (
        revoke_reader as _revoke,  # start-up: psycopg, which no other command needs
    )

    _postgres(db_url)
    with _database(db_url, ready=False) as engine:
        _revoke(engine, name)


def datasette_metadata(db_url: str | None = None, database: str = "etl", search_index: bool = False) -> dict:
    """Datasette metadata: read from the database when db_url is given, else for a database of that name."""
    if db_url is None:
        return _datasette.build_metadata(database, search_index)
    with _database(db_url) as engine:
        return _datasette.metadata_for(engine)


def write_datasette_metadata(path: str | os.PathLike, metadata: dict) -> Path:
    return _datasette.write_metadata(Path(path), metadata)


def datasette_serve(db_url: str | None = None, host: str = "127.0.0.1", port: int = 8001,
                    say: Callable[[str], None] = print) -> int:
    """Serve a SQLite database in Datasette until it is stopped; returns its exit status. say() gets the lines
    a person should read (panels waiting for data, the address)."""
    if not _datasette.available():
        raise DatasetteMissing("Datasette is not installed: pip install 'yibao-etl[datasette]'")
    path = sqlite_path(resolve_url(db_url))
    if path is None:
        raise UnsupportedDatabase("Datasette serves SQLite files; give --db sqlite:///FILE")
    with tempfile.TemporaryDirectory(prefix="etl-datasette-") as folder:
        with _database(db_url) as engine:
            for line in _datasette.waiting_panels(engine):
                say(f"dashboard: {line}")
            if not _datasette.dashboards_available():
                say("no dashboard: datasette-dashboards is not installed (pip install 'yibao-etl[datasette]')")
            meta = _datasette.write_metadata_for(engine, Path(folder) / "metadata.json")
        say(f"serving {path} on http://{host}:{port}/ (dashboard: /-/dashboards/yibao); Ctrl-C stops")
        return _datasette.run_child(_datasette.datasette_command(Path(path), meta, host, port))


# -- errors and output ---------------------------------------------------------------------------------------


def usage_error(exc: BaseException) -> str | None:
    """The one-line message when exc is the caller's mistake (exit 2 on the command line), else None: a report,
    check, revision, path, rule table or SQLite file that does not exist or does not fit, a database we do not
    support, a role command on SQLite."""
    from etl.reporting.roles import RoleError  # start-up: psycopg, which no other command needs

    if isinstance(exc, DatabaseNotFound | UnsupportedDatabase | PathNotFound | ReportError | RoleError
                  | UnknownRevision | UnknownIssue | ChartError | RuleError | CorrectionError | BadDatabaseURL):
        return str(exc)
    if type(exc).__module__.startswith("alembic"):  # CommandError: a revision Alembic cannot find …
        return masked_text(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    return None


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


__all__ = [
    "MAX_WORKERS", "SEARCH_COLUMNS", "as_table", "pad", "plain", "render", "ChartError", "CorrectionError", "DatasetteMissing", "LockBusy", "NotMigrated",
    "PathNotFound", "ReportError", "RuleError", "RunOptions", "RunSummary", "SearchIndex", "StageError", "stored_path",
    "UnknownIssue", "UnknownRevision", "check", "check_revision", "correct", "datasette_metadata", "datasette_serve",
    "grant_reader", "inspect_file", "list_corrections", "load_records", "masked_text", "migrate", "pin",
    "progress_lines", "progress_total", "report", "report_chart", "reports", "review", "review_export",
    "review_import", "review_issues", "revoke_reader", "run", "schema_revisions", "search", "search_index",
    "search_index_status", "show", "shown_url", "to_jsonable", "usage_error", "write_datasette_metadata",
]
