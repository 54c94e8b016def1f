"""One output format on both databases: the same documents loaded into SQLite and PostgreSQL print the same
text, character for character, in every report, format and listing (booleans true/false, dates
YYYY-MM-DD, whole numbers without decimals)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.pipeline import RunOptions, run
from etl.reporting.queries import find_reports

REPO = Path(__file__).resolve().parents[2]
EXTRA = REPO / "tests" / "fixtures" / "reporting" / "extra"
SAMPLE = {"integer": "1", "number": "1", "text": "医保", "date": "2021-12-31"}


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output  # etl check exits 1 when a check returns rows
    return result.output


def _report_args(report) -> list[str]:
    args = [report.name]
    for p in report.params:
        args += ["--param", f"{p.name}={SAMPLE[p.type]}"]
    return args


@pytest.mark.slow
@pytest.mark.postgres
def test_both_databases_print_the_same(sqlite_url, postgres_url):
    for url in (sqlite_url, postgres_url):
        run([str(REPO / "seeds"), str(EXTRA)], url, RunOptions(workers=1))
    differ = []
    commands = [["report", *_report_args(r), "--format", fmt] for r in find_reports() for fmt in ("table", "csv", "json")]
    commands += [["show"], ["check"], ["search", "医保", "基金", "--format", "json"], ["search", "骗保", "--format", "csv"]]
    for command in commands:
        outputs = [_invoke(*command, "--db", url) for url in (sqlite_url, postgres_url)]
        if outputs[0] != outputs[1]:
            differ.append(f"etl {' '.join(command)}:\nSQLite:\n{outputs[0][:1500]}\nPostgreSQL:\n{outputs[1][:1500]}")
    assert not differ, "\n\n".join(differ)


def test_booleans_dates_and_numbers_have_one_form(sqlite_url):
    run([str(REPO / "seeds")], sqlite_url, RunOptions(workers=1))
    rows = json.loads(_invoke("report", "document_metrics", "-p", "document_id=1", "--format", "json",
                              "--db", sqlite_url))
    assert rows and all(isinstance(r["cumulative"], bool) and isinstance(r["on_topic"], bool) for r in rows)
    assert any(r["cumulative"] for r in rows) and all(isinstance(r["value"], int | float) for r in rows)
    assert all(r["period_end"] is None or len(r["period_end"]) == 10 for r in rows)  # YYYY-MM-DD
    table = list(csv.DictReader(io.StringIO(_invoke("report", "document_metrics", "-p", "document_id=1",
                                                    "--format", "csv", "--db", sqlite_url))))
    assert {r["cumulative"] for r in table} <= {"true", "false"} and {r["on_topic"] for r in table} == {"true"}
    assert all("." not in r["value"] for r in table if float(r["value"]).is_integer())


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_report_list_honours_the_format(fmt):
    output = _invoke("report", "--list", "--format", fmt)
    listed = json.loads(output) if fmt == "json" else list(csv.DictReader(io.StringIO(output)))
    assert [r["name"] for r in listed] == [r.name for r in find_reports()]
    by_name = {r["name"]: r for r in listed}
    assert by_name["document_metrics"]["params"] == "document_id (integer)"
    assert all(r["title"] and r["description"] for r in listed)
