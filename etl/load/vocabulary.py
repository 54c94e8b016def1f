"""The indicator vocabulary shipped with the package (etl/rules/indicators.csv), as rows for the database."""

from __future__ import annotations

from functools import cache

from etl.rules import rows

COLUMNS = ("code", "label_zh", "label_en", "measures", "typical_cues")


@cache
def indicator_rows() -> list[dict[str, str]]:
    """Every indicator of the vocabulary, in file order; codes are stable, rows may be added."""
    return [{c: (row.get(c) or "").strip() for c in COLUMNS} for row in rows("indicators")]


def indicator_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in indicator_rows())
