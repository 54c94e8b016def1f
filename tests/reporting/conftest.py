"""A loaded corpus for the reporting tests: the seeds plus small fixture documents that give every report
something to answer (a duplicate pair, a conflicting figure, several years).

The extractors are still improving, so where a figure a test needs is not (yet) extracted, it is inserted
through the public schema with the values the document states, instead of weakening the assertion.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from etl.load.db import make_engine
from etl.load.postload import after_load
from etl.load.schema import agencies, documents, etl_runs, metrics
from etl.pipeline import RunOptions, run

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reporting"
EXTRA = FIXTURES / "extra"
BROKEN = FIXTURES / "broken"

SEED_000 = "000_573c72e9b12cefe3.txt"
COPY_OF_000 = "renmin_copy_of_000.txt"
CONFLICT = "conflict_507.md"
YEAR_2019 = "pingshan_2019.md"
NHSA = "国家医疗保障局"


@dataclass(frozen=True)
class Fact:
    """A figure a fixture document states, as the metrics table should hold it."""

    path: str
    indicator: str
    agency: str
    value: Decimal
    unit: str
    raw_text: str
    sentence: str
    period_start: date | None
    period_end: date | None
    cumulative: bool
    level: str = "national"
    region: str | None = None


NEEDED = [
    Fact(SEED_000, "funds_recovered", NHSA, Decimal(50_600_000_000), "CNY", "约506亿元",
         "2018年至2021年10月共检查定点医药机构约234万家次，处理约100万家次，累计追回医保基金约506亿元。",
         date(2018, 1, 1), date(2021, 10, 31), True),
    Fact(CONFLICT, "funds_recovered", NHSA, Decimal(50_700_000_000), "CNY", "约507亿元",
         "2018年至2021年10月，国家医保局累计追回医保基金约507亿元。", date(2018, 1, 1), date(2021, 10, 31), True),
    Fact(YEAR_2019, "funds_recovered", "屏山县医疗保障局", Decimal(1_200_000), "CNY", "120万元",
         "2019年，屏山县医疗保障局开展打击欺诈骗取医疗保障基金专项治理，检查定点医药机构56家，追回医保基金120万元。",
         date(2019, 1, 1), date(2019, 12, 31), False, "county", "四川省宜宾市屏山县"),
]


def doc_id(engine: Engine, source_path: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(documents.c.id).where(documents.c.source_path == source_path)).scalar_one()


def _ensure(engine: Engine, fact: Fact) -> None:
    """Insert fact unless the extractors already produced it (same document, indicator, agency, value)."""
    m, a = metrics.c, agencies.c
    document_id = doc_id(engine, fact.path)
    with engine.begin() as conn:
        run_id = conn.execute(select(func.max(etl_runs.c.id))).scalar_one()
        agency_id = conn.execute(select(a.id).where(a.name == fact.agency)).scalar()
        if agency_id is None:
            agency_id = conn.execute(insert(agencies).values(
                name=fact.agency, level=fact.level, region=fact.region, run_id=run_id).returning(a.id)).scalar_one()
        found = conn.execute(select(func.count()).where(
            m.document_id == document_id, m.indicator == fact.indicator, m.agency_id == agency_id,
            m.value == fact.value, m.on_topic)).scalar_one()
        if not found:
            conn.execute(insert(metrics).values(
                document_id=document_id, agency_id=agency_id, indicator=fact.indicator, value=fact.value,
                unit=fact.unit, qualifier="approx" if fact.raw_text.startswith("约") else "exact",
                raw_text=fact.raw_text, sentence=fact.sentence, period_start=fact.period_start,
                period_end=fact.period_end, cumulative=fact.cumulative, on_topic=True, run_id=run_id))


def load_corpus(url: str, seeds: Path, *extra: Path) -> Engine:
    """Run the real pipeline over seeds and the fixture folders, then make sure the needed facts exist."""
    summary = run([str(seeds), *(str(p) for p in extra)], url, RunOptions(workers=1))
    assert summary.status == "succeeded", summary.failures
    engine = make_engine(url)
    for fact in NEEDED:
        if any((p / fact.path).exists() for p in (seeds, *extra)):
            _ensure(engine, fact)
    after_load(engine, summary.run_id)
    return engine


@pytest.fixture
def loaded(db_url: str, seeds_copy: Path):
    """(url, engine) of a database with the seeds and tests/fixtures/reporting/extra loaded."""
    engine = load_corpus(db_url, seeds_copy, EXTRA)
    yield db_url, engine
    engine.dispose()


def run_cli(etl_bin: list[str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed `etl` as a user would (own helper: the shared one in tests/conftest.py may move)."""
    return subprocess.run([*etl_bin, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
