#!/usr/bin/env python3
"""CI: the product as a user gets it, not the editable checkout the tests use.

Builds the wheel, installs it into a fresh virtual environment in a temporary folder outside the checkout
and, from a folder that is not the checkout, runs what a first user runs: `etl run` on a copy of the seeds,
`etl report --list`, every report, `etl check`, `etl db downgrade base` / `etl db upgrade` and a load
again. On SQLite, and on PostgreSQL when $ETL_TEST_POSTGRES_URL names a server (CI sets it). Any failure,
traceback or file the package cannot find stops it with a message saying which command and why.

Standard library only: it runs before the wheel's dependencies exist. Usage: python3 .ci/installed_wheel.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# a value for each type a report's :parameters may take (sql/*.sql headers)
SAMPLE = {"integer": "1", "number": "1", "text": "医保", "date": "2021-12-31"}


class Failed(Exception):
    pass


def sh(*args: str | Path, cwd: Path | None = None, env: dict | None = None, ok=(0,)) -> str:
    """Run a command; its stdout, or Failed with the command, exit status and output."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode not in ok or "Traceback" in output:
        raise Failed(f"`{' '.join(map(str, args))}` exited {result.returncode}:\n{output[-3000:]}")
    return result.stdout


def build(work: Path) -> Path:
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist", REPO)
    wheels = list((work / "dist").glob("yibao_etl-*.whl"))
    if len(wheels) != 1:
        raise Failed(f"expected one wheel, found {wheels}")
    return wheels[0]


def install(work: Path, wheel: Path) -> Path:
    venv = work / "venv"
    sh(sys.executable, "-m", "venv", venv)
    sh(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    return venv / "bin"


def user_env(home: Path) -> dict[str, str]:
    """A user's environment: none of the checkout's overrides, not even its path."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ETL_SQL_DIR", "ETL_MIGRATIONS_DIR", "ETL_DATABASE_URL", "VIRTUAL_ENV")}
    env["HOME"] = str(home)
    return env


def check_not_the_checkout(bin_dir: Path, home: Path, env: dict) -> None:
    where = sh(bin_dir / "python", "-c", "import etl; print(etl.__file__)", cwd=home, env=env).strip()
    if Path(where).resolve().is_relative_to(REPO):
        raise Failed(f"etl was imported from the checkout ({where}), not from the installed wheel")


def first_contact(etl: Path, home: Path, env: dict, url: str) -> None:
    """What a first user runs, on the database at url; raises Failed at the first thing that goes wrong."""

    def run(*args: str, ok=(0,)) -> str:
        return sh(etl, *args, "--db", url, cwd=home, env=env, ok=ok)

    summary = json.loads(run("run", "seeds", "--json", "-q"))
    if summary["status"] != "succeeded" or summary["documents"] != 5:
        raise Failed(f"etl run seeds: {summary['status']}, {summary['documents']} documents (expected 5)")
    reports = json.loads(sh(etl, "report", "--list", "--format", "json", cwd=home, env=env))
    if not reports:
        raise Failed("etl report --list lists no reports: etl/sql/ is not in the wheel")
    for report in reports:
        params = []
        for item in filter(None, (p.strip() for p in report["params"].split(","))):
            name, _, kind = item.partition(" (")
            params += ["--param", f"{name}={SAMPLE[kind.rstrip(')')]}"]
        run("report", report["name"], *params, "--format", "csv")
    checks = run("check")
    if "checks passed" not in checks:
        raise Failed(f"etl check printed no verdict:\n{checks}")
    run("show")
    run("search", "医保", "基金")
    run("db", "downgrade", "base", "--yes")
    if "current base" not in run("db", "current"):
        raise Failed("etl db downgrade base left the database at another revision")
    run("db", "upgrade")
    if "up to date" not in run("db", "current"):
        raise Failed("etl db upgrade did not reach head")
    again = json.loads(run("run", "seeds", "--json", "-q"))
    if again["files_new"] != 5:
        raise Failed(f"a load after the round trip found {again['files_new']} new files, not 5")


def postgres_database(python: Path, env: dict, admin_url: str, create: bool, name: str) -> str:
    """Create (or drop) a database of our own on the CI server, with the installed SQLAlchemy."""
    statement = f'CREATE DATABASE "{name}"' if create else f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    code = ("import sys; from sqlalchemy import create_engine, make_url, text; "
            "e = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); "
            "c = e.connect(); c.execute(text(sys.argv[2])); c.close(); e.dispose(); "
            "print(make_url(sys.argv[1]).set(database=sys.argv[3]).render_as_string(hide_password=False))")
    return sh(python, "-c", code, admin_url, statement, name, env=env).strip()


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="etl-wheel-") as folder:
        work = Path(folder)
        try:
            wheel = build(work)
            bin_dir = install(work, wheel)
            home = work / "home"
            home.mkdir()
            shutil.copytree(REPO / "seeds", home / "seeds")
            env = user_env(home)
            check_not_the_checkout(bin_dir, home, env)
            first_contact(bin_dir / "etl", home, env, f"sqlite:///{home / 'etl.db'}")
            done = ["SQLite"]
            admin = os.environ.get("ETL_TEST_POSTGRES_URL")
            if admin:
                name = f"etl_wheel_{uuid.uuid4().hex[:10]}"
                url = postgres_database(bin_dir / "python", env, admin, True, name)
                try:
                    first_contact(bin_dir / "etl", home, env, url)
                finally:
                    postgres_database(bin_dir / "python", env, admin, False, name)
                done.append("PostgreSQL")
        except Failed as exc:
            print(f"installed wheel: FAILED: {exc}", file=sys.stderr)
            return 1
    print(f"installed wheel: {wheel.name} in a fresh venv outside the checkout: load, every report, checks and "
          f"a migration round trip on {' and '.join(done)} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
