"""Alembic environment: the URL is resolved as the CLI does (etl.config.resolve_url)."""

from __future__ import annotations

from alembic import context

from etl.config import resolve_url
from etl.load.db import make_engine
from etl.load.schema import metadata

config = context.config
target_metadata = metadata


def _url() -> str:
    explicit = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("db")
    return resolve_url(explicit)


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # so column changes work on SQLite
        compare_type=True,
        include_object=_include_object,
    )


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave out objects the migrations create by hand (views, full-text tables) from autogenerate."""
    return not (type_ == "table" and reflected and compare_to is None and name.startswith(("fts_", "v_")))


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
