"""Alembic migrations driven from Python, so `etl run` and `etl db …` share one code path with `alembic`."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

PACKAGE_MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
MIGRATIONS_DIR_ENV = "ETL_MIGRATIONS_DIR"
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.M)


def _migrations_dir() -> Path:
    """The migrations shipped inside the package (etl/migrations/), or $ETL_MIGRATIONS_DIR for a fork's own."""
    return Path(os.environ.get(MIGRATIONS_DIR_ENV) or PACKAGE_MIGRATIONS)


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()  # no alembic.ini: an installed package has none, and the URL and scripts are set here
    cfg.set_main_option("script_location", str(_migrations_dir()))
    if url:
        cfg.attributes["url"] = url
    cfg.attributes["engine"] = engine
    return cfg


def _with_connection(engine: Engine, action) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        action(cfg)


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    _with_connection(engine, lambda cfg: command.upgrade(cfg, revision))


def upgrade_to_head(engine: Engine) -> None:
    """upgrade(engine) unless the database is already at head: the check costs one query, while importing
    Alembic costs a no-change `etl run` a good share of its time."""
    head = _head_from_files()
    if head is None or _stored_revision(engine) != head:
        upgrade(engine)


def _head_from_files() -> str | None:
    """The single head revision, read from the migration files as text; None when unsure (Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for file in (_migrations_dir() / "versions").glob("*.py"):
            source = file.read_text(encoding="utf-8")
            found, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
            if len(found) != 1 or len(down) != 1:
                return None
            revisions.add(found[0])
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down[0]))
    except OSError:
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _with_connection(engine, lambda cfg: command.downgrade(cfg, revision))


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
