"""yibao-etl: medical-insurance fund supervision documents -> a relational database.

Library API (what the CLI calls, usable from a notebook)::

    from etl import run, inspect_file
    summary = run(["seeds"], db_url="sqlite:///etl.db")
    record = inspect_file("seeds/000_573c72e9b12cefe3.txt")
"""

__version__ = "0.1.0"

from etl.api import inspect_file, run  # noqa: E402

__all__ = ["__version__", "inspect_file", "run"]
