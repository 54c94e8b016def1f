"""At a terminal: `etl run` shows a bar with a total and the time left; `etl db downgrade` asks first."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text

from etl.pipeline import count_documents
from tests.cli.terminal import run_on_terminal
from tests.helpers import run_etl


def test_the_progress_bar_has_a_total_and_the_time_left(seeds_copy, tmp_path, etl_bin):
    url = f"sqlite:///{tmp_path / 'etl.db'}"
    (seeds_copy / "notes").mkdir()
    (seeds_copy / "notes" / "draft.md").write_text("---\ntitle: 草稿\n---\n\n某县医疗保障局草稿。\n", encoding="utf-8")
    total = len(list(seeds_copy.glob("*.txt")))  # the draft is excluded: the total must say so
    assert count_documents([str(seeds_copy)], exclude=("notes",)) == total == 5
    code, output = run_on_terminal([*etl_bin, "run", str(seeds_copy), "--exclude", "notes", "--workers", "1",
                                    "--db", url], cwd=tmp_path)
    assert code == 0, output
    bars = re.findall(r"loading:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+) \[(\d\d:\d\d)<([\d:?]+)", output)
    assert bars, output  # e.g. "loading:  40%|████      | 2/5 [00:01<00:01, 1.9 files/s]"
    assert {int(t) for _, t, _, _ in bars} == {total} and "Traceback" not in output
    assert "files     seen 5:" in output


def test_no_bar_off_a_terminal(seeds_copy, tmp_path, etl_bin):
    result = run_etl(etl_bin, "run", str(seeds_copy), "--workers", "1", "--db", f"sqlite:///{tmp_path / 'etl.db'}")
    assert result.returncode == 0 and "loading" not in result.stderr and "\r" not in result.stderr


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as conn:
        has = conn.execute(text("SELECT COUNT(*) FROM sqlite_master WHERE name = 'alembic_version'")).scalar()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if has else None
    engine.dispose()
    return revision


def test_downgrade_asks_at_a_terminal(tmp_path, etl_bin):
    url = f"sqlite:///{tmp_path / 'etl.db'}"
    assert run_etl(etl_bin, "db", "upgrade", "--db", url).returncode == 0
    head = _revision(url)
    code, output = run_on_terminal([*etl_bin, "db", "downgrade", "base", "--db", url], cwd=tmp_path, typed="n\n")
    assert code == 1 and "drop every table" in output and "nothing changed" in output, output
    assert _revision(url) == head
    code, output = run_on_terminal([*etl_bin, "db", "downgrade", "base", "--db", url], cwd=tmp_path, typed="y\n")
    assert code == 0 and "at revision base" in output, output
    assert _revision(url) is None
