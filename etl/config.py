"""Where the database is and how it is named, resolved the same way by the CLI, the API and Alembic."""

from __future__ import annotations

import os

from sqlalchemy.engine import URL, make_url

ENV_VAR = "ETL_DATABASE_URL"
DEFAULT_URL = "sqlite:///etl.db"


def resolve_url(url: str | None = None) -> str:
    """The URL from the argument, else $ETL_DATABASE_URL, else sqlite:///etl.db; postgresql:// means psycopg 3.

    A plain file path (no scheme, as sqlite-utils and Datasette take one) means a SQLite file there.
    """
    raw = url or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in raw:
        raw = "sqlite:///" + raw
    parsed = make_url(raw)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def masked(url: str | URL) -> str:
    """The URL with any password replaced by ***, for printing and logging."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is still never echoed with its secret
        return "<unparsable database URL>"


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"
