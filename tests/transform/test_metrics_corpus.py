"""The extractor on whole real documents: the seeds against the hand-checked gold, laws/ for precision.

These go through the real extract stage, so they check what the pipeline will load.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from etl.extract import extract_document
from etl.transform.metrics import document_on_topic, extract_metrics
from tests.conftest import needs_shared

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
GOLD = SHARED / "gold" / "seeds.json"
LAWS = SHARED / "corpus" / "laws"


def _gold() -> list[dict]:
    return json.loads(GOLD.read_text(encoding="utf-8"))["documents"]


@needs_shared(GOLD)
@pytest.mark.parametrize("expected", _gold() if GOLD.exists() else [], ids=lambda d: d["file"][:3])
def test_seed_metrics_match_the_gold(expected: dict) -> None:
    path = REPO / "seeds" / expected["file"]
    doc = extract_document(path.read_bytes(), path.name)
    rows = extract_metrics(doc.body_text, title=doc.title, published_on=doc.published_on)
    got = sorted(
        (str(m.value), m.unit, m.qualifier, m.indicator or "", m.on_topic) for m in rows
    )
    want = sorted(
        (str(Decimal(m["value"])), m["unit"], m["qualifier"], m["indicator"] or "", m["on_topic"])
        for m in expected["metrics"]
    )
    assert got == want
    assert document_on_topic(doc.title, doc.body_text)
    for row in rows:
        if row.char_start is not None:
            assert doc.body_text[row.char_start:row.char_end] == row.raw_text


@pytest.mark.slow
@needs_shared(LAWS)
def test_laws_outside_court_cases_yield_fewer_than_a_tenth_of_a_metric_per_document() -> None:
    documents = metrics = 0
    for folder, _, names in os.walk(LAWS):
        if f"{os.sep}案例" in folder:
            continue
        for name in names:
            documents += 1
            text = (Path(folder) / name).read_text(encoding="utf-8")
            metrics += len(extract_metrics(text))
    assert documents > 3000
    assert metrics / documents < 0.1, (metrics, documents)
