"""Files turned away as not documents are remembered, so a re-run passes over them by stat, not by reading.

The checks count the files the work function actually reads (workers=1 runs them in this process).
"""

from __future__ import annotations

import os

import pytest

from etl import work
from etl.api import run
from tests.helpers import query

SECTION_PAGE = "---\nbookCollapseSection: true\nweight: 3\n---\n"
A_DOCUMENT = "---\ntitle: 医保基金专项检查通报\ndate: 2023-05-06 10:00:00\n---\n市医保局追回医保基金120万元。\n"


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Paths read by the work function during the test."""
    seen: list[str] = []
    real = work.read_file

    def counting(path, max_bytes):
        seen.append(os.path.basename(path))
        return real(path, max_bytes)

    monkeypatch.setattr(work, "read_file", counting)
    return seen


def test_a_section_page_is_read_once_then_passed_over(db_url, seeds_copy, reads):
    page = seeds_copy / "news" / "_index.md"
    page.parent.mkdir()
    page.write_text(SECTION_PAGE, encoding="utf-8")

    first = run([str(seeds_copy)], db_url, workers=1)
    assert (first.files_seen, first.files_skipped, first.files_new) == (5, 1, 5)
    assert query(db_url, "SELECT source_path, run_id FROM skipped_files") == [("news/_index.md", first.run_id)]

    reads.clear()
    again = run([str(seeds_copy)], db_url, workers=1)
    assert reads == []  # nothing read: five unchanged documents and one known section page
    assert (again.files_seen, again.files_skipped, again.files_unchanged, again.files_failed) == (5, 1, 5, 0)

    # the page becomes a document: read again, loaded, and no longer listed as skipped
    page.write_text(A_DOCUMENT, encoding="utf-8")
    changed = run([str(seeds_copy)], db_url, workers=1)
    assert reads == ["_index.md"]
    assert (changed.files_new, changed.files_skipped) == (1, 0)
    assert query(db_url, "SELECT COUNT(*) FROM skipped_files") == [(0,)]


def test_reprocess_and_a_new_extractor_version_read_section_pages_again(sqlite_url, seeds_copy, reads, monkeypatch):
    (seeds_copy / "_index.md").write_text(SECTION_PAGE, encoding="utf-8")
    run([str(seeds_copy)], sqlite_url, workers=1)
    reads.clear()
    run([str(seeds_copy)], sqlite_url, workers=1, reprocess=True)
    assert "_index.md" in reads

    reads.clear()
    import etl.pipeline

    monkeypatch.setattr(etl.pipeline, "extractor_version", lambda: "a-newer-extractor")
    summary = run([str(seeds_copy)], sqlite_url, workers=1)
    assert "_index.md" in reads and summary.files_skipped == 1
    assert query(sqlite_url, "SELECT extractor_version FROM skipped_files") == [("a-newer-extractor",)]


def test_a_section_page_that_goes_is_forgotten(db_url, seeds_copy):
    page = seeds_copy / "_index.md"
    page.write_text(SECTION_PAGE, encoding="utf-8")
    run([str(seeds_copy)], db_url, workers=1)
    page.unlink()
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.files_skipped == 0 and summary.files_removed == 0
    assert query(db_url, "SELECT COUNT(*) FROM skipped_files") == [(0,)]


def test_only_paths_that_had_a_row_are_deleted(sqlite_url, seeds_copy, monkeypatch):
    """A first load deletes nothing from skipped_files (it used to send one DELETE per batch for every file it
    read); a page turned away again is deleted and recorded anew."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    deletes: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE FROM SKIPPED_FILES"):
            deletes.append(statement)

    event.listen(Engine, "before_cursor_execute", spy)
    try:
        (seeds_copy / "_index.md").write_text(SECTION_PAGE, encoding="utf-8")
        assert run([str(seeds_copy)], sqlite_url, workers=1).files_skipped == 1
        assert deletes == []
        run([str(seeds_copy)], sqlite_url, workers=1, reprocess=True)
        assert len(deletes) == 1
    finally:
        event.remove(Engine, "before_cursor_execute", spy)
    assert query(sqlite_url, "SELECT COUNT(*) FROM skipped_files") == [(1,)]
