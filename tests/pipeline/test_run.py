"""The whole pipeline on the seeds, on a real SQLite file and a real PostgreSQL database, as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from etl.api import inspect_file, run
from tests.helpers import query, run_etl

SEED_NAMES = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "seeds").iterdir())


def counts(url: str) -> dict[str, int]:
    tables = ["documents", "sources", "agencies", "document_agencies", "agency_aliases", "metrics", "indicators"]
    return {t: query(url, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}  # noqa: S608 (fixed names)


def metric_counts(url: str) -> dict[str, int]:
    rows = query(url, "SELECT d.source_path, COUNT(m.id) FROM documents d LEFT JOIN metrics m ON m.document_id = d.id "
                      "GROUP BY d.source_path")
    return dict(rows)


def test_seeds_load_with_one_row_per_file(db_url, seeds_copy):
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.status == "succeeded"
    assert (summary.files_seen, summary.files_new, summary.files_failed) == (5, 5, 0)
    paths = [r[0] for r in query(db_url, "SELECT source_path FROM documents ORDER BY source_path")]
    assert paths == SEED_NAMES
    assert query(db_url, "SELECT status FROM etl_runs") == [("succeeded",)]
    # every document row carries the run that wrote it
    assert query(db_url, "SELECT COUNT(*) FROM documents WHERE run_id IS NULL OR first_run_id IS NULL") == [(0,)]


def test_metric_rows_match_what_the_transform_gives(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    loaded = metric_counts(db_url)
    for path in seeds_copy.iterdir():
        assert loaded[path.name] == len(inspect_file(str(path)).metrics), path.name


def test_second_run_changes_nothing(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    before = counts(db_url)
    ids_before = query(db_url, "SELECT id, content_sha256 FROM documents ORDER BY id")
    metric_ids = query(db_url, "SELECT MIN(id), MAX(id) FROM metrics")
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert (summary.files_unchanged, summary.files_new, summary.files_changed) == (5, 0, 0)
    assert summary.metrics_written == 0
    assert counts(db_url) == before
    assert query(db_url, "SELECT id, content_sha256 FROM documents ORDER BY id") == ids_before
    assert query(db_url, "SELECT MIN(id), MAX(id) FROM metrics") == metric_ids
    assert query(db_url, "SELECT COUNT(*) FROM etl_runs WHERE status = 'succeeded'") == [(2,)]


def test_changed_file_replaces_its_rows(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    target = seeds_copy / SEED_NAMES[1]
    (doc_id, old_sha), = query(db_url, "SELECT id, content_sha256 FROM documents WHERE source_path = :p", p=target.name)
    old_metric_ids = {r[0] for r in query(db_url, "SELECT id FROM metrics WHERE document_id = :d", d=doc_id)}
    # drop the paragraph with the 2021 figures: the document keeps its id, its figures are replaced
    content = target.read_text(encoding="utf-8")
    start = content.index("2021年全年")
    end = content.index("</p>", start)
    target.write_text(content[:start] + content[end:], encoding="utf-8")
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert (summary.files_changed, summary.files_unchanged) == (1, 4)
    (new_id, new_sha), = query(db_url, "SELECT id, content_sha256 FROM documents WHERE source_path = :p", p=target.name)
    assert new_id == doc_id and new_sha != old_sha
    new_metric_ids = {r[0] for r in query(db_url, "SELECT id FROM metrics WHERE document_id = :d", d=doc_id)}
    assert not new_metric_ids & old_metric_ids
    assert len(new_metric_ids) == len(inspect_file(str(target)).metrics)
    assert query(db_url, "SELECT COUNT(*) FROM metrics WHERE document_id = :d AND raw_text LIKE '%117万%'", d=doc_id) \
        == [(0,)]


def test_moved_file_keeps_its_document(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    name = SEED_NAMES[0]
    (doc_id,), = query(db_url, "SELECT id FROM documents WHERE source_path = :p", p=name)
    (seeds_copy / "archive").mkdir()
    shutil.move(seeds_copy / name, seeds_copy / "archive" / "renamed.txt")
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert (summary.files_moved, summary.files_new, summary.files_removed) == (1, 0, 0)
    assert query(db_url, "SELECT source_path, status FROM documents WHERE id = :d", d=doc_id) == [
        ("archive/renamed.txt", "active")]
    assert query(db_url, "SELECT COUNT(*) FROM documents") == [(5,)]


def test_file_gone_from_folder_is_marked_removed_not_deleted(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    (seeds_copy / SEED_NAMES[2]).unlink()
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.files_removed == 1 and summary.documents == 4
    assert query(db_url, "SELECT status FROM documents WHERE source_path = :p", p=SEED_NAMES[2]) == [("removed",)]
    # a file given on its own never marks the others removed
    summary = run([str(seeds_copy / SEED_NAMES[0])], db_url, workers=1)
    assert summary.files_removed == 0 and summary.documents == 4


def test_new_extractor_version_or_reprocess_retransforms_unchanged_files(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE documents SET extractor_version = 'old' WHERE source_path = :p"), {"p": SEED_NAMES[3]})
    engine.dispose()
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert (summary.files_reprocessed, summary.files_unchanged) == (1, 4)
    summary = run([str(seeds_copy)], db_url, workers=1, reprocess=True)
    assert summary.files_reprocessed == 5
    assert query(db_url, "SELECT COUNT(DISTINCT extractor_version) FROM documents") == [(1,)]


def test_bad_files_are_recorded_and_the_run_goes_on(db_url, seeds_copy):
    (seeds_copy / "empty.txt").write_bytes(b"")
    (seeds_copy / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a document: skipped, not failed
    (seeds_copy / ".hidden.md").write_text("# hidden", encoding="utf-8")
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.status == "partial"
    assert (summary.files_new, summary.files_failed, summary.files_skipped) == (5, 1, 2)
    (path, stage, reason), = query(db_url, "SELECT source_path, stage, reason FROM failed_files")
    assert path == "empty.txt" and stage == "read" and "empty" in reason


def test_section_index_pages_are_skipped_not_failed(db_url, seeds_copy):
    (seeds_copy / "_index.md").write_text("---\nbookCollapseSection: true\n---\n", encoding="utf-8")
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.status == "succeeded"
    assert (summary.files_seen, summary.files_new, summary.files_failed, summary.files_skipped) == (5, 5, 0, 1)
    assert query(db_url, "SELECT COUNT(*) FROM failed_files") == [(0,)]


def test_include_and_exclude_globs(db_url, seeds_copy):
    summary = run([str(seeds_copy)], db_url, workers=1, include=("00[0-2]_*",), exclude=("001_*",))
    assert summary.files_new == 2 and summary.files_skipped == 3


def test_published_times_are_utc_and_dates_beijing(db_url, seeds_copy):
    run([str(seeds_copy)], db_url, workers=1)
    rows = dict(query(db_url, "SELECT source_path, published_on FROM documents"))
    hexo = query(db_url, "SELECT published_at FROM documents WHERE source_path = :p", p=SEED_NAMES[0])[0][0]
    assert str(rows[SEED_NAMES[0]])[:10] == "2021-12-08"
    if db_url.startswith("sqlite"):  # ISO text in UTC, exactly as the contract says
        assert hexo == "2021-12-08 14:00:30"
    else:
        assert hexo.utcoffset() is not None and hexo.isoformat().startswith("2021-12-08T")


@pytest.mark.postgres
def test_sqlite_and_postgres_hold_the_same_data(sqlite_url, postgres_url, seeds_copy):
    run([str(seeds_copy)], sqlite_url, workers=1)
    run([str(seeds_copy)], postgres_url, workers=1)
    docs_sql = ("SELECT source_path, title, CAST(published_at AS VARCHAR(40)), CAST(published_on AS VARCHAR(10)), "
                "doc_number FROM documents ORDER BY source_path")
    lite, pg = query(sqlite_url, docs_sql), query(postgres_url, docs_sql)
    assert [r[:2] + r[3:] for r in lite] == [r[:2] + r[3:] for r in pg]
    from datetime import datetime

    def utc(v):
        return None if v is None else datetime.fromisoformat(v.replace(" ", "T")).strftime("%Y-%m-%d %H:%M:%S")

    assert [utc(r[2]) for r in lite] == [utc(r[2].replace("+00", "+00:00") if r[2] else None) for r in pg]
    metric_sql = ("SELECT d.source_path, CAST(m.value AS FLOAT), m.unit, m.qualifier, m.indicator FROM metrics m "
                  "JOIN documents d ON d.id = m.document_id ORDER BY 1, 2, 3, 4")
    assert query(sqlite_url, metric_sql) == query(postgres_url, metric_sql)
    assert counts(sqlite_url) == counts(postgres_url)


def test_downgrade_to_base_then_run_again(db_url, seeds_copy, etl_bin):
    first = run_etl(etl_bin, "run", str(seeds_copy), "--db", db_url, "--workers", "1")
    assert first.returncode == 0, first.stderr
    down = run_etl(etl_bin, "db", "downgrade", "base", "--yes", "--db", db_url)
    assert down.returncode == 0, down.stderr
    current = run_etl(etl_bin, "db", "current", "--db", db_url)
    assert "current base" in current.stdout
    again = run_etl(etl_bin, "run", str(seeds_copy), "--db", db_url, "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert "new 5" in again.stdout
    assert counts(db_url)["documents"] == 5


def test_cli_summary_and_exit_codes(sqlite_url, seeds_copy, etl_bin, tmp_path):
    ok = run_etl(etl_bin, "run", str(seeds_copy), "--db", sqlite_url)
    assert ok.returncode == 0, ok.stderr
    assert "seen 5: new 5" in ok.stdout and "documents 5" in ok.stdout
    (seeds_copy / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    partial = run_etl(etl_bin, "run", str(seeds_copy), "--db", sqlite_url, "--json")
    assert partial.returncode == 3
    summary = json.loads(partial.stdout)
    assert summary["files_failed"] == 1 and summary["files_unchanged"] == 5
    usage = run_etl(etl_bin, "run", "--workers", "zero")
    assert usage.returncode == 2
    (tmp_path / "a-file").write_text("not a folder")
    broken_db = run_etl(etl_bin, "run", str(seeds_copy), "--db", f"sqlite:///{tmp_path}/a-file/x.db")
    assert broken_db.returncode == 1 and "etl run failed" in broken_db.stderr
    no_server = run_etl(etl_bin, "run", str(seeds_copy), "--db", "postgresql://me:s3cret@127.0.0.1:1/x")
    assert no_server.returncode == 1 and "etl run failed" in no_server.stderr
    assert "s3cret" not in no_server.stderr + no_server.stdout


def test_default_database_and_env_var(seeds_copy, etl_bin, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ETL_DATABASE_URL"}
    result = run_etl(etl_bin, "run", str(seeds_copy), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "etl.db").exists()
    other = tmp_path / "other.db"
    result = run_etl(etl_bin, "run", str(seeds_copy), cwd=tmp_path, env={"ETL_DATABASE_URL": f"sqlite:///{other}"})
    assert result.returncode == 0 and other.exists()


def test_show_prints_dates_and_titles(sqlite_url, seeds_copy, etl_bin):
    run([str(seeds_copy)], sqlite_url, workers=1)
    shown = run_etl(etl_bin, "show", "--db", sqlite_url)
    assert shown.returncode == 0, shown.stderr
    assert "2021-12-08" in shown.stdout and "国家医保局：累计追回医保基金约506亿元" in shown.stdout
    assert "funds_recovered" in shown.stdout


def test_inspect_prints_json_without_a_database(etl_bin, tmp_path, seeds_copy):
    result = run_etl(etl_bin, "inspect", str(seeds_copy / SEED_NAMES[3]), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["extracted"]["doc_number"] == "云医保发〔2022〕6号"
    assert record["content_sha256"] and isinstance(record["metrics"], list)
    assert not list(tmp_path.glob("*.db"))
