"""What every `etl` command shares: the options they take, the one table of exit codes, and how a known failure
becomes one line and its exit code. The commands themselves (cli.py, cli_reporting.py, cli_corrections.py)
parse options and call etl.api; nothing else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import click

from etl.config import ENV_VAR

# The exit codes of every command (README "Exit status"); click's own usage errors are 2 as well.
EXIT_OK = 0  # done
EXIT_ERROR = 1  # failed (database unreachable, not migrated, a check found rows …)
EXIT_USAGE = 2  # the user's mistake (a path, report, revision or option that does not exist); nothing written
EXIT_PARTIAL = 3  # a run completed but some files failed
EXIT_LOCKED = 4  # another run is writing to the same database

DB_HELP = (f"Database URL (SQLite or PostgreSQL) or the path of a SQLite file. Default: ${ENV_VAR}, "
           "else sqlite:///etl.db.")


def api() -> ModuleType:
    """etl.api, imported when a command runs: `etl --help` must not import the pipeline (bench/README.md)."""
    import etl.api  # start-up: `etl --help` and usage errors must not pay for the whole library

    return etl.api


def db_option(func):
    return click.option("--db", "db_url", metavar="URL", default=None, help=DB_HELP)(func)


OUTPUT_FORMATS = ("table", "csv", "json")  # what etl.api.render writes


def format_option(choices: tuple[str, ...] = OUTPUT_FORMATS, help: str = "Output format."):
    return click.option("--format", "fmt", type=click.Choice(choices), default="table", show_default=True,
                        help=help)


def wait_option(func):
    return click.option("--wait", "wait_seconds", type=click.FloatRange(min=0), default=0.0, show_default=True,
                        metavar="SECONDS", help="How long to wait if an etl run is writing to the database.")(func)


def corrections_option(help: str):
    return click.option("--corrections", "corrections_dir", metavar="DIR", default=None, help=help)


@contextmanager
def failures(command: str, locked_hint: str = "try again later or pass --wait SECONDS") -> Iterator[None]:
    """The library's known failures as one line on stderr and their exit code: a database not at the newest
    schema (1), another run holding the writer lock (4), the user's mistake (2, etl.api.usage_error)."""
    try:
        yield
    except Exception as exc:
        etl_api = api()
        if isinstance(exc, etl_api.NotMigrated):
            click.echo(str(exc), err=True)
            sys.exit(EXIT_ERROR)
        if isinstance(exc, etl_api.LockBusy):
            click.echo(f"{command}: {exc}; {locked_hint}", err=True)
            sys.exit(EXIT_LOCKED)
        usage = etl_api.usage_error(exc)
        if usage is None:
            raise
        click.echo(f"{command}: {usage}", err=True)
        sys.exit(EXIT_USAGE)
