"""The reports in sql/: find them, read their headers, run them with typed, bound parameters.

A report is a plain .sql file so users can paste it into any SQL client or BI tool unchanged; the header
lines (`-- title:`, `-- description:`, `-- params:`) are what `etl report --list`, Datasette and the tests
read. Parameters are always bound, never formatted into the SQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Integer, Numeric, String, bindparam, text
from sqlalchemy.engine import Connection

PACKAGE_SQL = Path(__file__).resolve().parents[1] / "sql"
SQL_DIR_ENV = "ETL_SQL_DIR"
HEADER = re.compile(r"^--\s*(title|description|params)\s*:\s*(.*?)\s*$")
PARAM = re.compile(r"^(\w+)\s*(?:\((\w+)\))?$")
# The binds SQLAlchemy's text() finds: a colon, a name, no second colon (so `::` casts are not binds).
BIND = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")
TYPES: dict[str, Any] = {"integer": Integer(), "number": Numeric(), "text": String(), "date": Date()}


class ReportError(ValueError):
    """A report that does not exist, or parameters that do not fit it (a usage error, not a crash)."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str = "text"

    def convert(self, value: Any) -> Any:
        """A command-line string as the Python value the database driver expects."""
        if not isinstance(value, str):
            return value
        try:
            if self.type == "integer":
                return int(value)
            if self.type == "number":
                return Decimal(value)
            if self.type == "date":
                return date.fromisoformat(value)
        except (ValueError, ArithmeticError) as exc:  # Decimal raises InvalidOperation, an ArithmeticError
            article = "an" if self.type[0] in "aeiou" else "a"
            raise ReportError(f"parameter {self.name} must be {article} {self.type}, not {value!r}") from exc
        return value


@dataclass(frozen=True, slots=True)
class Report:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...] = ()
    body: str = field(default="", repr=False)

    def statement(self):
        """The SQL as a text() clause with each declared parameter typed."""
        binds = [bindparam(p.name, type_=TYPES.get(p.type, String())) for p in self.params]
        return text(self.body).bindparams(*binds)

    def bind_values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise ReportError(f"{self.name} takes no parameter {', '.join(unknown)}; "
                              f"it takes: {', '.join(declared) or 'none'}")
        missing = [n for n in declared if n not in given]
        if missing:
            raise ReportError(f"{self.name} needs --param {missing[0]}=VALUE ({declared[missing[0]].type})")
        return {n: declared[n].convert(v) for n, v in given.items()}


def sql_dir() -> Path:
    """The reports shipped inside the package (etl/sql/), or $ETL_SQL_DIR for a folder of one's own."""
    return Path(os.environ.get(SQL_DIR_ENV) or PACKAGE_SQL)


def parse(path: Path) -> Report:
    """Read a report file: header comment lines first, then the SQL (the header is not sent)."""
    meta: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        match = HEADER.match(line)
        if match:
            meta[match.group(1)] = match.group(2)
            body_start = i + 1
        elif line.strip() and not line.lstrip().startswith("--"):
            break
    if "title" not in meta or "description" not in meta:
        raise ReportError(f"{path}: a report starts with `-- title:` and `-- description:` lines")
    params = []
    for item in filter(None, (p.strip() for p in meta.get("params", "").split(","))):
        match = PARAM.match(item)
        if not match or (match.group(2) or "text") not in TYPES:
            raise ReportError(f"{path}: bad parameter {item!r}; write `name (integer|number|text|date)`")
        params.append(Param(match.group(1), match.group(2) or "text"))
    body = "\n".join(lines[body_start:]).strip().rstrip(";")
    return Report(path.stem, path, meta["title"], meta["description"], tuple(params), body)


def used_binds(sql: str) -> set[str]:
    """Bind names in the SQL outside string literals, as SQLAlchemy's text() would see them."""
    without_strings = re.sub(r"'(?:[^']|'')*'", "''", sql)
    return set(BIND.findall(without_strings))


def find_reports(folder: Path | None = None) -> list[Report]:
    """Every report in sql/ (not the checks), sorted by name."""
    folder = folder or sql_dir()
    return [parse(p) for p in sorted(folder.glob("*.sql"))]


def get_report(name: str, folder: Path | None = None) -> Report:
    folder = folder or sql_dir()
    path = folder / f"{name.removesuffix('.sql')}.sql"
    if not path.is_file():
        names = ", ".join(r.name for r in find_reports(folder))
        raise ReportError(f"no report {name!r} in {folder}; reports: {names}")
    return parse(path)


@dataclass(slots=True)
class Result:
    columns: list[str]
    rows: list[tuple]


def run_report(conn: Connection, report: Report, params: Mapping[str, Any] | None = None) -> Result:
    """Run one report on an open connection; parameters are converted to their declared types and bound.

    Booleans come back as Python bools from both databases (SQLite's driver gives 0 and 1)."""
    values = report.bind_values(dict(params or {}))
    result = conn.execute(report.statement(), values)
    columns, rows = list(result.keys()), [tuple(r) for r in result]
    if conn.dialect.name == "sqlite" and rows:
        rows = _sqlite_booleans(conn, columns, rows)
    return Result(columns, rows)


# Every column SQLite knows as BOOLEAN, in tables and views: a report column of that name holds one.
_SQLITE_BOOLEAN_COLUMNS = text(
    "SELECT DISTINCT p.name FROM sqlite_master m, pragma_table_info(m.name) p "
    "WHERE m.type IN ('table', 'view') AND upper(p.type) = 'BOOLEAN'"
)


def _sqlite_booleans(conn: Connection, columns: list[str], rows: list[tuple]) -> list[tuple]:
    """SQLite has no boolean type: a column named as a BOOLEAN column of the schema (on_topic, cumulative
    …, or an alias of one) whose values are all 0, 1 or null is turned into bools, as PostgreSQL returns."""
    names = set(conn.execute(_SQLITE_BOOLEAN_COLUMNS).scalars())
    flags = [i for i, c in enumerate(columns)
             if c in names and all(r[i] in (0, 1, None) and not isinstance(r[i], float) for r in rows)]
    if not flags:
        return rows
    return [tuple(bool(v) if i in flags and v is not None else v for i, v in enumerate(r)) for r in rows]
