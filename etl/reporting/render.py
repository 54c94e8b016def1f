"""Print report results as an aligned table, CSV or JSON, the same way for SQLite and PostgreSQL rows.

The two drivers return different Python types for the same value (SQLite: int, float, 'YYYY-MM-DD' text;
PostgreSQL: Decimal, date, aware datetime), so values are normalised here before printing: numbers as
integers when whole, dates as YYYY-MM-DD, times in UTC as YYYY-MM-DD HH:MM:SS, booleans as true/false
(queries.run_report gives SQLite's 0/1 as bools).
"""

from __future__ import annotations

import csv
import io
import json
import math
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def plain(value: Any) -> Any:
    """A JSON-ready value: whole numbers as int, other numbers as float, dates as ISO text."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal | float):
        if not math.isfinite(value):
            return None
        return int(value) if value == int(value) else float(value)
    if isinstance(value, datetime):  # an aware time (PostgreSQL) in UTC, as SQLite stores it
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else f"{value:.0f}"
    return str(value)


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    """text followed by spaces to fill width terminal columns (CJK characters count two)."""
    return text + " " * max(0, width - _width(text))


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > limit - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def as_table(columns: list[str], rows: list[tuple], max_width: int = 40) -> str:
    cells = [[_fit(_cell(v), max_width) for v in row] for row in rows]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(pad(v, w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def as_csv(columns: list[str], rows: list[tuple]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def as_json(columns: list[str], rows: list[tuple]) -> str:
    return json.dumps([{c: plain(v) for c, v in zip(columns, row, strict=True)} for row in rows],
                      ensure_ascii=False, indent=2)


def render(columns: list[str], rows: list[tuple], fmt: str = "table") -> str:
    if fmt == "csv":
        return as_csv(columns, rows)
    if fmt == "json":
        return as_json(columns, rows)
    return as_table(columns, rows)
