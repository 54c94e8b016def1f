"""`etl show` never adds running totals to their parts: per indicator it shows how many figures, how many of
them running totals, and the largest, computed from the metrics table itself."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.helpers import run_etl

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
LINE = re.compile(r"^  (\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+([\d,.]+)$")


def test_show_gives_counts_and_the_largest_figure(db_url, etl_bin, tmp_path):
    assert run_etl(etl_bin, "run", str(SEEDS), "--db", db_url, "-q", cwd=tmp_path).returncode == 0
    result = run_etl(etl_bin, "show", "--db", db_url, "--limit", "50", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    shown = {(m[1], m[2]): (int(m[3]), int(m[4]), m[5]) for m in map(LINE.match, result.stdout.splitlines()) if m}
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT m.indicator, m.unit, COUNT(*), SUM(CASE WHEN m.cumulative THEN 1 ELSE 0 END), MAX(m.value), "
            "SUM(m.value) FROM metrics m JOIN documents d ON d.id = m.document_id "
            "WHERE m.on_topic AND d.status = 'active' GROUP BY m.indicator, m.unit"
        )).all()
    engine.dispose()
    assert shown and len(shown) == len(rows)
    added_up = 0
    for indicator, unit, count, running, largest, total in rows:
        figure = f"{int(largest):,}" if largest == int(largest) else f"{float(largest):,.2f}"
        assert shown[(indicator or "(none)", unit)] == (count, running, figure), (indicator, unit)
        added_up += count > 1 and total != largest
    assert added_up  # the seeds hold indicators whose figures a sum would have added (running totals too)
    assert "sum" not in result.stdout
