"""Shared fixtures: a real SQLite file and a real PostgreSQL database per test, never a mock.

PostgreSQL: $ETL_TEST_POSTGRES_URL names a server (CI sets it, which makes the PostgreSQL tests required:
they fail if it does not answer). Without it, tests try postgresql+psycopg://postgres@127.0.0.1:5432/test
and skip with a clear reason when nothing answers. Each test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold" / "seeds.json"
PG_ENV = "ETL_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin_url() -> tuple[str, bool]:
    explicit = os.environ.get(PG_ENV)
    return (explicit or PG_DEFAULT), bool(explicit)


def _pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure to connect means: no server for these tests
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    url, required = _admin_url()
    url = make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    problem = _pg_reachable(url)
    if problem:
        if required:
            pytest.fail(f"${PG_ENV} is set but PostgreSQL does not answer: {problem}")
        pytest.skip(f"no PostgreSQL server ({problem}); set ${PG_ENV} to run the PostgreSQL tests")
    return url


@pytest.fixture
def postgres_url(pg_admin_url: str):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"etl_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'etl.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path: Path) -> str:
    """Each test using this runs twice: on a real SQLite file and on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'etl.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of seeds/ that a test may change."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def etl_bin() -> list[str]:
    """The installed `etl` command, run as a user would."""
    exe = Path(sys.executable).with_name("etl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "etl"]
