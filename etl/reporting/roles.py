"""A read-only PostgreSQL role for BI tools (Metabase, Superset, Grafana, Excel/Power BI).

Read-only is enforced by privileges (only CONNECT, USAGE and SELECT are granted); default_transaction_read_only
and a statement_timeout are a second belt so a dashboard cannot write by accident or hold the database with
a runaway query. Default privileges make tables and views that the loading role creates later (new
migrations) readable too. Names and the password go through psycopg's SQL composition, which quotes them;
DDL takes no bound parameters.
"""

from __future__ import annotations

import re

from psycopg import sql
from sqlalchemy.engine import Engine

DEFAULT_TIMEOUT = "30s"
TIMEOUT = re.compile(r"^\d+\s*(ms|s|min|h)?$")


class RoleError(ValueError):
    """The database is not PostgreSQL, an option is malformed, or the role to revoke does not exist."""


def _require_postgres(engine: Engine) -> None:
    require_postgres(engine.dialect.name)


def require_postgres(backend: str) -> None:
    """RoleError unless backend (a dialect name) is PostgreSQL: checked before any engine is made."""
    if backend != "postgresql":
        raise RoleError("read-only roles are a PostgreSQL feature; a SQLite file is shared read-only by "
                        "opening it with ?mode=ro (see docs/reporting.md)")


def grant_reader(engine: Engine, name: str, password: str | None = None, schema: str = "public",
                 statement_timeout: str = DEFAULT_TIMEOUT) -> list[str]:
    """Create (or update) role name as a read-only login on this database; returns the statements run."""
    _require_postgres(engine)
    if not TIMEOUT.match(statement_timeout):
        raise RoleError(f"statement timeout {statement_timeout!r}: write e.g. 30s, 5min or 30000")
    role, nsp = sql.Identifier(name), sql.Identifier(schema)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT current_database(), current_user, "
                    "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (name,))
        database, owner, exists = cur.fetchone()
        db, me = sql.Identifier(database), sql.Identifier(owner)
        statements = [
            sql.SQL("ALTER ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT" if exists else
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(role),
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, role),
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(nsp, role),
            sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(nsp, role),
            sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(
                me, nsp, role),
            sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(role),
            sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(role, sql.Literal(statement_timeout)),
        ]
        if password is not None:
            statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(password)))
        shown = []
        for statement in statements:
            cur.execute(statement)
            shown.append(statement.as_string(cur).replace(sql.Literal(password).as_string(cur), "'***'")
                         if password is not None else statement.as_string(cur))
        raw.commit()
        return shown
    except Exception:
        raw.rollback()
        raise
    finally:
        raw.close()


def revoke_reader(engine: Engine, name: str) -> None:
    """Remove what grant_reader gave on this database, then the role itself if nothing else holds it."""
    _require_postgres(engine)
    role = sql.Identifier(name)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)", (name,))
        if not cur.fetchone()[0]:
            raise RoleError(f"no role {name!r} on this server: nothing to revoke")
        cur.execute(sql.SQL("DROP OWNED BY {}").format(role))  # privileges and default privileges here
        cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))
        raw.commit()
    except Exception:
        raw.rollback()
        raise
    finally:
        raw.close()
