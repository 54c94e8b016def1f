"""The dashboard and the curated pages in a real browser: headless Debian Chromium against `etl datasette serve`
on the seeds plus fixtures. Saves the screenshots the README shows (docs/*.png; $ETL_SCREENSHOTS_DIR elsewhere).

Offline: the dashboard's scripts (Vega, Vega-Lite, Leaflet) come from the installed plugins; the browser is
started with background networking off and may reach nothing but the local server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from etl.reporting.datasette import available, dashboards_available
from tests.conftest import REPO
from tests.frontend.browser import Browser, chromium
from tests.frontend.conftest import load_front

ON_CI = bool(os.environ.get("CI"))
DOCS = Path(os.environ.get("ETL_SCREENSHOTS_DIR") or REPO / "docs")
# Panels drawn as Vega-Lite charts, and the marks each must have drawn.
CHARTS = {"funds_recovered": "g.mark-symbol path, g.mark-line path", "cases_suspects": "g.mark-rect path",
          "by_province": "g.mark-rect path", "documents_per_month": "g.mark-rect path", "runs": "g.mark-rect path"}


def _missing() -> str | None:
    if not available() or not dashboards_available():
        return "the datasette extra is not installed (pip install 'yibao-etl[datasette]')"
    if chromium() is None:
        return "no chromium on PATH (Debian: apt-get install chromium fonts-noto-cjk; .ci/run does)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_served(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"etl datasette serve ended with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.mark.slow
def test_dashboard_and_curated_pages_in_chromium(sqlite_url, seeds_copy, tmp_path, etl_bin):
    problem = _missing()
    if problem:
        if ON_CI:
            pytest.fail(problem)
        pytest.skip(problem)
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout if shutil.which(
        "fc-list") else ""
    assert fonts.strip(), "no font for Chinese: apt-get install fonts-noto-cjk (else the pages show boxes)"
    load_front(sqlite_url, seeds_copy, tmp_path).dispose()
    port = _free_port()
    server = subprocess.Popen([*etl_bin, "datasette", "serve", "--db", sqlite_url, "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    browser = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_served(f"{base}/-/versions.json", server)
        browser = Browser(chromium(), tmp_path / "profile", width=1400, height=1000)
        page = browser.new_page()

        page.goto(f"{base}/-/dashboards/yibao")
        drawn = " && ".join(f"document.querySelectorAll('#chart-{slug} svg :is({marks})').length > 0"
                            for slug, marks in CHARTS.items())
        tables = "document.querySelectorAll('#chart-latest_documents tbody tr').length > 0"
        metric = "document.querySelector('#chart-documents p')"
        page.wait_for(f"{drawn} && {tables} && {metric}")
        assert page.evaluate("document.querySelector('#chart-documents p').textContent.trim()") == "8"
        assert page.evaluate("document.querySelectorAll('#chart-failed_files tbody tr').length") == 1
        text = page.evaluate("document.body.innerText")
        for label in ("医保基金监管看板", "追回医保基金（年度）", "各省份的数字", "最新文件", "待复核"):
            assert label in text, label
        assert "尚未显示" not in text  # a database at head: no panel waits for a view or report
        axis_titles = page.evaluate("[...document.querySelectorAll('svg text')].map(t => t.textContent)")
        assert "年份 · year" in axis_titles and "北京市" in axis_titles
        page.screenshot(DOCS / "dashboard.png")

        page.goto(f"{base}/etl/v_metrics")
        page.wait_for("document.querySelector('th .yibao-zh')")
        first = page.evaluate("[...document.querySelectorAll('table.rows-and-columns thead th')]"
                              ".slice(0, 6).map(th => th.dataset.column)")
        assert {"published_on", "agency_name", "value", "unit"} <= set(first), first
        labels = page.evaluate("[...document.querySelectorAll('th .yibao-zh')].map(s => s.textContent)")
        assert {"发布日期", "机构", "数值", "单位"} <= set(labels)
        assert "指标数值 · v_metrics" in page.evaluate("document.querySelector('h1').textContent")
        assert page.evaluate("document.querySelector('details.yibao-descriptions').open") is False
        page.screenshot(DOCS / "datasette-v_metrics.png", full_page=False)

        page.goto(f"{base}/etl/v_documents?_search=%E9%AA%97%E4%BF%9D")  # 骗保: two characters
        found = page.wait_for("document.querySelectorAll('table.rows-and-columns tbody tr').length")
        assert found > 0 and "“骗保”" in page.evaluate("document.querySelector('h3').textContent")
        elsewhere = [u for u in browser.requests if not u.startswith((base, "data:", "about:"))]
        assert not elsewhere and any("vega-lite" in u for u in browser.requests), elsewhere  # all offline
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(timeout=30)
    for name in ("dashboard.png", "datasette-v_metrics.png"):
        assert (DOCS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
