"""Fixtures for the scale-out tests: an input tree of seeds plus a corpus sample, a local-run baseline on
PostgreSQL, and a whole-database snapshot that ignores only what legitimately differs between two runs.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
CORPUS = REPO.parent / "shared" / "corpus"
LAWS_SLICE = 40  # laws files in the sample: long documents, seconds of work on 2 cores
SEED_COPIES = 20  # perturbed copies of the seeds: ~100 more documents, several batches per worker

# Columns that say when or by which run a row was written: equal data, different runs.
RUN_COLUMNS = frozenset({"run_id", "first_run_id", "started_at", "finished_at", "failed_at", "removed_at",
                         "created_at", "updated_at", "loaded_at", "computed_at"})
RUN_TABLE_COLUMNS = {"etl_runs": frozenset({"id", "paths"})}

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(url: str) -> Snapshot:
    """Every table (reflected, so tables added later are compared too): its column names, then its rows in key
    order."""
    engine = create_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        out: Snapshot = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                ignored = RUN_COLUMNS | RUN_TABLE_COLUMNS.get(table.name, frozenset())
                cols = [c for c in table.columns if c.name not in ignored]
                order = list(table.primary_key.columns) or cols
                rows = conn.execute(select(*cols).order_by(*order)).all()
                out[table.name] = [tuple(c.name for c in cols), *(tuple(r) for r in rows)]  # header first
        return out
    finally:
        engine.dispose()


def assert_same_database(actual: Snapshot, expected: Snapshot) -> None:
    """Table by table, with a readable first difference instead of a multi-megabyte diff."""
    assert sorted(actual) == sorted(expected), "different tables"
    versions: set[str] = set()
    for snap in (actual, expected):
        header, *runs = snap.get("etl_runs", [("extractor_version",)])
        versions.update(run[header.index("extractor_version")] for run in runs)
    if len(versions) > 1:  # never on CI; in a working tree someone is editing while the test runs
        pytest.skip(f"the extract/transform code changed between the two runs ({sorted(versions)}): not comparable")
    for name in expected:
        got, want = actual[name], expected[name]
        assert len(got) == len(want), f"{name}: {len(got) - 1} rows, expected {len(want) - 1}"
        for index, (a, b) in enumerate(zip(got, want, strict=True)):
            assert a == b, f"{name}: row {index} differs:\n  got      {a!r}\n  expected {b!r}"


@pytest.fixture(scope="module")
def scaleout_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """seeds/, perturbed copies of them (work enough to kill a worker mid-run without the corpus), and
    news/ plus a slice of laws/ from the shared corpus when this checkout has it."""
    root = tmp_path_factory.mktemp("scaleout") / "input"
    shutil.copytree(SEEDS, root / "seeds")
    for copy in range(SEED_COPIES):
        for path in sorted(SEEDS.iterdir()):
            target = root / "copies" / f"{copy:02d}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes() + f"\n\n副本 {copy}\n".encode())  # every hash differs
    if (CORPUS / "news").is_dir():
        shutil.copytree(CORPUS / "news", root / "news")
    if (CORPUS / "laws").is_dir():
        for path in sorted(p for p in (CORPUS / "laws").rglob("*") if p.is_file())[:LAWS_SLICE]:
            target = root / "laws" / path.relative_to(CORPUS / "laws")  # nested, many share a name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return root


@pytest.fixture(scope="module")
def fresh_database(pg_admin_url: str) -> Iterator[Callable[[], str]]:
    """Make module-lived PostgreSQL databases (a baseline shared by the tests), dropped at the end."""
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    names: list[str] = []

    def make() -> str:
        name = f"etl_scaleout_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def local_baseline(scaleout_input: Path, fresh_database: Callable[[], str]) -> Snapshot:
    """The database a plain local run (one process) leaves: what every Dask run must reproduce."""
    from etl.pipeline import RunOptions, run

    url = fresh_database()
    summary = run([str(scaleout_input)], url, RunOptions(workers=1, executor="local"))
    assert summary.status in ("succeeded", "partial"), summary
    assert summary.documents > 0
    return snapshot(url)


@pytest.fixture
def snapshot_of() -> Callable[[str], Snapshot]:
    """snapshot() as a fixture, so test modules need not import from a conftest."""
    return snapshot


@pytest.fixture
def same_database() -> Callable[[Snapshot, Snapshot], None]:
    return assert_same_database
