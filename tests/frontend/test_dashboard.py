"""The dashboard's panels: defined as data, the same SQL on SQLite and PostgreSQL, panels for missing views
left out and named."""

from __future__ import annotations

from sqlalchemy import text, update

from etl.load.schema import documents
from etl.reporting.dashboard import (
    Panel,
    Source,
    _layout,
    chart_config,
    dashboard,
    dashboards_config,
    panel_sql,
    resolve,
)
from etl.reporting.datasette import database_objects, known_objects
from tests.reporting.conftest import NHSA

LABELS = {"year": "年份", "title": "标题"}


def _rows(engine, sql: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql))]


def test_every_panel_runs_on_both_databases(front):
    """Each drawn panel's query, exactly as the dashboard sends it, on the loaded corpus."""
    _, engine = front
    config = dashboards_config("etl", database_objects(engine), LABELS, "/etl/documents")["yibao"]
    drawn = {slug: chart for slug, chart in config["charts"].items() if "query" in chart}
    assert {"documents", "figures", "agencies", "funds_recovered", "cases_suspects", "by_province",
            "province_table", "latest_documents", "documents_per_month", "runs", "failed_files"} <= set(drawn)
    rows = {slug: _rows(engine, chart["query"]) for slug, chart in drawn.items()}
    assert all(rows.values()), [slug for slug, r in rows.items() if not r]
    assert rows["documents"][0]["documents"] == 8 and rows["agencies"][0]["agencies"] > 20
    # the yearly series: a year's own figure, never a running total (NHSA's 约506亿 since 2018 is not a year)
    funds = {(r["agency_name"], int(r["year"])): int(r["value"]) for r in rows["funds_recovered"]}
    assert funds == {("屏山县医疗保障局", 2019): 1_200_000}
    assert not any(name == NHSA for name, _ in funds)
    cases = {(int(r["year"]), r["indicator_label_zh"]): int(r["value"]) for r in rows["cases_suspects"]}
    assert cases[(2021, "抓获犯罪嫌疑人")] == 1270
    assert {r["province"] for r in rows["by_province"]} >= {"北京市", "安徽省", "四川省", "全国 national"}
    assert [int(r["id"]) for r in rows["runs"]] == [2, 1] and int(rows["runs"][0]["files_failed"]) == 1
    assert "undecodable.txt" in rows["failed_files"][0]["source_path"]
    latest = rows["latest_documents"][0]["标题 · title"]
    assert latest.startswith('<a href="/etl/documents/') and "歙县" in latest


def test_table_panels_escape_html(front):
    """The plugin puts table cells in as HTML: a title with markup shows as text, not as an element."""
    _, engine = front
    with engine.begin() as conn:
        conn.execute(update(documents).where(documents.c.title.like("%歙县%"))
                     .values(title='<img src=x onerror="alert(1)"> & 歙县'))
    config = dashboards_config("etl", database_objects(engine), LABELS, "/etl/documents")["yibao"]
    cell = _rows(engine, config["charts"]["latest_documents"]["query"])[0]["标题 · title"]
    assert "&lt;img src=x onerror=\"alert(1)\"&gt; &amp; 歙县</a>" in cell and "<img" not in cell


def test_a_panel_for_a_missing_view_waits_and_says_so():
    objects = known_objects() - {"v_yearly_series"}
    resolved = resolve(objects, {"funds_recovered_by_agency_year", "documents_per_source_month"})
    drawn = {panel.slug: source for panel, source in resolved.drawn}
    assert "{report:funds_recovered_by_agency_year}" in drawn["funds_recovered"].sql  # the fallback source
    waiting = {panel.slug: missing for panel, missing in resolved.waiting}
    assert waiting["review_queue"] == ["report review_queue"]
    assert ("funds_recovered", ["v_yearly_series"]) in [(p.slug, m) for p, m in resolved.fallbacks]
    config = dashboards_config("etl", objects, LABELS, "/etl/documents",
                               {"funds_recovered_by_agency_year", "documents_per_source_month"})["yibao"]
    note = config["charts"]["waiting"]["display"]
    assert "review_queue" not in config["charts"] and "waiting for report review_queue" in note
    assert "drawn from a fallback" in note and "v_yearly_series" in note
    assert all(slug in config["charts"] for row in config["layout"] for slug in row)
    assert all(len(row) == 4 for row in config["layout"])


def test_the_yearly_series_view_is_used_once_it_exists():
    resolved = resolve(known_objects() | {"v_yearly_series"})
    drawn = {panel.slug: source for panel, source in resolved.drawn}
    assert "v_yearly_series" in drawn["funds_recovered"].needs
    assert "v_yearly_series" in drawn["cases_suspects"].needs


def test_panels_are_data_and_build_a_chart_each():
    board = dashboard()
    slugs = [p.slug for p in board.panels]
    assert len(slugs) == len(set(slugs)) and board.title_zh
    for panel in board.panels:
        assert panel.kind in {"line", "bar", "table", "metric"} and panel.sources, panel.slug
        assert panel.title_zh and panel.title_en
    line = Panel("p", "甲", "a", "line", (Source("SELECT 1"),), {"x": "year", "y": "v", "series": "s"})
    chart = chart_config(line, line.sources[0], "etl", LABELS, "/etl/documents", {})
    assert chart["library"] == "vega-lite" and chart["display"]["encoding"]["x"]["title"] == "年份 · year"
    assert chart["display"]["usermeta"]["embedOptions"]["renderer"] == "svg"
    assert "LIMIT 8" in chart["query"]  # only the largest series
    assert panel_sql(Source("SELECT * FROM {report:r} x"), {"r": "SELECT 2"}) == "SELECT * FROM (\nSELECT 2\n) x"


def test_layout_fills_rows_of_four():
    panels = [Panel(s, "", "", "metric", (), {"span": n}) for s, n in (("a", 1), ("b", 1), ("c", 2), ("d", 3))]
    assert _layout(panels) == [["a", "b", "c", "c"], ["d", "d", "d", "d"]]
