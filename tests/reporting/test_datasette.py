"""Datasette (optional extra) serves a loaded SQLite file with generated metadata and the sql/ reports."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from etl.load.db import make_engine, sqlite_path
from etl.reporting.datasette import available, build_metadata, datasette_command, write_metadata_for
from etl.reporting.queries import find_reports
from tests.reporting.conftest import EXTRA, NHSA, load_corpus


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str, deadline: float) -> object:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read().decode("utf-8"))
        except OSError as exc:  # not listening yet
            last = exc
            time.sleep(0.3)
    raise AssertionError(f"Datasette did not answer {url}: {last}")


@contextmanager
def served(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """`etl datasette`'s command serving the database at sqlite_url; yields the database's base URL."""
    db_file = Path(sqlite_path(sqlite_url))
    engine = make_engine(sqlite_url)
    meta = write_metadata_for(engine, tmp_path / "metadata.json")
    engine.dispose()
    port = _free_port()
    server = subprocess.Popen(datasette_command(db_file, meta, "127.0.0.1", port),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}/{db_file.stem}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_metadata_describes_tables_views_and_reports():
    meta = build_metadata("etl")
    db = meta["databases"]["etl"]
    assert db["tables"]["metrics"]["columns"]["cumulative"].startswith("a running total")
    assert "agency_name" in db["tables"]["v_metrics"]["columns"] and db["tables"]["dim_date"]["description"]
    assert set(db["queries"]) >= {r.name for r in find_reports()}
    assert db["queries"]["document_metrics"]["title"] == "Metrics of one document, with their evidence"
    assert not any(q["sql"].lstrip().startswith("-- title") for q in db["queries"].values())
    assert "fts_table" not in db["tables"]["documents"]  # no index to search unless it is on
    indexed = build_metadata("etl", search_index=True)["databases"]["etl"]["tables"]
    assert indexed["documents"]["fts_table"] == "fts_documents"
    assert indexed["fts_documents"]["description"] != db["tables"]["fts_documents"]["description"]


def test_datasette_serves_a_canned_query(sqlite_url, seeds_copy, tmp_path):
    if not available():
        pytest.skip("datasette is not installed (optional extra: pip install 'yibao-etl[datasette]')")
    load_corpus(sqlite_url, seeds_copy, EXTRA).dispose()
    with served(sqlite_url, tmp_path) as base:
        rows = _get_json(f"{base}/funds_recovered_by_agency_year.json?_shape=array", time.monotonic() + 60)
        nhsa = [r for r in rows if r["agency_name"] == NHSA and r["year"] == 2021]
        assert nhsa and nhsa[0]["largest_running_total"] == 50_700_000_000
        one = _get_json(f"{base}/document_metrics.json?_shape=array&document_id=1", time.monotonic() + 10)
        assert any(r["raw_text"] == "约506亿元" for r in one)
        view = _get_json(f"{base}/v_metrics.json?_shape=array&indicator=funds_recovered", time.monotonic() + 10)
        assert view and all(r["indicator_label_zh"] == "追回/退回医保基金" for r in view)
