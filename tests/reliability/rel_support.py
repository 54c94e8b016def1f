"""Helpers shared by the reliability tests: running `etl`, checking that no document is half-loaded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from etl.load.schema import document_agencies, documents, etl_runs, failed_files, metrics

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
LAWS = REPO.parent / "shared" / "corpus" / "laws"


def etl_command() -> list[str]:
    """The installed `etl` console script of this venv (or `python -m etl.cli`)."""
    exe = Path(sys.executable).with_name("etl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "etl"]


def run_etl(*args: str, cwd: Path | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `etl ARGS` as a user would and capture its output."""
    return subprocess.run([*etl_command(), *args], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def sample_files(source: Path, target: Path, count: int, suffix: str = ".md") -> list[Path]:
    """Copy the first `count` files (in path order) from a tree, keeping their relative paths."""
    picked = sorted(p for p in source.rglob(f"*{suffix}") if p.is_file())[:count]
    copied = []
    for path in picked:
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        copied.append(dest)
    return copied


def expected_counts(files: list[Path]) -> dict[str, tuple[int, int]]:
    """What the transform gives for each file: absolute path -> (metric rows, agency-link rows).

    Files the transform refuses are left out (they are never documents). Agency links are keyed by
    (document, agency, role), as the loader writes them.
    """
    from etl.api import inspect_file
    from etl.records import StageError

    found: dict[str, tuple[int, int]] = {}
    for path in files:
        try:
            record = inspect_file(str(path))
        except StageError:
            continue
        links = {(a.name, a.role) for a in record.agencies}
        found[os.path.realpath(path)] = (len(record.metrics), len(links))
    return found


def stored_counts(engine: Engine) -> dict[str, tuple[int, int]]:
    """What the database holds for each active document: file path -> (metric rows, agency-link rows)."""
    with engine.connect() as conn:
        docs = dict(conn.execute(select(documents.c.id, documents.c.file_path)
                                 .where(documents.c.status == "active")).all())
        per_metric = Counter(dict(conn.execute(
            select(metrics.c.document_id, func.count()).group_by(metrics.c.document_id)).all()))
        per_link = Counter(dict(conn.execute(
            select(document_agencies.c.document_id, func.count()).group_by(document_agencies.c.document_id)).all()))
    return {path: (per_metric[id_], per_link[id_]) for id_, path in docs.items()}


def half_loaded(db_url: str, expected: dict[str, tuple[int, int]]) -> list[str]:
    """Documents whose stored metric or agency-link count differs from the transform's: must be empty."""
    engine = create_engine(db_url)
    try:
        stored = stored_counts(engine)
    finally:
        engine.dispose()
    return [f"{path}: stored {got}, transform gives {expected.get(path)}"
            for path, got in sorted(stored.items()) if path in expected and expected[path] != got]


def duplicate_rows(db_url: str) -> dict[str, int]:
    """Rows that would be duplicates after concurrent runs: documents per path, links per key."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            dup_docs = conn.execute(
                select(func.count()).select_from(
                    select(documents.c.file_path).group_by(documents.c.file_path)
                    .having(func.count() > 1).subquery())).scalar_one()
            dup_links = conn.execute(
                select(func.count()).select_from(
                    select(document_agencies.c.document_id, document_agencies.c.agency_id, document_agencies.c.role)
                    .group_by(document_agencies.c.document_id, document_agencies.c.agency_id,
                              document_agencies.c.role)
                    .having(func.count() > 1).subquery())).scalar_one()
    finally:
        engine.dispose()
    return {"documents": dup_docs, "document_agencies": dup_links}


def run_statuses(db_url: str) -> list[str]:
    """The status of every etl_runs row, oldest first."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(etl_runs.c.status).order_by(etl_runs.c.id)).scalars())
    finally:
        engine.dispose()


def failures_by_path(db_url: str) -> dict[str, tuple[str, str]]:
    """The newest failed_files row per source path: source_path -> (stage, reason)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(failed_files.c.source_path, failed_files.c.stage, failed_files.c.reason)
                                .order_by(failed_files.c.id)).all()
    finally:
        engine.dispose()
    return {path: (stage, reason) for path, stage, reason in rows}


def active_paths(db_url: str) -> set[str]:
    """source_path of every active document."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(select(documents.c.source_path).where(documents.c.status == "active")).scalars())
    finally:
        engine.dispose()


def wait_until_running(db_url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Until the run has taken the writer lock (its etl_runs row says running), so a fault lands in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        try:
            if "running" in run_statuses(db_url):
                return
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            pass
        time.sleep(0.05)
    pytest.fail("the run never started")


def wait_for_fault_point(path: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Until the run stands at its fault point (it wrote PATH.reached, etl.load.faults): a condition, not
    a delay."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the run ended before its fault point: {proc.communicate()}"
        assert time.monotonic() < deadline, "the run never reached its fault point"
        time.sleep(0.02)
