"""The search index behind fts_documents on both databases, on and off, as loads and searches use it.

On or off, fts_documents follows a load, a changed file, a removed file and a deleted row, and `etl search`
and the search report find the same documents. `etl search-index enable` builds exactly the index the
migrations built (0004), `disable` gives back exactly the view 0006 makes in a new database, and the index
follows loads either way it was made. 0003 -> 0004 rebuilds it over documents already loaded (even an index
that had fallen out of step); 0004 -> 0003 gives back exactly 0002's index, in sync. On SQLite the index reads
its text from documents (external content), so comparing the rows is not enough there: MATCH must find the
words and FTS5's own integrity-check must pass.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.api import run
from etl.load import migrate
from etl.load.db import make_engine
from etl.load.search_index import (
    FTS_COLUMNS,
    FTS_DESCRIPTION,
    SearchIndex,
    search_index_state,
    switch_search_index,
)
from etl.reporting.checks import run_checks
from etl.reporting.datasette import available
from etl.reporting.search import search
from tests.reporting.conftest import run_cli
from tests.reporting.datasette_support import get_json, served

CHANGED, REMOVED = "001_7db6cd0223bc0828.txt", "003_23e258d63c87803a.txt"
OLD_WORD, NEW_WORD = "天坛医院", "麒麟测试馆"  # OLD_WORD is only in CHANGED, which the test rewrites
REMOVED_WORD = "云阳县"  # only in REMOVED


def _rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _doc_id(engine: Engine, source_path: str) -> int:
    return _rows(engine, "SELECT id FROM documents WHERE source_path = :p", p=source_path)[0][0]


def _documents(engine: Engine) -> list[tuple]:
    return _rows(engine, "SELECT id, title, body_text FROM documents ORDER BY id")


def _index(engine: Engine) -> list[tuple]:
    return _rows(engine, "SELECT document_id, title, body_text FROM fts_documents ORDER BY document_id")


def _state(engine: Engine) -> SearchIndex:
    with engine.connect() as conn:
        return search_index_state(conn)


def _match(engine: Engine, word: str) -> set[int]:
    """Ids fts_documents answers for word (any status): FTS5 MATCH on SQLite's index, else LIKE."""
    if engine.dialect.name == "sqlite" and _state(engine) is SearchIndex.ON:
        sql = "SELECT rowid FROM fts_documents WHERE fts_documents MATCH :q"
        return {r[0] for r in _rows(engine, sql, q='"' + word.replace('"', '""') + '"')}
    sql = "SELECT document_id FROM fts_documents WHERE title LIKE :p OR body_text LIKE :p"
    return {r[0] for r in _rows(engine, sql, p=f"%{word}%")}


def _integrity_check(engine: Engine) -> None:
    """FTS5 compares its index with the text it indexes (rank 1: with the content table too); raises if not."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO fts_documents (fts_documents, rank) VALUES ('integrity-check', 1)"))


def assert_in_sync(engine: Engine) -> None:
    docs = _documents(engine)
    assert docs and _index(engine) == docs
    if engine.dialect.name == "sqlite" and _state(engine) is SearchIndex.ON:
        _integrity_check(engine)
    for id_, title, _ in docs:  # the index, not only the rows, knows every document
        if title and len(title) >= 3:
            assert id_ in _match(engine, title), title
    [check] = run_checks(engine, only=["fts_documents_in_sync"])
    assert check.passed


def _cli_search(etl_bin: list[str], url: str, word: str) -> list[int]:
    result = run_cli(etl_bin, "search", word, "--format", "json", "--db", url)
    assert result.returncode == 0, result.stderr
    return [h["document_id"] for h in json.loads(result.stdout)]


@pytest.mark.parametrize("index", ["on", "off", "on after load"])
def test_search_follows_loads_changed_and_removed_files(db_url, seeds_copy: Path, etl_bin, index: str):
    if index == "on":
        enabled = run_cli(etl_bin, "search-index", "enable", "--db", db_url)
        assert enabled.returncode == 0 and "now on" in enabled.stdout, enabled.stderr
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert summary.status == "succeeded" and summary.documents == 5
    engine = make_engine(db_url)
    if index == "on after load":
        assert switch_search_index(engine, True)
    assert _state(engine) is (SearchIndex.OFF if index == "off" else SearchIndex.ON)
    changed, removed = _doc_id(engine, CHANGED), _doc_id(engine, REMOVED)
    assert_in_sync(engine)
    assert _match(engine, OLD_WORD) == {changed} and _match(engine, NEW_WORD) == set()
    assert _match(engine, REMOVED_WORD) == {removed}

    target = seeds_copy / CHANGED
    target.write_text(target.read_text(encoding="utf-8").replace(OLD_WORD, NEW_WORD), encoding="utf-8")
    (seeds_copy / REMOVED).unlink()
    summary = run([str(seeds_copy)], db_url, workers=1)
    assert (summary.files_changed, summary.files_removed, summary.files_unchanged) == (1, 1, 3)
    assert_in_sync(engine)
    assert _match(engine, NEW_WORD) == {changed} and _match(engine, OLD_WORD) == set()
    assert _match(engine, REMOVED_WORD) == {removed}  # the row stays, marked removed, and so does its entry

    assert _cli_search(etl_bin, db_url, NEW_WORD) == [changed]
    assert _cli_search(etl_bin, db_url, OLD_WORD) == []
    assert _cli_search(etl_bin, db_url, REMOVED_WORD) == []  # search shows active documents only
    assert [h.document_id for h in search(engine, NEW_WORD)] == [changed]
    report = run_cli(etl_bin, "report", "search_documents", "--param", f"q={NEW_WORD}", "--format", "json",
                     "--db", db_url)
    assert report.returncode == 0, report.stderr
    assert [r["document_id"] for r in json.loads(report.stdout)] == [changed]

    with engine.begin() as conn:  # nothing in the pipeline deletes documents; a user may
        conn.execute(text("DELETE FROM documents WHERE id = :d"), {"d": removed})
    assert_in_sync(engine)
    assert _match(engine, REMOVED_WORD) == set()
    engine.dispose()


def _index_objects(engine: Engine) -> dict[str, list[tuple]]:
    """Every database object that makes up the search index, as the catalog describes it."""
    if engine.dialect.name == "sqlite":
        return {"sync": _rows(engine, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                                      "WHERE name LIKE 'fts%' OR type = 'trigger' ORDER BY type, name")}
    return {
        "sync": _rows(engine, "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                              "WHERE tgrelid = CAST('documents' AS regclass) AND NOT tgisinternal ORDER BY tgname")
        + _rows(engine, "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE proname LIKE 'fts%' "
                        "ORDER BY proname"),
        "table": _rows(engine, "SELECT relname, relkind FROM pg_class WHERE relname LIKE 'fts%' ORDER BY relname")
        + _rows(engine, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'fts_documents' "
                        "ORDER BY indexname")
        + _rows(engine, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = CAST('fts_documents' AS regclass) ORDER BY conname")
        + _rows(engine, "SELECT attname, format_type(atttypid, atttypmod), attnotnull, "
                        "col_description(attrelid, attnum) FROM pg_attribute "
                        "WHERE attrelid = CAST('fts_documents' AS regclass) AND attnum > 0 ORDER BY attnum")
        + _rows(engine, "SELECT 'comment', obj_description(CAST('fts_documents' AS regclass), 'pg_class')"),
    }


def _stale_behind_the_triggers_back(engine: Engine, id_: int, body: str) -> None:
    """Change a body with the 0002 sync switched off, as a hand edit around the triggers would."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER fts_documents_au"))  # 0004's upgrade replaces every trigger
            conn.execute(text("UPDATE documents SET body_text = :b WHERE id = :d"), {"b": body, "d": id_})
        else:
            conn.execute(text("ALTER TABLE documents DISABLE TRIGGER fts_documents_sync"))
            conn.execute(text("UPDATE documents SET body_text = :b WHERE id = :d"), {"b": body, "d": id_})
            conn.execute(text("ALTER TABLE documents ENABLE TRIGGER fts_documents_sync"))


def test_downgrade_gives_back_0002_index_and_upgrade_rebuilds_over_loaded_documents(db_url, seeds_copy: Path):
    engine = make_engine(db_url)
    migrate.upgrade(engine, "0003")
    as_0002 = _index_objects(engine)
    migrate.upgrade(engine, "0005")
    as_0004 = _index_objects(engine)
    assert as_0004["sync"] != as_0002["sync"]
    if engine.dialect.name == "postgresql":  # table, GIN indexes and comments stay as 0002 made them
        assert as_0004["table"] == as_0002["table"]
        assert ("comment", FTS_DESCRIPTION) in as_0004["table"]
        assert {r[0]: r[3] for r in as_0004["table"] if len(r) == 4} == FTS_COLUMNS
    else:
        assert _rows(engine, "SELECT * FROM fts_documents") == []
        assert [r[1] for r in _rows(engine, "PRAGMA table_info(fts_documents)")] == list(FTS_COLUMNS)

    assert run([str(seeds_copy)], db_url, workers=1).status == "succeeded"
    changed = _doc_id(engine, CHANGED)
    migrate.downgrade(engine, "0003")
    assert _index_objects(engine) == as_0002
    assert_in_sync(engine)
    assert _match(engine, OLD_WORD) == {changed}

    body = _rows(engine, "SELECT body_text FROM documents WHERE id = :d", d=changed)[0][0]
    _stale_behind_the_triggers_back(engine, changed, body.replace(OLD_WORD, NEW_WORD))
    assert _index(engine) != _documents(engine) and _match(engine, NEW_WORD) == set()

    migrate.upgrade(engine, "head")  # 0006 keeps the index of a database that holds documents
    assert _index_objects(engine) == as_0004
    assert_in_sync(engine)
    assert _match(engine, NEW_WORD) == {changed} and _match(engine, OLD_WORD) == set()
    engine.dispose()


def test_new_database_has_no_index_and_enable_builds_what_the_migrations_built(db_url, seeds_copy: Path):
    engine = make_engine(db_url)
    migrate.upgrade(engine, "0005")
    as_0005 = _index_objects(engine)
    migrate.upgrade(engine, "head")  # empty: 0006 turns the index into the view
    assert _state(engine) is SearchIndex.OFF
    as_off = _index_objects(engine)
    assert as_off != as_0005
    assert run([str(seeds_copy)], db_url, workers=1).status == "succeeded"
    assert_in_sync(engine)

    assert switch_search_index(engine, True) and not switch_search_index(engine, True)
    assert _index_objects(engine) == as_0005
    assert_in_sync(engine)
    assert switch_search_index(engine, False) and not switch_search_index(engine, False)
    assert _index_objects(engine) == as_off
    assert_in_sync(engine)

    migrate.downgrade(engine, "0005")  # 0005's schema has the index: the downgrade builds it
    assert _index_objects(engine) == as_0005
    assert_in_sync(engine)
    engine.dispose()


def test_postgres_update_trigger_writes_only_rows_whose_text_changed(postgres_url, seeds_copy: Path):
    """Bookkeeping updates (duplicate links, status, stat refreshes) must not even call the sync function, and a
    re-run that writes the same text must not rewrite the index."""
    assert run([str(seeds_copy)], postgres_url, workers=1).status == "succeeded"
    engine = make_engine(postgres_url)
    assert switch_search_index(engine, True)
    changed = _doc_id(engine, CHANGED)
    written = ("SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
               "WHERE relname = 'fts_documents'")
    calls = ("SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions "
             "WHERE funcname LIKE 'fts_documents_sync%'")
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL track_functions = 'pl'"))
        conn.execute(text("UPDATE documents SET file_mtime_ns = file_mtime_ns, status = status, "
                          "duplicate_of_id = duplicate_of_id"))
        assert conn.execute(text(calls)).scalar() == 0
        conn.execute(text("UPDATE documents SET title = title, body_text = body_text"))
        assert conn.execute(text(written)).scalar() == 0
        conn.execute(text("UPDATE documents SET body_text = body_text || :w WHERE id = :d"), {"w": NEW_WORD, "d": changed})
        assert conn.execute(text(written)).scalar() == 1
        assert conn.execute(text(calls)).scalar() == 1
    assert_in_sync(engine)
    assert _match(engine, NEW_WORD) == {changed}
    engine.dispose()


def test_head_read_from_the_files_follows_0004():
    """`etl run` skips Alembic when the database is at the head it reads from the files: that head must be
    Alembic's, and 0004 in its history."""
    from alembic.script import ScriptDirectory

    head = migrate._head_from_files()
    assert head is not None and head == migrate.head_revision()
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert "0004" in {r.revision for r in script.walk_revisions("base", head)}
    assert script.get_revision("0004").down_revision == "0003"


def test_datasette_searches_documents_through_the_index(sqlite_url, seeds_copy: Path, tmp_path: Path):
    """With the index on, datasette.py points documents at fts_documents (fts_table, fts_pk id): ?_search goes
    through MATCH."""
    if not available():
        pytest.skip("datasette is not installed (optional extra: pip install 'yibao-etl[datasette]')")
    assert run([str(seeds_copy)], sqlite_url, workers=1).status == "succeeded"
    engine = make_engine(sqlite_url)
    yunyang = _doc_id(engine, REMOVED)
    assert switch_search_index(engine, True)
    engine.dispose()
    with served(sqlite_url, tmp_path) as base:
        query = urllib.parse.quote(f'"{REMOVED_WORD}"')
        rows = get_json(f"{base}/documents.json?_shape=array&_search={query}", time.monotonic() + 60)
        assert [r["id"] for r in rows] == [yunyang]
        index = get_json(f"{base}/fts_documents.json?_shape=array&_size=max", time.monotonic() + 10)
        assert [(r["document_id"], r["title"]) for r in index if r["document_id"] == yunyang] == \
            [(yunyang, rows[0]["title"])]
        assert len(index) == 5


def test_switching_waits_for_a_run_that_is_writing(sqlite_url, seeds_copy: Path, etl_bin):
    """enable/disable take the writer lock of `etl run`: with a run writing they stop with exit 4, not block."""
    from etl.load.lock import writer_lock

    assert run([str(seeds_copy)], sqlite_url, workers=1).status == "succeeded"
    engine = make_engine(sqlite_url)
    with writer_lock(engine):
        busy = run_cli(etl_bin, "search-index", "enable", "--db", sqlite_url)
    assert busy.returncode == 4 and "--wait" in busy.stderr
    assert _state(engine) is SearchIndex.OFF
    done = run_cli(etl_bin, "search-index", "enable", "--db", sqlite_url)
    assert done.returncode == 0 and _state(engine) is SearchIndex.ON
    status = run_cli(etl_bin, "search-index", "--db", sqlite_url)
    assert status.returncode == 0 and status.stdout.startswith("search index: on")
    engine.dispose()


def test_etl_check_runs_fts5_integrity_check_when_the_index_is_on(db_url, seeds_copy: Path):
    """On SQLite the index reads its text from documents, so only FTS5 can tell it is stale: `etl check` runs
    FTS5's integrity-check when the index is on, and reports a body changed behind the triggers' back."""
    assert run([str(seeds_copy)], db_url, workers=1).status == "succeeded"
    engine = make_engine(db_url)
    assert "fts5_integrity" not in {o.check.name for o in run_checks(engine)}  # index off: nothing to check
    assert switch_search_index(engine, True)
    outcomes = {o.check.name: o for o in run_checks(engine)}
    if engine.dialect.name != "sqlite":
        assert "fts5_integrity" not in outcomes  # PostgreSQL: fts_documents_in_sync compares real rows
        engine.dispose()
        return
    assert outcomes["fts5_integrity"].passed and all(o.passed for o in outcomes.values())
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER fts_documents_au"))
        conn.execute(text("UPDATE documents SET body_text = body_text || :w WHERE id = 1"), {"w": NEW_WORD})
    [stale] = run_checks(engine, only=["fts5_integrity"])
    assert not stale.passed and stale.result.rows
    assert switch_search_index(engine, False) and switch_search_index(engine, True)  # the documented repair
    [mended] = run_checks(engine, only=["fts5_integrity"])
    assert mended.passed
    engine.dispose()
