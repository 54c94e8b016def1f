"""Every sql/ report runs unchanged on SQLite and PostgreSQL and gives real, non-empty answers."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from etl.cli import cli
from etl.load.schema import documents
from etl.reporting.queries import find_reports, run_report
from tests.helpers import num, rows
from tests.reporting.conftest import CONFLICT, COPY_OF_000, NHSA, SEED_000, YEAR_2019, doc_id

YI = 100_000_000



def params_for(report, engine) -> dict:
    values = {"document_id": doc_id(engine, SEED_000), "q": "骗保", "indicator": "cases_investigated"}
    return {p.name: values[p.name] for p in report.params}


def test_every_report_answers(loaded):
    _, engine = loaded
    reports = find_reports()
    assert len(reports) >= 8
    with engine.connect() as conn:
        for report in reports:
            result = run_report(conn, report, params_for(report, engine))
            assert result.rows, f"{report.name} returned no rows"


def test_funds_recovered_never_adds_running_totals(loaded):
    _, engine = loaded
    found = rows(engine, "funds_recovered_by_agency_year")
    nhsa = [r for r in found if r["agency_name"] == NHSA and r["year"] == 2021 and r["unit"] == "CNY"]
    assert len(nhsa) == 1
    # 506亿 (seed 000, and again in its copy) and 507亿 (the conflicting report) are running totals for
    # 2018-2021/10: the largest is shown, none is added to anything
    assert num(nhsa[0]["largest_running_total"]) == 507 * YI
    assert num(nhsa[0]["total_recovered"]) is None or num(nhsa[0]["total_recovered"]) < 506 * YI
    pingshan = [r for r in found if r["year"] == 2019 and num(r["total_recovered"]) == 1_200_000]
    assert len(pingshan) == 1 and pingshan[0]["figures_added"] == 1
    years = {r["year"] for r in found}
    assert {2019, 2021, 2022, 2025} <= years


def test_metric_totals_by_indicator_level_region(loaded):
    _, engine = loaded
    found = rows(engine, "metric_totals_by_indicator_level_region")
    national = [r for r in found if r["indicator"] == "funds_recovered" and r["agency_level"] == "national"
                and r["unit"] == "CNY"]
    assert national and max(num(r["largest_running_total"]) or 0 for r in national) == 507 * YI
    assert any(r["indicator"] == "funds_recovered" and r["agency_level"] == "county"
               and num(r["total"]) == 1_200_000 for r in found)
    assert all(r["indicator_label_zh"] for r in found)


def test_documents_per_source_month_counts_copies(loaded):
    _, engine = loaded
    found = {(r["source_name"], r["year_month"]): r for r in rows(engine, "documents_per_source_month")}
    assert found[("新浪财经", "2021-12")]["documents"] == 1
    assert found[("新浪财经", "2021-12")]["canonical_copies"] == 1
    assert found[("人民网", "2021-12")]["canonical_copies"] == 0  # the later copy of seed 000
    undated = [key for key in found if key[1] is None]
    assert undated == [("云阳县医疗保障局", None)]
    assert list(found)[-1][1] is None  # NULLS LAST on both databases


def test_document_metrics_with_evidence(loaded):
    _, engine = loaded
    found = rows(engine, "document_metrics", document_id=str(doc_id(engine, SEED_000)))  # CLI passes text
    hit = [r for r in found if r["indicator"] == "funds_recovered" and num(r["value"]) == 506 * YI]
    assert len(hit) == 1
    assert hit[0]["agency_name"] == NHSA and "506亿元" in hit[0]["raw_text"] and "506亿" in hit[0]["sentence"]
    assert rows(engine, "document_metrics", document_id=999_999) == []


def test_latest_figure_per_agency_and_indicator(loaded):
    _, engine = loaded
    found = rows(engine, "latest_figure_per_agency_indicator")
    keys = [(r["agency_name"], r["indicator"], r["unit"]) for r in found]
    assert len(keys) == len(set(keys))
    nhsa = [r for r in found if r["agency_name"] == NHSA and r["indicator"] == "funds_recovered"]
    # as of 2021-10-31 in three documents; the newest document (the 507亿 report, 2021-12-10) wins the tie
    assert len(nhsa) == 1 and str(nhsa[0]["period_end"]) == "2021-10-31"
    assert nhsa[0]["document_id"] == doc_id(engine, CONFLICT) and num(nhsa[0]["value"]) == 507 * YI


def test_conflicting_figures(loaded):
    _, engine = loaded
    found = rows(engine, "conflicting_figures")
    pair = [r for r in found if r["agency_name"] == NHSA and r["indicator"] == "funds_recovered"]
    assert len(pair) == 1, pair  # the copy of seed 000 is the same story, not a third report
    row = pair[0]
    assert {row["document_id_a"], row["document_id_b"]} == {doc_id(engine, SEED_000), doc_id(engine, CONFLICT)}
    assert {num(row["value_a"]), num(row["value_b"])} == {506 * YI, 507 * YI}
    assert abs(num(row["difference"])) == YI
    assert abs(float(row["ratio_b_to_a"]) - 507 / 506) < 1e-9


def test_stories_counted_once(loaded):
    _, engine = loaded
    found = rows(engine, "stories")
    assert len(found) == 7  # 8 active files, one of them a copy
    story = next(r for r in found if r["story_id"] == doc_id(engine, SEED_000))
    assert story["copies"] == 2 and story["outlets"] == 2 and story["first_source"] == "新浪财经"
    assert str(story["first_published_on"]) == "2021-12-08" and str(story["last_published_on"]) == "2021-12-09"
    assert doc_id(engine, COPY_OF_000) not in {r["story_id"] for r in found}


def test_search_report(loaded):
    _, engine = loaded
    short = {r["document_id"] for r in rows(engine, "search_documents", q="骗保")}
    seeds = {doc_id(engine, p) for p in (SEED_000, "001_7db6cd0223bc0828.txt", "002_17d52a4c04d940ef.txt",
                                         "003_23e258d63c87803a.txt", "004_a61e73850b0e2bb9.txt")}
    assert seeds <= short
    longer = rows(engine, "search_documents", q="追回医保基金")
    assert longer[0]["in_title"] == 1  # title hits first
    assert doc_id(engine, YEAR_2019) in {r["document_id"] for r in longer}
    assert rows(engine, "search_documents", q="不存在的词语") == []


def test_removed_documents_are_left_out(loaded):
    _, engine = loaded
    with engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.id == doc_id(engine, CONFLICT)).values(status="removed"))
    assert not [r for r in rows(engine, "conflicting_figures") if r["agency_name"] == NHSA]
    assert doc_id(engine, CONFLICT) not in {r["story_id"] for r in rows(engine, "stories")}
    nhsa = [r for r in rows(engine, "funds_recovered_by_agency_year") if r["agency_name"] == NHSA]
    assert num(nhsa[0]["largest_running_total"]) == 506 * YI


def test_cli_prints_every_report_in_three_formats(loaded):
    url, engine = loaded
    runner = CliRunner()
    for report in find_reports():
        args = ["report", report.name, "--db", url]
        for key, value in params_for(report, engine).items():
            args += ["--param", f"{key}={value}"]
        table = runner.invoke(cli, [*args, "--format", "table"])
        assert table.exit_code == 0, table.output
        lines = table.output.splitlines()
        assert lines[0].split()[0] and set(lines[1]) <= {"-", " "} and re.fullmatch(r"\(\d+ rows?\)", lines[-1])
        as_csv = runner.invoke(cli, [*args, "--format", "csv"])
        parsed = list(csv.reader(io.StringIO(as_csv.output)))
        assert as_csv.exit_code == 0 and len(parsed) >= 2 and parsed[0] == lines[0].split()
        as_json = runner.invoke(cli, [*args, "--format", "json"])
        data = json.loads(as_json.output)
        assert as_json.exit_code == 0 and len(data) == len(parsed) - 1 and list(data[0]) == parsed[0]


def test_cli_report_usage_errors(loaded):
    url, _ = loaded
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", "document_metrics", "--db", url])
    assert missing.exit_code == 2 and "--param document_id" in missing.output
    wrong = runner.invoke(cli, ["report", "document_metrics", "-p", "document_id=abc", "--db", url])
    assert wrong.exit_code == 2 and "integer" in wrong.output
    unknown = runner.invoke(cli, ["report", "no_such_report", "--db", url])
    assert unknown.exit_code == 2 and "stories" in unknown.output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_report_list_needs_no_database(fmt, tmp_path):
    result = CliRunner().invoke(cli, ["report", "--list"], env={"ETL_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"})
    assert result.exit_code == 0
    assert "funds_recovered_by_agency_year" in result.output and "Conflicting figures" in result.output
    assert not (tmp_path / "none.db").exists()
