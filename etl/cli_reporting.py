"""Reporting commands (`etl report`, `etl check`, `etl search`, `etl db grant-reader`)."""

from __future__ import annotations

import click


def register(cli: click.Group, db_group: click.Group) -> None:
    """Attach the reporting commands to the `etl` group and its `db` subgroup."""
