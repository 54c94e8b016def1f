"""Keep dim_date covering the loaded dates, so reports grouping through it never lose a row.

Whole years are covered, from the first loaded year to the last (a year chart has no ragged ends); dates
outside 1900-2200 are extraction noise and are not worth a dimension row each. Rows are only ever added, so a
concurrent reader never sees a gap.

The loader extends the coverage batch by batch (YearCoverage), in each batch's transaction, while the
workers are still transforming; refresh_dim_date after the run only checks, and mends what is missing: a
first load spanning decades adds tens of thousands of rows, which at the end of the run would be serial.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.engine import Connection, Engine

from etl.constants import BEIJING
from etl.load.bulk import bulk_insert, executemany_values
from etl.load.schema import dim_date, documents, metrics

EARLIEST, LATEST = 1900, 2200


def dim_date_row(day: date) -> dict:
    """One dim_date row: the calendar attributes BI tools group by, computed once here, not in SQL."""
    iso = day.isocalendar()
    quarter = (day.month - 1) // 3 + 1
    start = datetime.combine(day, time(0), BEIJING).astimezone(UTC)
    return {
        "id": day.year * 10000 + day.month * 100 + day.day, "date": day, "name": day.isoformat(),
        "year": day.year, "quarter": quarter, "month": day.month, "day": day.day,
        "year_quarter": f"{day.year:04d}-Q{quarter}", "year_month": f"{day.year:04d}-{day.month:02d}",
        "month_start": day.replace(day=1), "week_start": day - timedelta(days=iso.weekday - 1),
        "iso_year": iso.year, "iso_week": iso.week, "iso_weekday": iso.weekday,
        "utc_start": start, "utc_end": start + timedelta(days=1),
    }


DIM_DATE_COLUMNS = list(dim_date_row(date(2000, 1, 1)))


def sqlite_dim_date_values(first: date, last: date) -> list[tuple]:
    """dim_date rows from first to last as SQLite stores them (ISO text dates, UTC 'YYYY-MM-DD HH:MM:SS').

    The same values dim_date_row gives after SQLAlchemy's bind processing (a test holds them equal), made
    directly, which is faster and matters for a first load spanning decades (bench/README.md).
    Beijing has one fixed offset, so a day starts at 16:00 UTC of the day before.
    """
    rows = []
    day, one = first, timedelta(days=1)
    previous = (first - one).isoformat()
    while day <= last:
        iso_year, iso_week, iso_weekday = day.isocalendar()
        year, month = day.year, day.month
        quarter = (month - 1) // 3 + 1
        name = day.isoformat()
        rows.append((
            year * 10000 + month * 100 + day.day, name, name, year, quarter, month, day.day,
            f"{year:04d}-Q{quarter}", name[:7], name[:8] + "01", (day - timedelta(days=iso_weekday - 1)).isoformat(),
            iso_year, iso_week, iso_weekday, previous + " 16:00:00", name + " 16:00:00",
        ))
        previous = name
        day += one
    return rows


def _insert_days(conn: Connection, first: date, last: date) -> int:
    if conn.dialect.name == "sqlite":
        return executemany_values(conn, dim_date, DIM_DATE_COLUMNS, sqlite_dim_date_values(first, last))
    rows = [dim_date_row(day) for day in _days(first, last)]
    bulk_insert(conn, dim_date, rows)
    return len(rows)


def loaded_range(conn: Connection) -> tuple[date, date] | None:
    """First and last date that documents and metric periods mention (None when nothing is dated)."""
    d, m = documents.c, metrics.c
    bounds = union_all(
        select(func.min(d.published_on), func.max(d.published_on)),
        select(func.min(m.period_start), func.max(m.period_start)),
        select(func.min(m.period_end), func.max(m.period_end)),
    )
    days = [v for row in conn.execute(bounds) for v in row if v is not None]
    days = [v if isinstance(v, date) else date.fromisoformat(str(v)[:10]) for v in days]
    days = [v for v in days if EARLIEST <= v.year <= LATEST]
    return (min(days), max(days)) if days else None


def _days(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class YearCoverage:
    """The years dim_date covers (first..last), extended whole years at a time as batches bring dates."""

    def __init__(self) -> None:
        self.years: tuple[int, int] | None = None
        self._read = False

    def cover(self, conn: Connection, days: Iterable[date | None]) -> int:
        """Add the whole years these days need beyond the covered span, in conn's transaction; rows added."""
        years = {d.year for d in days if d is not None and EARLIEST <= d.year <= LATEST}
        if not years:
            return 0
        if not self._read:
            first, last = conn.execute(select(func.min(dim_date.c.year), func.max(dim_date.c.year))).one()
            self.years = (first, last) if first is not None else None
            self._read = True
        low, high = min(years), max(years)
        if self.years is None:
            spans, covered = [(low, high)], (low, high)
        else:
            first, last = self.years  # new years go below or above the span: each side is one whole range
            spans = [(a, b) for a, b in ((low, first - 1), (last + 1, high)) if a <= b]
            covered = (min(low, first), max(high, last))
        added = sum(_insert_days(conn, date(a, 1, 1), date(b, 12, 31)) for a, b in spans)
        self.years = covered
        return added


def refresh_dim_date(engine: Engine) -> int:
    """Add the dim_date rows missing for whole years around the loaded range; returns how many."""
    with engine.begin() as conn:
        span = loaded_range(conn)
        if span is None:
            return 0
        first, last = date(span[0].year, 1, 1), date(span[1].year, 12, 31)
        present = conn.execute(select(func.count()).where(dim_date.c.date.between(first, last))).scalar()
        if present == (last - first).days + 1:
            return 0  # the usual case: the loader covered it batch by batch
        have = set(conn.execute(select(dim_date.c.id).where(dim_date.c.date.between(first, last))).scalars())
        rows = [dim_date_row(day) for day in _days(first, last)
                if day.year * 10000 + day.month * 100 + day.day not in have]
        bulk_insert(conn, dim_date, rows)
        return len(rows)
