"""The indicator vocabulary shipped with the package (etl/data/indicators.csv), as rows for the database."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

COLUMNS = ("code", "label_zh", "label_en", "measures", "typical_cues")


@cache
def indicator_rows() -> list[dict[str, str]]:
    """Every indicator of the vocabulary, in file order; codes are stable, rows may be added."""
    text = resources.files("etl").joinpath("data/indicators.csv").read_text(encoding="utf-8")
    return [{c: (row.get(c) or "").strip() for c in COLUMNS} for row in csv.DictReader(text.splitlines())]


def indicator_codes() -> frozenset[str]:
    return frozenset(row["code"] for row in indicator_rows())
