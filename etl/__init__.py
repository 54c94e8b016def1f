"""yibao-etl: medical-insurance fund supervision documents -> a relational database.

Library API (what the CLI calls, usable from a notebook)::

    from etl import run, inspect_file
    summary = run(["seeds"], db_url="sqlite:///etl.db")
    record = inspect_file("seeds/000_573c72e9b12cefe3.txt")
"""

__version__ = "0.1.0"

__all__ = ["__version__", "inspect_file", "run"]


def __getattr__(name: str):
    """Import the API on first use: `etl --help` and a no-change `etl run` must not pay for every import."""
    if name in ("inspect_file", "run"):
        from etl import api  # start-up: `etl --help` and a no-change `etl run` must not pay for every import

        return getattr(api, name)
    raise AttributeError(f"module 'etl' has no attribute {name!r}")
