"""Alembic migrations driven from Python, so `etl run` and `etl db …` share one code path with `alembic`."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

REPO_ROOT = Path(__file__).resolve().parents[2]


def _migrations_dir() -> Path:
    """migrations/ at the project root (an editable install), or $ETL_MIGRATIONS_DIR."""
    return Path(os.environ.get("ETL_MIGRATIONS_DIR") or REPO_ROOT / "migrations")


def alembic_config(engine: Engine | None = None, url: str | None = None) -> Config:
    ini = REPO_ROOT / "alembic.ini"
    cfg = Config(str(ini)) if ini.exists() else Config()
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
    _with_connection(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str) -> None:
    _with_connection(engine, lambda cfg: command.downgrade(cfg, revision))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
