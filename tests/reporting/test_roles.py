"""The read-only PostgreSQL role for BI tools: reads, cannot write, reads tables created after the grant."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from etl.cli import cli
from etl.load import migrate
from etl.load.db import make_engine
from etl.reporting.roles import RoleError, grant_reader, revoke_reader

pytestmark = pytest.mark.postgres


def test_reader_role(postgres_url):
    name = f"etl_reader_{uuid.uuid4().hex[:8]}"
    engine = make_engine(postgres_url)
    migrate.upgrade(engine)
    result = CliRunner().invoke(cli, ["db", "grant-reader", name, "--statement-timeout", "5s",
                                      "--db", postgres_url])
    assert result.exit_code == 0, result.output
    reader = create_engine(make_url(postgres_url).set(username=name, password=None))
    try:
        with engine.begin() as conn:  # created by the loading role after the grant
            conn.execute(text("CREATE TABLE later_table (x integer)"))
            conn.execute(text("INSERT INTO later_table VALUES (42)"))
        with reader.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM indicators")).scalar() > 10
            assert conn.execute(text("SELECT count(*) FROM v_metrics")).scalar() == 0
            assert conn.execute(text("SELECT x FROM later_table")).scalar() == 42
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "5s"
        with reader.connect() as conn, pytest.raises(DBAPIError, match="read-only transaction"):
            conn.execute(text("INSERT INTO later_table VALUES (1)"))
        with reader.connect() as conn, pytest.raises(DBAPIError, match="permission denied"):
            conn.execute(text("SET TRANSACTION READ WRITE"))  # even past the read-only default …
            conn.execute(text("DELETE FROM later_table"))  # … privileges stop it
        grant_reader(engine, name, statement_timeout="5s")  # running it again updates, no error
    finally:
        reader.dispose()
        revoke_reader(engine, name)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar() == 0
        engine.dispose()


def test_reader_role_needs_postgres(sqlite_url):
    with pytest.raises(RoleError, match="PostgreSQL"):
        grant_reader(make_engine(sqlite_url), "reader")
    result = CliRunner().invoke(cli, ["db", "grant-reader", "reader", "--db", sqlite_url])
    assert result.exit_code == 2 and "PostgreSQL" in result.output
