"""insert_with_ids: the documents' ids drawn before a bulk insert are the ones the database stores, in order,
after ids already taken, and an insert that fails leaves neither rows nor a gap SQLite would see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from etl.load.bulk import insert_with_ids
from etl.load.schema import documents


def _rows(run_id: int, names: list[str]) -> list[dict]:
    return [{"file_path": f"/x/{n}", "source_path": n, "content_sha256": "0" * 64, "size_bytes": 1, "format": "text",
             "encoding": "utf-8", "title": n, "body_text": f"body {n}", "on_topic": False, "extractor_version": "t",
             "status": "active", "first_run_id": run_id, "run_id": run_id} for n in names]


def test_ids_are_the_stored_ones_in_order(loader):
    engine, run_id = loader.engine, loader.run_id
    with engine.begin() as conn:
        first = insert_with_ids(conn, documents, _rows(run_id, ["a", "b", "c"]))
        few = insert_with_ids(conn, documents, _rows(run_id, ["d"]))  # below the bulk threshold
        many = insert_with_ids(conn, documents, _rows(run_id, [f"m{i}" for i in range(40)]))
        assert insert_with_ids(conn, documents, []) == []
    ids = first + few + many
    assert ids == sorted(ids) and len(set(ids)) == 44
    with engine.connect() as conn:
        stored = dict(conn.execute(select(documents.c.source_path, documents.c.id)).all())
    assert [stored[n] for n in ["a", "b", "c", "d"] + [f"m{i}" for i in range(40)]] == ids
    with pytest.raises(RuntimeError), engine.begin() as conn:
        insert_with_ids(conn, documents, _rows(run_id, ["lost"]))
        raise RuntimeError("the batch fails")
    with engine.begin() as conn:
        [after] = insert_with_ids(conn, documents, _rows(run_id, ["after"]))
    assert after > ids[-1]
