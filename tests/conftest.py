"""Shared fixtures, all here: a real SQLite file and a real PostgreSQL database per test, never a mock; the
database migrated to head (migrated_db), a Loader with an open run (loader), the seeds and the shared corpus.

PostgreSQL: $ETL_TEST_POSTGRES_URL names a server (CI sets it, which makes the PostgreSQL tests required:
they fail if it does not answer). Without it, tests try postgresql+psycopg://postgres@127.0.0.1:5432/test
and skip with a clear reason when nothing answers. Each test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from etl.load import migrate
from etl.load.db import make_engine
from etl.load.loader import Loader
from etl.load.runs import finish_run, start_run, sync_vocabulary

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold" / "seeds.json"
PG_ENV = "ETL_TEST_POSTGRES_URL"
CORPUS_ENV = "ETL_TEST_CORPUS_REQUIRED"
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


@pytest.fixture
def fresh_db(db_url: str) -> str:
    """An empty database, SQLite and PostgreSQL (the test runs on each): nothing created yet."""
    return db_url


@pytest.fixture
def migrated_db(fresh_db: str) -> Iterator[Engine]:
    """An engine on a database migrated to head with the indicator vocabulary in place; disposed afterwards."""
    engine = make_engine(fresh_db)
    migrate.upgrade_to_head(engine)
    sync_vocabulary(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def loader(migrated_db: Engine) -> Iterator[Loader]:
    """A Loader writing as one run of the migrated database (etl_runs row open; closed as succeeded after)."""
    run_id = start_run(migrated_db, ["/tests"], "test")
    yield Loader(migrated_db, run_id, "test")
    finish_run(migrated_db, run_id, "succeeded", {})


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip when path (the shared corpus or gold, ../shared next to the checkout) is missing, unless
    $ETL_TEST_CORPUS_REQUIRED is set (.ci/run sets it, as $ETL_TEST_POSTGRES_URL makes PostgreSQL required):
    then the session stops at once, naming what is missing (pytest_sessionstart)."""
    return pytest.mark.skipif(not path.exists() and not os.environ.get(CORPUS_ENV),
                              reason=f"{path} is not there (the shared corpus, ../shared next to the checkout)")


def require_shared(path: Path) -> None:
    """needs_shared for a whole module, at its top (a module-level skip)."""
    if not path.exists() and not os.environ.get(CORPUS_ENV):
        pytest.skip(f"{path} is not there (the shared corpus, ../shared next to the checkout)",
                    allow_module_level=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With $ETL_TEST_CORPUS_REQUIRED the corpus and gold tests must run: no shared folder is a failure."""
    if os.environ.get(CORPUS_ENV):
        missing = [str(p) for p in (CORPUS / "laws", CORPUS / "news", GOLD) if not p.exists()]
        if missing:
            raise pytest.UsageError(f"${CORPUS_ENV} is set but the shared corpus is missing: {', '.join(missing)}")
