"""`etl report NAME --format chart` / `--chart FILE`: an SVG line chart of a series report, on both databases."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from etl.reporting.chart import (
    MAX_SERIES,
    Axes,
    ChartError,
    choose_axes,
    compact,
    definitions,
    nice_ticks,
    plot_data,
    svg,
)
from etl.reporting.queries import find_reports
from tests.reporting.conftest import run_cli

SVG = "{http://www.w3.org/2000/svg}"


def _points(image: str) -> list[ET.Element]:
    return list(ET.fromstring(image).iter(f"{SVG}circle"))


def test_rows_become_series_with_gaps_filled_and_one_unit():
    columns = ["year", "agency", "unit", "amount"]
    rows = [(2019, "甲", "CNY", Decimal(5)), (2021, "甲", "CNY", 7.0), (2021, "甲", "CNY", 1),
            (2020, "乙", "CNY", 3), (2020, "乙", "起", 900), (None, "乙", "CNY", 4), (2022, "丙", "CNY", None)]
    plot = plot_data(columns, rows, Axes("year", "amount", "agency"))
    assert plot.xs == [2019, 2020, 2021]  # 2020 filled in; undated and empty rows left out
    assert [(s.name, s.values) for s in plot.series] == [("甲", {2019: 5.0, 2021: 8.0}), ("乙", {2020: 3.0})]
    assert plot.y_label == "amount (CNY)" and "unit CNY only (also in the rows: 起)" in plot.notes
    image = svg(plot, "标题 · title")
    assert len(_points(image)) == 3 and "标题 · title" in image
    assert len([p for p in ET.fromstring(image).iter(f"{SVG}path") if p.get("class") == "line"]) == 1


def test_months_are_filled_and_many_series_are_cut_to_the_largest():
    rows = [(f"2021-{m:02d}", f"s{m}", m) for m in (1, 3, 4, 5, 6, 7, 8, 9, 10, 11)]
    plot = plot_data(["year_month", "source", "n"], rows, Axes("year_month", "n", "source"))
    assert [s.name for s in plot.series] == [f"s{m}" for m in (11, 10, 9, 8, 7, 6, 5, 4)][:MAX_SERIES]
    assert f"{MAX_SERIES} of 10 series shown, largest first" in plot.notes
    assert plot.xs == [f"2021-{m:02d}" for m in range(4, 12)]  # the months of the series drawn
    gaps = plot_data(["year_month", "n"], [("2020-12", 1), ("2021-02", 2)], Axes("year_month", "n"))
    assert gaps.xs == ["2020-12", "2021-01", "2021-02"]


def test_ticks_and_labels_read_as_chinese_figures_are_written():
    assert compact(50_600_000_000) == "506亿" and compact(1_200_000) == "120万" and compact(56) == "56"
    assert nice_ticks(0, 3, whole=True) == [0, 1, 2, 3]
    ticks = nice_ticks(0, 50_700_000_000)
    assert ticks[0] == 0 and ticks[-1] >= 50_700_000_000 and len(ticks) <= 8


def test_axes_come_from_the_definition_else_a_time_column():
    assert choose_axes("funds_recovered_by_agency_year", ["year", "total_recovered", "agency_name"], []) == \
        Axes("year", "total_recovered", "agency_name")
    assert choose_axes("mine", ["agency_id", "year_month", "label", "n"], [(1, "2021-01", "a", 3)]) == \
        Axes("year_month", "n", None)
    with pytest.raises(ChartError, match="no time column"):
        choose_axes("stories", ["story_id", "title", "copies"], [(1, "t", 2)])
    with pytest.raises(ChartError, match="no such column"):
        choose_axes("mine", ["year", "n"], [(2021, 1)], y="nope")


@pytest.mark.slow
def test_every_series_report_charts_on_both_databases(front, etl_bin, tmp_path):
    url, _ = front
    charted = [d for d in definitions().values() if d.report in {r.name for r in find_reports()}]
    assert {"funds_recovered_by_agency_year", "documents_per_source_month"} <= {d.report for d in charted}
    for definition in charted:
        params = [a for k, v in definition.sample_params.items() for a in ("--param", f"{k}={v}")]
        out = tmp_path / f"{definition.report}.svg"
        done = run_cli(etl_bin, "report", definition.report, *params, "--chart", str(out), "--db", url)
        assert done.returncode == 0 and f"wrote {out}" in done.stdout, done.stderr
        rows = json.loads(run_cli(etl_bin, "report", definition.report, *params, "--format", "json",
                                  "--db", url).stdout)
        axes = definition.axes
        expected = {(r[axes.x], r.get(axes.series)) for r in rows if r[axes.x] is not None and r[axes.y] is not None}
        assert expected and len({s for _, s in expected}) <= MAX_SERIES  # else not every point is drawn
        image = out.read_text(encoding="utf-8")
        assert len(_points(image)) == len(expected), definition.report
        assert definition.title_zh in image
    printed = run_cli(etl_bin, "report", "documents_per_source_month", "--format", "chart", "--db", url)
    assert printed.returncode == 0 and printed.stdout.startswith("<svg") and _points(printed.stdout)


@pytest.mark.slow
def test_chart_errors_are_one_line_usage_errors(sqlite_url, seeds_copy, etl_bin, tmp_path):
    from tests.reporting.conftest import load_corpus

    load_corpus(sqlite_url, seeds_copy).dispose()
    for args, message in ((["stories", "--format", "chart"], "no time column"),
                          (["documents_per_source_month", "--chart", str(tmp_path / "x.png")], "charts are SVG"),
                          (["documents_per_source_month", "--format", "chart", "--y", "nope"], "no such column")):
        done = run_cli(etl_bin, "report", *args, "--db", sqlite_url)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()
