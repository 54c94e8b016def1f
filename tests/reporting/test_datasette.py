"""Datasette (optional extra) serves a loaded SQLite file with curated metadata, the sql/ reports and the
yibao-etl plugin (column order, search for words of any length, labels, reading page)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from etl.reporting.datasette import build_metadata
from etl.reporting.queries import find_reports
from etl.reporting.search import search
from tests.reporting.conftest import EXTRA, NHSA, load_corpus
from tests.reporting.datasette_support import free_port, get, get_json, needs_datasette, served


def test_metadata_is_curated_for_analysts():
    meta = build_metadata("etl")
    db = meta["databases"]["etl"]
    tables = db["tables"]
    assert tables["metrics"]["columns"]["cumulative"].startswith("累计 · a running total")
    assert "agency_name" in tables["v_metrics"]["columns"] and tables["dim_date"]["description"]
    assert tables["v_metrics"]["title"] == "指标数值 · v_metrics"
    assert {"indicator_label_zh", "agency_level", "agency_region", "published_year"} <= \
        set(tables["v_metrics"]["facets"])
    assert tables["v_metrics"]["sort_desc"] == "published_on" and tables["agencies"]["label_column"] == "name"
    for internal in ("alembic_version", "fts_documents", "fts_documents_content", "dim_date"):
        assert tables[internal]["hidden"] is True, internal
    assert not tables["v_metrics"].get("hidden")
    columns = db["plugins"]["yibao-etl"]["tables"]["v_metrics"]["columns"]
    assert columns[:6] == ["published_on", "document_title", "agency_name", "indicator_label_zh", "value", "unit"]
    assert db["plugins"]["yibao-etl"]["labels"]["published_on"] == "发布日期"
    assert set(db["queries"]) >= {r.name for r in find_reports()}
    assert all(q["hide_sql"] for q in db["queries"].values())
    assert db["queries"]["document_metrics"]["title"] == "单篇文件的数字及证据 · Metrics of one document, with their evidence"
    assert not any(q["sql"].lstrip().startswith("-- title") for q in db["queries"].values())
    indexed = build_metadata("etl", search_index=True)["databases"]["etl"]["tables"]
    assert indexed["fts_documents"]["description"] != tables["fts_documents"]["description"]
    assert "yibao" in meta["plugins"]["datasette-dashboards"]


def test_metadata_command_reads_the_database(sqlite_url, seeds_copy, etl_bin, tmp_path):
    from tests.reporting.conftest import run_cli

    load_corpus(sqlite_url, seeds_copy).dispose()
    out = tmp_path / "m.json"
    done = run_cli(etl_bin, "datasette", "metadata", "--db", sqlite_url, "-o", str(out))
    assert done.returncode == 0, done.stderr
    meta = json.loads(out.read_text(encoding="utf-8"))
    assert list(meta["databases"]) == ["etl"]
    charts = meta["plugins"]["datasette-dashboards"]["yibao"]["charts"]
    # a database at head has every view and report a panel reads: nothing waits, nothing falls back
    assert {"funds_recovered", "review_queue"} <= set(charts) and "waiting" not in charts


@pytest.mark.slow
@needs_datasette
def test_datasette_serves_curated_pages_and_canned_queries(sqlite_url, seeds_copy, tmp_path):
    load_corpus(sqlite_url, seeds_copy, EXTRA).dispose()
    with served(sqlite_url, tmp_path) as base:
        deadline = time.monotonic() + 30
        rows = get_json(f"{base}/funds_recovered_by_agency_year.json?_shape=array", deadline)
        nhsa = [r for r in rows if r["agency_name"] == NHSA and r["year"] == 2021]
        assert nhsa and nhsa[0]["largest_running_total"] == 50_700_000_000
        one = get_json(f"{base}/document_metrics.json?_shape=array&document_id=1", deadline)
        assert any(r["raw_text"] == "约506亿元" for r in one)
        view = get_json(f"{base}/v_metrics.json?_shape=array&indicator=funds_recovered", deadline)
        assert view and all(r["indicator_label_zh"] == "追回/退回医保基金" for r in view)
        page = get(f"{base}/v_metrics", deadline).decode("utf-8")
        head = page[page.index('<table class="rows-and-columns">'):]
        order = [head.index(f'data-column="{c}"') for c in ("published_on", "agency_name", "value", "unit",
                                                             "metric_id")]
        assert order == sorted(order)  # the analyst's columns first, ids after
        assert "指标数值 · v_metrics" in page and "window.yibaoLabels" in page
        report = get(f"{base}/funds_recovered_by_agency_year", deadline).decode("utf-8")
        assert "WITH facts AS" not in report and "_hide_sql" not in report  # the SQL is folded away
        assert '<span class="show-hide-sql">' in report and "各机构各年度追回医保基金" in report
        reading = get(f"{base}/documents/1", deadline).decode("utf-8")
        assert "/etl/document_metrics?document_id=1" in reading
        assert 'class="yibao-reading"' in reading and reading.index("yibao-body") < reading.index('data-column="file_path"')


def _found(base: str, table: str, words: str) -> set[int]:
    query = urllib.parse.urlencode({"_search": words, "_shape": "array", "_size": "max"})
    key = "metric_id" if table == "v_metrics" else "id"
    return {r[key] for r in get_json(f"{base}/{table}.json?{query}", time.monotonic() + 10)}


@pytest.mark.slow
@needs_datasette
@pytest.mark.parametrize("index", ["off", "on"])
def test_search_box_finds_short_words_and_every_word(index, sqlite_url, seeds_copy, tmp_path):
    engine = load_corpus(sqlite_url, seeds_copy, EXTRA)
    if index == "on":
        from etl.api import search_index

        assert search_index(True, sqlite_url)
    with served(sqlite_url, tmp_path) as base:
        for words in ("骗保", "医", "追回医保基金", "506亿"):  # one, two and more characters
            cli = {h.document_id for h in search(engine, words, limit=1000)}
            assert cli and _found(base, "v_documents", words) == cli == _found(base, "documents", words), words
        both = _found(base, "v_documents", "骗保 506亿")
        assert both and both == _found(base, "v_documents", "骗保") & _found(base, "v_documents", "506亿")
        assert not _found(base, "v_documents", "骗保 没有这个词")
        figures = _found(base, "v_metrics", "约506亿元")
        assert figures and len(figures) < len(_found(base, "v_metrics", "医"))
        page = get(f"{base}/v_documents?_search=%E9%AA%97%E4%BF%9D", time.monotonic() + 10).decode("utf-8")
        assert 'name="_search" value="骗保"' in page and "“骗保”" in page
    engine.dispose()


@pytest.mark.slow
@needs_datasette
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_ends_datasette_and_removes_its_files_when_stopped(stop, sqlite_url, seeds_copy, etl_bin, tmp_path):
    load_corpus(sqlite_url, seeds_copy).dispose()
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    parent = subprocess.Popen([*etl_bin, "datasette", "serve", "--db", sqlite_url, "--port", str(port)],
                              env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        get(f"http://127.0.0.1:{port}/etl.json", time.monotonic() + 60)
        children = Path(f"/proc/{parent.pid}/task/{parent.pid}/children").read_text().split()
        assert len(children) == 1 and any(temp.iterdir())  # Datasette, and the metadata it reads
        parent.send_signal(stop)
        assert parent.wait(timeout=30) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    assert not Path(f"/proc/{children[0]}").exists() or \
        Path(f"/proc/{children[0]}/stat").read_text().split()[2] == "Z"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/etl.json", timeout=2)
    assert list(temp.iterdir()) == []
    assert "Traceback" not in parent.stderr.read().decode("utf-8", "replace")


@needs_datasette
def test_search_words_split_on_spaces_and_keep_quoted_phrases():
    from etl.reporting.datasette_plugin import search_words

    assert search_words(" 骗保  医保基金 ") == ["骗保", "医保基金"]
    assert search_words('"医保 基金" “追回 资金” 骗保') == ["医保 基金", "追回 资金", "骗保"]
    assert search_words("   ") == []
