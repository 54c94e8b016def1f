"""Yearly series, facts, coverage and on-topic v_metrics, on SQLite and PostgreSQL, from documents we wrote.

tests/fixtures/reporting/series/ holds posts and notices (the forms of the seeds) with known figures for
安徽省医疗保障局 and 合肥市医疗保障局: a year stated outright (2019), two running totals from 2018 that end a
year apart (2018年至2019年, 2018年至2020年: 2020 is their difference), a half-year and a 1至8月 figure (2021,
the later one wins, stated by a notice, a news story and that story's copy), two outlets disagreeing on 2022,
an as-of total (截至2022年底), a city's half-year and fines with a year missing between them, and a court's case.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, text

from etl.load import migrate
from etl.load.db import make_engine
from etl.reporting.checks import run_checks
from tests.helpers import num, rows
from tests.reporting.conftest import FIXTURES, load_corpus, run_cli

SERIES = FIXTURES / "series"
ANHUI, HEFEI = "安徽省医疗保障局", "合肥市医疗保障局"
YI = Decimal(100_000_000)


@pytest.fixture
def series_db(db_url: str, seeds_copy):
    engine = load_corpus(db_url, seeds_copy, SERIES)
    yield db_url, engine
    engine.dispose()


def _evidence(engine, metric_ids: str) -> list[tuple[str, str]]:
    """(file, figure as written) of each metrics row a series row cites, in the order cited."""
    with engine.connect() as conn:
        return [conn.execute(text("SELECT d.source_path, m.raw_text FROM metrics m JOIN documents d "
                                  "ON d.id = m.document_id WHERE m.id = :id"), {"id": int(i)}).one()._tuple()
                for i in metric_ids.split(",")]


def test_yearly_series_gives_each_years_value_and_kind(series_db) -> None:
    _, engine = series_db
    found = rows(engine, "yearly_series", indicator="funds_recovered")
    got = {(r["agency_name"], r["year"]): (num(r["value"]), r["unit"], r["value_kind"], r["through_month"],
                                           r["documents"], r["stories"]) for r in found}
    assert got == {
        (ANHUI, 2019): (Decimal("8.2") * YI, "CNY", "stated", None, 1, 1),
        (ANHUI, 2020): (Decimal("10.6") * YI, "CNY", "derived", None, 1, 1),   # 25.1亿 less 14.5亿
        (ANHUI, 2021): (Decimal("6.3") * YI, "CNY", "partial", 8, 3, 2),       # 1至8月 beats 上半年
        (ANHUI, 2022): (Decimal("12.5") * YI, "CNY", "stated", None, 2, 2),    # the later outlet's figure
        (HEFEI, 2021): (Decimal("2.3") * YI, "CNY", "stated", None, 1, 1),
        (HEFEI, 2022): (Decimal("1.2") * YI, "CNY", "partial", 6, 1, 1),
    }
    by_year = {(r["agency_name"], r["year"]): r for r in found}
    assert _evidence(engine, by_year[(ANHUI, 2020)]["metric_ids"]) == \
        [("anhui_2019_summary.md", "14.5亿元"), ("anhui_2020_review.md", "25.1亿元")]
    assert _evidence(engine, by_year[(ANHUI, 2019)]["metric_ids"]) == [("anhui_2019_summary.md", "8.2亿元")]
    assert by_year[(ANHUI, 2019)]["agency_level"] == "provincial" and by_year[(ANHUI, 2019)]["region_code"] == "340000"
    assert by_year[(HEFEI, 2022)]["agency_region"] == "安徽省合肥市"
    # counts come out the same way: the 2019 figure stated, 2021 partial
    counts = {(r["agency_name"], r["year"]): (num(r["value"]), r["value_kind"], r["through_month"])
              for r in rows(engine, "yearly_series", indicator="institutions_inspected")}
    assert counts[(ANHUI, 2019)] == (16000, "stated", None) and counts[(ANHUI, 2021)] == (9800, "partial", 8)
    assert counts[(HEFEI, 2022)] == (2100, "partial", 6)
    assert not [key for key in counts if key[0] == "国家医疗保障局"]  # 2018年至2021年10月 is no year's figure


def test_no_running_total_is_added_to_its_parts(series_db) -> None:
    """The check passes on the real view, and fails on a naive one that sums every figure ending in a year."""
    url, engine = series_db
    checks = ["yearly_series_adds_no_running_total", "v_metrics_on_topic_only", "metrics_period_kind_fits_dates"]
    assert all(o.passed for o in run_checks(engine, only=checks)), [o.result.rows for o in run_checks(engine)]
    with engine.begin() as conn:
        conn.execute(text("DROP VIEW v_yearly_series"))
        conn.execute(text(
            "CREATE VIEW v_yearly_series AS SELECT v.indicator, v.agency_id, de.year AS year, v.unit, "
            "SUM(v.value) AS value, 'stated' AS value_kind, CAST(MIN(v.metric_id) AS TEXT) AS metric_ids, "
            "MIN(v.metric_id) AS metric_id, CAST(NULL AS INTEGER) AS base_metric_id "
            "FROM v_facts v JOIN dim_date de ON de.date = v.period_end WHERE v.period_start IS NOT NULL "
            "GROUP BY v.indicator, v.agency_id, de.year, v.unit"))
    [outcome] = run_checks(engine, only=["yearly_series_adds_no_running_total"])
    flagged = {(r[0], r[2]) for r in outcome.result.rows}
    assert ("funds_recovered", 2019) in flagged  # 8.2亿 + the 14.5亿 running total 2018年至2019年
    assert ("funds_recovered", 2020) in flagged  # the 25.1亿 running total counted as 2020
    # and v_metrics pointed at every figure again is caught too
    with engine.begin() as conn:
        conn.execute(text("DROP VIEW v_metrics"))
        conn.execute(text("CREATE VIEW v_metrics AS SELECT * FROM v_metrics_all"))
    [outcome] = run_checks(engine, only=["v_metrics_on_topic_only"])
    assert outcome.result.rows


def test_facts_count_a_figure_once_and_flag_disagreement(series_db) -> None:
    _, engine = series_db
    with engine.connect() as conn:
        facts = [r._asdict() for r in conn.execute(text(
            "SELECT f.*, fd.source_path AS first_path, ld.source_path AS latest_path FROM v_facts f "
            "JOIN documents fd ON fd.id = f.first_document_id JOIN documents ld ON ld.id = f.latest_document_id "
            "WHERE f.agency_name = :a AND f.indicator = 'funds_recovered'"), {"a": ANHUI})]
        counts = conn.execute(text(
            "SELECT (SELECT COUNT(*) FROM v_metrics), (SELECT COUNT(*) FROM v_metrics_all), "
            "(SELECT COUNT(*) FROM metrics WHERE on_topic), (SELECT COUNT(*) FROM metrics), "
            "(SELECT COUNT(*) FROM v_metrics WHERE NOT on_topic)")).one()
    by_period = {(f["period_kind"], str(f["period_start"])[:10] if f["period_start"] else None,
                  str(f["period_end"])[:10]): f for f in facts}
    assert len(by_period) == len(facts) == 7
    ytd = by_period[("year_to_date", "2021-01-01", "2021-08-31")]
    assert (ytd["documents"], ytd["stories"], bool(ytd["disagree"])) == (3, 2, False)
    assert (ytd["first_path"], ytd["latest_path"]) == ("anhui_2021_notice.txt", "anhui_2021_news_copy.md")
    year = by_period[("year", "2022-01-01", "2022-12-31")]
    assert (year["documents"], year["stories"], bool(year["disagree"])) == (2, 2, True)
    assert (num(year["value"]), num(year["min_value"]), num(year["max_value"])) == \
        (Decimal("12.5") * YI, 12 * YI, Decimal("12.5") * YI)
    assert year["latest_path"] == "anhui_2022_correction.md" and "12.5亿元" in year["sentence"]
    as_of = by_period[("as_of", None, "2022-12-31")]
    assert bool(as_of["cumulative"]) and num(as_of["value"]) == 48 * YI
    on_topic, every, metrics_on_topic, metrics_all, off_topic_in_view = counts
    assert (on_topic, every, off_topic_in_view) == (metrics_on_topic, metrics_all, 0) and every > on_topic


def test_coverage_shows_which_years_each_agency_has_and_the_gaps(series_db) -> None:
    _, engine = series_db
    found = rows(engine, "coverage_by_agency_year")
    fines = [(r["year"], r["facts"], r["series_value_kind"]) for r in found
             if r["agency_name"] == HEFEI and r["indicator"] == "fines"]
    assert fines == [(2019, 1, "stated"), (2020, 0, None), (2021, 1, "stated")]
    recovered = [(r["year"], r["series_value_kind"], r["through_month"]) for r in found
                 if r["agency_name"] == ANHUI and r["indicator"] == "funds_recovered"]
    assert recovered == [(2019, "stated", None), (2020, "derived", None), (2021, "partial", 8), (2022, "stated", None)]
    levels = [r["agency_level"] for r in found]
    assert levels == sorted(levels, key=["national", "provincial", "prefectural", "county", "township"].index)
    # the court's case: its fraud period is a case's, covered but never a year's value
    case = [r for r in found if r["indicator"] == "funds_involved" and r["agency_region"] == "安徽省合肥市蜀山区"]
    assert [(r["year"], r["facts"], r["series_value_kind"]) for r in case] == [(2020, 1, None)]
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT m.raw_text, m.period_kind FROM metrics m JOIN documents d "
                                       "ON d.id = m.document_id WHERE d.source_path = 'court_case_2020.txt'")).all())
    assert kinds["36万元"] == "case"


def test_the_report_from_the_command_line(sqlite_url: str, seeds_copy, etl_bin) -> None:
    load_corpus(sqlite_url, seeds_copy, SERIES).dispose()
    done = run_cli(etl_bin, "report", "yearly_series", "--param", "indicator=funds_recovered", "--format", "json",
                   "--db", sqlite_url)
    assert done.returncode == 0, done.stderr
    got = {(r["agency_name"], r["year"]): (r["value_kind"], r["through_month"]) for r in json.loads(done.stdout)}
    assert got[(ANHUI, 2020)] == ("derived", None) and got[(HEFEI, 2022)] == ("partial", 6)
    missing = run_cli(etl_bin, "report", "yearly_series", "--db", sqlite_url)
    assert missing.returncode != 0 and "indicator" in missing.stderr and "Traceback" not in missing.stderr


def test_migration_0011_types_stored_periods_and_goes_back(db_url: str) -> None:
    """Rows loaded before 0011 get a period_kind from their dates; down to the revision before, v_metrics is
    0002's again (every figure) and period_kind is gone; up again, both are back."""
    before = ScriptDirectory.from_config(migrate.alembic_config()).get_revision("0011").down_revision
    engine = make_engine(db_url)
    migrate.upgrade(engine, str(before))
    with engine.begin() as conn:  # a run row with the columns the schema before 0011 has (start_run writes head's)
        runs = Table("etl_runs", MetaData(), autoload_with=conn)
        row = {c.name: 0 for c in runs.columns if c.name.startswith("files_") or c.name in (
            "documents", "agencies", "metrics", "metrics_written")}
        row |= {"started_at": datetime.now(UTC), "status": "running", "paths": "/x", "extractor_version": "test"}
        run_id = conn.execute(runs.insert().values(row).returning(runs.c.id)).scalar_one()
    periods = [(date(2021, 1, 1), date(2021, 12, 31)), (date(2021, 1, 1), date(2021, 6, 30)),
               (None, date(2021, 10, 31)), (date(2018, 1, 1), date(2021, 10, 31)),
               (date(2021, 1, 1), date(2021, 8, 31)), (None, None)]
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO documents (id, file_path, source_path, content_sha256, size_bytes, format, encoding, "
            "body_text, on_topic, extractor_version, status, first_run_id, run_id) VALUES "
            "(1, '/a', 'a', 'x', 1, 'text', 'utf-8', 'x', true, 'x', 'active', :run, :run)"), {"run": run_id})
        old_metrics = Table("metrics", MetaData(), autoload_with=conn)  # as the schema before 0011 has it
        conn.execute(old_metrics.insert(), [  # the columns 0009 has: period_kind is left out
            {"document_id": 1, "value": n + 1, "unit": "起", "qualifier": "exact", "raw_text": "x", "sentence": "x",
             "period_start": start, "period_end": end, "cumulative": False, "on_topic": n != 0, "run_id": run_id}
            for n, (start, end) in enumerate(periods)])
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(text("SELECT period_kind FROM metrics ORDER BY value"))]
        in_view = conn.execute(text("SELECT COUNT(*) FROM v_metrics")).scalar_one()
    assert kinds == ["year", "half", "as_of", "span", "year_to_date", None]
    assert in_view == len(periods) - 1  # the off-topic figure is in v_metrics_all only
    migrate.downgrade(engine, str(before))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM v_metrics")).scalar_one() == len(periods)
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(metrics)"))] if engine.dialect.name == "sqlite" \
            else list(conn.execute(text("SELECT column_name FROM information_schema.columns "
                                        "WHERE table_name = 'metrics'")).scalars())
    assert "period_kind" not in columns and "period_end" in columns
    migrate.upgrade(engine, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM v_yearly_series")).scalar_one() == 0  # no indicator
    engine.dispose()
