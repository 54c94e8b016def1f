"""Where the database is: URLs, the environment, and plain SQLite file paths."""

from __future__ import annotations

import sqlite3

import pytest

from etl.config import ENV_VAR, resolve_url
from tests.helpers import run_etl


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///etl.db", "sqlite:///etl.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("/tmp/x/etl.db", "sqlite:////tmp/x/etl.db"),
        ("data/etl.db", "sqlite:///data/etl.db"),
        ("etl.db", "sqlite:///etl.db"),
    ],
)
def test_resolve_url(given: str, expected: str) -> None:
    assert resolve_url(given) == expected


def test_environment_then_default(monkeypatch) -> None:
    monkeypatch.setenv(ENV_VAR, "from-env.db")
    assert resolve_url() == "sqlite:///from-env.db"
    monkeypatch.delenv(ENV_VAR)
    assert resolve_url() == "sqlite:///etl.db"


def test_run_takes_a_file_path(tmp_path, seeds_copy, etl_bin) -> None:
    db_file = tmp_path / "plain path.db"
    result = run_etl(etl_bin, "run", str(seeds_copy), "--db", str(db_file), "-q")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
