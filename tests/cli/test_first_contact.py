"""What a first user meets: every documented command given bad arguments ends in one clear line and a
documented exit code, never a traceback; a mistyped database path creates nothing.

The installed `etl` in a subprocess, from a folder that is not the checkout, as a stranger runs it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from etl.load.db import make_engine
from etl.load.lock import writer_lock
from tests.helpers import run_etl

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
EXIT_USAGE, EXIT_ERROR, EXIT_LOCKED = 2, 1, 4

# (arguments, exit status, words the last line of stderr must hold); "{db}" is the loaded test database
ANY_DATABASE = [  # mistakes that never reach a database: tried once
    (["reprot"], EXIT_USAGE, "Did you mean 'report'"),
    (["run", "--workrs", "2"], EXIT_USAGE, "--workers"),
    (["inspect", "/no/such/file.md"], EXIT_USAGE, "/no/such/file.md"),
    (["show", "--db", "mysql://user@localhost/yibao"], EXIT_USAGE, "mysql:// databases are not supported"),
    (["report", "stories", "--db", "mysql://user@localhost/yibao"], EXIT_USAGE, "not supported"),
    (["run", "{seeds}", "--db", "mysql://user@localhost/yibao"], EXIT_USAGE, "not supported"),
    (["run", "{seeds}", "--executor", "dask:/typo", "--db", "{db}"], EXIT_USAGE, "use local, dask or dask://"),
    (["run", "--db", "{db}"], EXIT_USAGE, "no seeds/ folder in"),
    (["report", "stories", "--format", "xml"], EXIT_USAGE, "'xml' is not one of"),
    (["search"], EXIT_USAGE, "Missing argument"),
    (["show", "--limit", "0"], EXIT_USAGE, "--limit"),
    (["search-index", "enable", "--wait", "-1"], EXIT_USAGE, "--wait"),
    (["datasette", "metadata", "-o", "/no/such/dir/metadata.json"], EXIT_ERROR, "/no/such/dir/metadata.json"),
    (["db", "grant-reader", "bi", "--db", "{db}"], EXIT_USAGE, "PostgreSQL feature"),
    (["show", "--db", "{notadb}"], EXIT_ERROR, "file is not a database"),
]
EACH_DATABASE = [  # mistakes met beside the database (a run, a migration)
    (["run", "/no/such/dir", "--db", "{db}"], EXIT_USAGE, "/no/such/dir"),
    (["db", "upgrade", "9999", "--db", "{db}"], EXIT_USAGE, "no revision '9999'"),
    (["db", "downgrade", "base", "--db", "{db}"], EXIT_USAGE, "--yes"),
]
REPORTS = [  # found before a query is sent, the same code on both databases: tried on SQLite
    (["db", "downgrade", "nosuchrev", "--yes", "--db", "{db}"], EXIT_USAGE, "no revision 'nosuchrev'"),
    (["report", "no_such_report", "--db", "{db}"], EXIT_USAGE, "reports: conflicting_figures"),
    (["report", "document_metrics", "--db", "{db}"], EXIT_USAGE, "--param document_id"),
    (["report", "document_metrics", "-p", "document_id=abc", "--db", "{db}"], EXIT_USAGE, "must be an integer"),
    (["report", "document_metrics", "-p", "document_id=1", "-p", "colour=red", "--db", "{db}"], EXIT_USAGE,
     "takes no parameter colour"),
    (["report", "document_metrics", "-p", "document_id", "--db", "{db}"], EXIT_USAGE, "KEY=VALUE"),
    (["check", "nosuchcheck", "--db", "{db}"], EXIT_USAGE, "no check 'nosuchcheck'; checks: "),
    (["check", "metrics_negative_value", "metrics_negatve_value", "--db", "{db}"], EXIT_USAGE,
     "no check 'metrics_negatve_value'"),
]
POSTGRES_ONLY = [
    (["db", "revoke-reader", "nobody_by_that_name", "--db", "{db}"], EXIT_USAGE, "no role 'nobody_by_that_name'"),
    (["db", "grant-reader", "bi", "--db", "{nodb}"], EXIT_ERROR, "does not exist"),
    (["show", "--db", "{nodb}"], EXIT_ERROR, "does not exist"),
]


def _fill(args: list[str], values: dict[str, str]) -> list[str]:
    return [a.format(**values) for a in args]


@pytest.mark.slow
def test_bad_arguments_end_in_one_line_and_a_documented_exit_code(db_url, etl_bin, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_etl(etl_bin, "run", str(SEEDS), "--db", db_url, "-q", cwd=home).returncode == 0
    not_a_db = home / "notes.db"
    not_a_db.write_text("not a database\n", encoding="utf-8")
    values = {"db": db_url, "notadb": str(not_a_db), "seeds": str(SEEDS),
              "nodb": make_url(db_url).set(database="etl_no_such_database").render_as_string(hide_password=False)}
    cases = EACH_DATABASE + (POSTGRES_ONLY if db_url.startswith("postgresql") else ANY_DATABASE + REPORTS)
    problems = []
    for args, code, words in cases:
        result = run_etl(etl_bin, *_fill(args, values), cwd=home)
        output = result.stdout + result.stderr
        lines = result.stderr.strip().splitlines()
        if "Traceback" in output or result.returncode != code or not lines or words not in lines[-1]:
            problems.append(f"etl {' '.join(args)}: exit {result.returncode} (expected {code}), "
                            f"last line {lines[-1] if lines else ''!r}, expected {words!r}\n{output[-1500:]}")
    assert not problems, "\n\n".join(problems)
    current = run_etl(etl_bin, "db", "current", "--db", db_url, cwd=home)
    assert "up to date" in current.stdout  # nothing above changed the schema (downgrade without --yes)


READ_ONLY = [
    ["show"], ["report", "stories"], ["search", "医保"], ["check"], ["check", "metrics_negative_value"],
    ["db", "current"], ["search-index"], ["search-index", "status"], ["datasette", "serve"],
    ["db", "downgrade", "base", "--yes"], ["db", "revoke-reader", "bi"], ["db", "grant-reader", "bi"],
]


def _refused_and_nothing_made(etl_bin, home: Path, missing: Path, commands: list[list[str]], db_args: list[str],
                              env: dict | None = None) -> list[str]:
    problems = []
    for args in commands:
        result = run_etl(etl_bin, *args, *db_args, cwd=home, env=env)
        last = (result.stderr.strip().splitlines() or [""])[-1]
        named = "PostgreSQL" in last if args[1:2] in (["revoke-reader"], ["grant-reader"]) else str(missing) in last
        if result.returncode != EXIT_USAGE or not named or "Traceback" in result.stderr:
            problems.append(f"etl {' '.join(args)}: exit {result.returncode}\n{result.stderr[-800:]}")
        if os.listdir(home):
            problems.append(f"etl {' '.join(args)} created {sorted(os.listdir(home))}")
            break
    return problems


@pytest.mark.slow
def test_a_mistyped_database_path_is_an_error_naming_it_and_creates_nothing(etl_bin, tmp_path):
    """Every command that only reads, given a SQLite file that does not exist, in a folder that does not
    exist either: exit 2 naming it, no .db, -wal, -shm or lock file, no folder."""
    home = tmp_path / "home"
    home.mkdir()
    missing = home / "typo" / "etl.db"
    problems = _refused_and_nothing_made(etl_bin, home, missing, READ_ONLY, ["--db", str(missing)])
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("how", ["--db URL", "ETL_DATABASE_URL", "default etl.db"])
def test_every_way_of_naming_the_database_is_checked(etl_bin, tmp_path, how):
    home = tmp_path / "home"
    home.mkdir()
    missing = home / "etl.db"
    db_args, env = {"--db URL": (["--db", f"sqlite:///{missing}"], {}),
                    "ETL_DATABASE_URL": ([], {"ETL_DATABASE_URL": f"sqlite:///{missing}"}),
                    "default etl.db": ([], {"ETL_DATABASE_URL": ""})}[how]
    problems = _refused_and_nothing_made(etl_bin, home, missing, [["show"], ["report", "stories"]], db_args, env)
    assert not problems, "\n\n".join(problems)


def test_run_on_a_path_that_does_not_exist_writes_nothing(etl_bin, tmp_path):
    db = tmp_path / "etl.db"
    result = run_etl(etl_bin, "run", str(SEEDS), str(tmp_path / "no" / "such" / "dir"), "--db", str(db),
                     cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert str(tmp_path / "no" / "such" / "dir") in result.stderr.strip().splitlines()[-1]
    assert sorted(os.listdir(tmp_path)) == []  # no database, no lock, no -wal


def test_a_failed_json_run_prints_json(db_url, etl_bin, tmp_path):
    """Usage error, a locked database and a database that does not answer: JSON on stdout each time."""
    missing = run_etl(etl_bin, "run", str(tmp_path / "nothing-here"), "--json", "--db", db_url, cwd=tmp_path)
    assert missing.returncode == EXIT_USAGE
    assert json.loads(missing.stdout) == {"status": "usage_error", "exit_code": EXIT_USAGE,
                                          "error": missing.stderr.strip()}
    engine = make_engine(db_url)
    with writer_lock(engine):  # what a running `etl run` holds
        locked = run_etl(etl_bin, "run", str(SEEDS), "--json", "--db", db_url, cwd=tmp_path)
    engine.dispose()
    assert locked.returncode == EXIT_LOCKED and json.loads(locked.stdout)["status"] == "locked"
    unreachable = "postgresql://etl@127.0.0.1:1/yibao"  # nothing listens on port 1
    failed = run_etl(etl_bin, "run", str(SEEDS), "--json", "--db", unreachable, cwd=tmp_path)
    assert failed.returncode == EXIT_ERROR
    body = json.loads(failed.stdout)
    assert body["status"] == "failed" and body["exit_code"] == EXIT_ERROR and "etl run failed" in body["error"]
