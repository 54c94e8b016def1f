"""The rows and ids a run writes do not depend on how its outcomes are grouped into write transactions.

Why: a pool's last outcomes are written as they arrive (see etl.pipeline), so the grouping follows the timing
of the workers. A table whose ids depended on it would differ from one run to the next and between
`--workers 1` and `--workers 2`. Agency aliases did: each write inserted its own aliases sorted, and on
PostgreSQL every alias skipped as already there spends a sequence value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from etl.load import migrate
from etl.load.duplicates import link_duplicates
from etl.load.loader import Loader
from etl.load.pending import done as steps_done
from etl.load.runs import start_run, sync_vocabulary
from etl.records import FileRef, Task, Transformed
from etl.version import extractor_version
from etl.work import process
from tests.helpers import snapshot

REPO = Path(__file__).resolve().parents[2]
NEWS = REPO.parent / "shared" / "corpus" / "news"


@pytest.fixture(scope="module")
def outcomes() -> list:
    files = sorted(p for folder in (REPO / "seeds", NEWS) for p in folder.rglob("*") if p.is_file())
    done = []
    for path in files:
        stat = path.stat()
        done.append(process(Task(FileRef(str(path), path.name, stat.st_size, stat.st_mtime_ns), None, None, False),
                            None))
    mentions = [(m.name, alias) for o in done if isinstance(o, Transformed) for m in o.record.agencies
                for alias in m.aliases]
    assert len(mentions) > len(set(mentions)) > 50, "the same aliases must recur across documents"
    return done


def _write(url: str, groups: list[list]) -> dict:
    engine = create_engine(url)
    try:
        migrate.upgrade_to_head(engine)
        sync_vocabulary(engine)
        loader = Loader(engine, start_run(engine, ["corpus"], extractor_version()))
        for group in groups:
            loader.write(group)
        link_duplicates(engine)
        steps_done(engine)  # as the run does once the steps after the load are over
    finally:
        engine.dispose()
    return snapshot(url)


def _groupings(outcomes: list) -> dict[str, list[list]]:
    return {
        "one write": [outcomes],
        "a write each": [[o] for o in outcomes],
        "writes of 7": [outcomes[i:i + 7] for i in range(0, len(outcomes), 7)],
        "uneven": [outcomes[:3], outcomes[3:40], outcomes[40:41], outcomes[41:]],
    }


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_grouping_changes_no_row_and_no_id(backend: str, outcomes: list, tmp_path: Path, request) -> None:
    snapshots = {}
    for name, groups in _groupings(outcomes).items():
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / (name.replace(' ', '_') + '.db')}"
        else:
            url = request.getfixturevalue("postgres_url")
            with create_engine(url).begin() as conn:  # one database per test: start each grouping empty
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        snapshots[name] = _write(url, groups)
    first, *others = snapshots
    assert snapshots[first]["agency_aliases"], "aliases must be part of what is compared"
    for name in others:
        for table, rows in snapshots[first].items():
            assert snapshots[name][table] == rows, f"{table} differs between '{first}' and '{name}'"
