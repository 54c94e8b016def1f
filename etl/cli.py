"""The `etl` command: a thin click shell over etl.api (options parsed here, everything else done there)."""

from __future__ import annotations

import json
import os
import shutil
import sys

import click

from etl import __version__
from etl.cli_corrections import print_correction_summary
from etl.cli_corrections import register as register_corrections
from etl.cli_options import (
    EXIT_ERROR,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    api,
    db_option,
    failures,
)
from etl.cli_reporting import register as register_reporting
from etl.config import MAX_WORKERS, masked_text


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="etl")
def cli() -> None:
    """Turn folders of news posts and government notices on medical-insurance fund supervision into a
    SQLite or PostgreSQL database you can query with SQL."""


def _executor_spec(_ctx, _param, spec: str) -> str:
    """A usage error (exit 2) before anything runs: an executor that is none of those, or Dask not installed."""
    import importlib.util

    if spec != "local" and spec != "dask" and not spec.startswith("dask://"):
        raise click.BadParameter(f"{spec!r}: use local, dask or dask://HOST:PORT")
    if spec != "local" and importlib.util.find_spec("distributed") is None:
        raise click.BadParameter("Dask is not installed: pip install 'yibao-etl[dask]'")
    return spec


@cli.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@db_option
@click.option("--include", multiple=True, metavar="GLOB",
              help="Only load files whose path, name or folder matches (laws, laws/刑法, '*.md'; repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Skip files whose path, name or folder matches (laws, 'drafts/*'; repeatable).")
@click.option("--reprocess", is_flag=True, help="Re-transform every file, even unchanged ones.")
@click.option("--workers", type=click.IntRange(min=1, max=MAX_WORKERS), default=None, metavar="N",
              help=f"Worker processes for the transform (at most {MAX_WORKERS}; never more than there are "
                   "batches of files). Default: the number of cores.")
@click.option("--executor", default="local", show_default=True, metavar="SPEC", callback=_executor_spec,
              help="Where the transform runs: local, dask (a local cluster) or dask://HOST:PORT.")
@click.option("--max-file-mb", type=click.FloatRange(min=0.001), default=20.0, show_default=True,
              help="Files larger than this are recorded as failed, not read.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symlinks that lead outside the given folders.")
@click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="SECONDS", help="How long to wait if another run is writing to the same database.")
@click.option("--corrections", "corrections_dir", metavar="DIR", default=None,
              help="Folder of correction files (YAML) to apply. Default: $ETL_CORRECTIONS_DIR, else ./corrections "
                   "if it exists, else the corrections the database holds.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
def run_command(paths, db_url, include, exclude, reprocess, workers, executor, max_file_mb, follow_symlinks,
                wait_seconds, corrections_dir, as_json, quiet) -> None:
    """Extract, transform and load every document under PATHS (files or folders; default: seeds/).

    Migrates the database to the newest schema first. Unchanged files are skipped; changed files replace
    their rows; files gone from a given folder are marked removed. Files that cannot be read are recorded
    in the failed_files table with a reason, and the run goes on.

    \b
    Exit status:
      0  every file loaded (or was unchanged)
      1  the run failed (database unreachable, disk full …); what earlier batches loaded stays
      2  usage error (a path that does not exist, an unsupported database URL, a mistake in a
         corrections file …); nothing written
      3  the run completed but some files failed (see failed_files and the summary)
      4  another etl run is writing to the same database (see --wait)
    """
    etl_api = api()
    options = etl_api.RunOptions(
        include=tuple(include), exclude=tuple(exclude), reprocess=reprocess,
        workers=workers or min(os.cpu_count() or 1, MAX_WORKERS), executor=executor,
        max_file_bytes=int(max_file_mb * 1024 * 1024), follow_symlinks=follow_symlinks,
        lock_wait_seconds=wait_seconds, corrections=corrections_dir,
    )
    given, paths = bool(paths), list(paths) or ["seeds"]
    progress, close = _progress(quiet, paths, options)
    try:
        summary = etl_api.run(paths, db_url, options, progress)
    except etl_api.CorrectionError as exc:
        close()
        click.echo(f"etl run: {exc} (nothing was written)", err=True)
        sys.exit(EXIT_USAGE)
    except etl_api.LockBusy as exc:
        close()
        _run_failed(as_json, EXIT_LOCKED, f"etl run: {exc}; try again later or pass --wait SECONDS")
    except Exception as exc:
        close()
        usage = etl_api.usage_error(exc)
        if isinstance(exc, etl_api.PathNotFound) and not given:
            usage = f"no seeds/ folder in {os.getcwd()}: give the files or folders to load (etl run PATH ...)"
        if usage:
            _run_failed(as_json, EXIT_USAGE, f"etl run: {usage}")
        # one line, so a nightly job's log or alert shows the whole story
        _run_failed(as_json, EXIT_ERROR, f"etl run failed: {_one_line(exc)} (database {etl_api.shown_url(db_url)}; "
                                         "what earlier batches loaded stays)")
    close()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary)
    sys.exit(EXIT_PARTIAL if summary.files_failed else EXIT_OK)


def _run_failed(as_json: bool, code: int, line: str) -> None:
    """The one line on stderr; with --json also a JSON object on stdout, so a script reads one format."""
    click.echo(line, err=True)
    if as_json:
        status = {EXIT_LOCKED: "locked", EXIT_USAGE: "usage_error"}.get(code, "failed")
        click.echo(json.dumps({"status": status, "exit_code": code, "error": line}, ensure_ascii=False, indent=2))
    sys.exit(code)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return masked_text(f"{type(exc).__name__}: {text[0] if text else ''}")


def _progress(quiet: bool, paths: list[str], options):
    """A bar with a total and the time left on a terminal, plain lines when not a TTY, nothing with --quiet.

    The total comes from a count of the folders first (pipeline.count_documents: names only, no stat)."""
    if quiet:
        return None, lambda: None
    if sys.stderr.isatty():
        from tqdm import tqdm

        total = api().progress_total(paths, options)
        # a terminal that reports no size (some pseudo-terminals) gets 80 x 24, not an invisible bar
        size = shutil.get_terminal_size((80, 24))
        bar = tqdm(total=total or None, unit=" files", desc="loading", file=sys.stderr, leave=False,
                   ncols=size.columns or 80, nrows=size.lines or 24)

        def update(count: int) -> None:
            if bar.total is not None and bar.n + count > bar.total:
                bar.total = bar.n + count  # the count missed a few (links, special files): never past 100 %
            bar.update(count)

        return update, bar.close
    return api().progress_lines(sys.stderr), lambda: None


def _print_summary(s) -> None:
    click.echo(f"run {s.run_id} {s.status} in {s.seconds:.1f}s  ({s.database})")
    click.echo(f"files     seen {s.files_seen}: new {s.files_new}, changed {s.files_changed}, "
               f"unchanged {s.files_unchanged}, reprocessed {s.files_reprocessed}, moved {s.files_moved}, "
               f"failed {s.files_failed}, removed {s.files_removed}; skipped {s.files_skipped}")
    click.echo(f"database  documents {s.documents}, agencies {s.agencies}, metrics {s.metrics} "
               f"({s.metrics_written} written by this run)")
    for path, stage, reason in s.failures[:20]:
        click.echo(f"failed    {path}  [{stage}] {reason}")
    if len(s.failures) > 20:
        click.echo(f"failed    … and {len(s.failures) - 20} more: see the failed_files table, run_id {s.run_id}")
    if s.corrections_version or s.corrections_applied or s.corrections_orphaned or s.corrections_pending:
        print_correction_summary(s)


@cli.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--max-file-mb", type=click.FloatRange(min=0.001), default=20.0, show_default=True,
              help="Files larger than this are refused, as `etl run` refuses them.")
def inspect_command(file, max_file_mb) -> None:
    """Show what the transform makes of one FILE, as JSON, without touching a database.

    The limits of `etl run` apply: the file's size, and the time one file may take to transform."""
    etl_api = api()
    try:
        record = etl_api.inspect_file(file, int(max_file_mb * 1024 * 1024))
    except etl_api.StageError as exc:
        click.echo(json.dumps({"file": etl_api.stored_path(file), "failed": {"stage": exc.stage, "reason": exc.reason}},
                              ensure_ascii=False, indent=2))
        sys.exit(EXIT_PARTIAL)
    click.echo(json.dumps(etl_api.to_jsonable(record), ensure_ascii=False, indent=2))


@cli.command("show")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Rows per section.")
def show_command(db_url, limit) -> None:
    """Show what the database holds: documents, metrics by indicator, agencies by level, failures."""
    etl_api = api()
    pad, plain = etl_api.pad, etl_api.plain
    with failures("etl show"):
        sections = etl_api.show(db_url, limit)
    click.echo("documents (id, date, source, metrics, title):")
    for id_, day, source, count, title in sections["documents"]:
        click.echo(f"  {id_:>5}  {plain(day) or '':10}  {pad(source or '-', 16)}  {count:>3}  {title or ''}")
    # never a sum: running totals (cumulative) would be added to their own parts (see `etl report`)
    click.echo("on-topic metrics by indicator (indicator, unit, figures, of which running totals, largest):")
    for indicator, unit, count, running, largest in sections["metrics_by_indicator"]:
        click.echo(f"  {indicator or '(none)':32} {pad(unit, 6)} {count:>5}  {running:>5}  {_figure(largest)}")
    click.echo("agencies by level: " + ", ".join(f"{lvl} {n}" for lvl, n in sections["agencies_by_level"]))
    if sections["recent_failures"]:
        click.echo("recent failures:")
        for path, stage, reason in sections["recent_failures"]:
            click.echo(f"  {path}  [{stage}] {reason}")


def _figure(value) -> str:
    """A figure as the reports print it (whole numbers without decimals, the same on both databases)."""
    value = api().plain(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}" if isinstance(value, float) else ""


def _migrate(db_url: str | None, direction: str, revision: str, confirmed: bool = False) -> None:
    """Run a migration (etl.api.migrate: under the writer lock, so it never changes the schema under a load).

    A downgrade drops tables or columns with their rows: on a terminal it asks first, elsewhere it needs
    --yes. Revision names are checked before the database is opened (a typo creates nothing)."""
    etl_api = api()
    try:
        etl_api.check_revision(revision)
    except etl_api.UnknownRevision as exc:
        raise click.UsageError(str(exc)) from None
    if direction == "downgrade":
        etl_api.schema_revisions(db_url)  # the database must exist before anyone is asked
        if not confirmed:
            _confirm_downgrade(etl_api.shown_url(db_url), revision)
    with failures(f"etl db {direction}", "try again when it has finished"):
        revision_now = etl_api.migrate(revision, db_url, downgrade=direction == "downgrade")
    click.echo(f"{etl_api.shown_url(db_url)} at revision {revision_now}")


@cli.group("db")
def db_group() -> None:
    """Schema migrations (Alembic). `alembic upgrade head` works too."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@db_option
def db_upgrade(revision, db_url) -> None:
    """Migrate the database up to REVISION (default: head)."""
    _migrate(db_url, "upgrade", revision)


@db_group.command("downgrade")
@click.argument("revision")
@db_option
@click.option("--yes", "-y", "confirmed", is_flag=True,
              help="Do not ask: a downgrade drops the tables and columns newer than REVISION, with their rows.")
def db_downgrade(revision, db_url, confirmed) -> None:
    """Migrate the database down to REVISION (`base` empties it).

    Asks on a terminal; elsewhere (scripts, cron) it needs --yes and otherwise exits 2 having changed nothing.
    """
    _migrate(db_url, "downgrade", revision, confirmed)


def _confirm_downgrade(shown_url: str, revision: str) -> None:
    what = f"drop every table of {shown_url} and the rows in them" if revision == "base" else \
        f"drop the tables and columns of {shown_url} newer than {revision}, with their rows"
    if not sys.stdin.isatty():
        raise click.UsageError(f"etl db downgrade {revision} would {what}; pass --yes to do it")
    if not click.confirm(f"This will {what}. Go on?", default=False, err=True):
        click.echo("nothing changed", err=True)
        sys.exit(EXIT_ERROR)


@db_group.command("current")
@db_option
def db_current(db_url) -> None:
    """Print the database's current revision and the newest one."""
    etl_api = api()
    current, head = etl_api.schema_revisions(db_url)
    state = "up to date" if current == head else "needs `etl db upgrade`"
    click.echo(f"{etl_api.shown_url(db_url)}: current {current or 'base'}, head {head} ({state})")


register_reporting(cli, db_group)
register_corrections(cli)


def _command_name(args: list[str]) -> str:
    """`etl db upgrade` for the words of args that name a command, to begin an error line with."""
    words, group = ["etl"], cli
    for arg in args:
        command = group.commands.get(arg) if isinstance(group, click.Group) else None
        if command is None:
            if arg.startswith("-"):
                continue
            break
        words.append(arg)
        group = command
    return " ".join(words)


def main() -> None:
    """The console script: any failure in any command is one masked line, not a traceback (a traceback in a
    nightly log hides the cause and may echo connection details): exit 2 for the user's mistakes (see
    usage_error), 1 for the rest. ETL_TRACEBACK=1 adds the traceback, for a bug report."""
    import logging

    # The driver logs its own clean-up noise ("error ignored terminating <Pipeline>") when a server dies;
    # without a handler Python prints it raw to stderr next to our one-line message, which says it all.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    try:
        cli(prog_name="etl")  # click itself handles usage errors, --help and sys.exit
    except Exception as exc:  # the last line of defence: one line, never a traceback
        usage = api().usage_error(exc)
        click.echo(f"{_command_name(sys.argv[1:])}: {usage or _one_line(exc)}", err=True)
        if os.environ.get("ETL_TRACEBACK"):
            raise
        sys.exit(EXIT_USAGE if usage else EXIT_ERROR)
    finally:
        # The process exits next. Interpreter shutdown runs full garbage collections over every object a run
        # made (SQLAlchemy, NumPy, the transform's tables), noticeable after a load (bench/README.md). Frozen objects are
        # not traversed; they are still released by reference counting and the OS. Databases and files are
        # closed by then (the commands dispose of their engines), so nothing waits on a finalizer.
        import gc

        gc.freeze()

