"""Values a database refuses never cost more than what holds them (issue 18, cases 1, 3 and 4).

A lone surrogate escape or a NUL in front matter, and a run-on editor line longer than its column, used to
stop every run with 0 documents on one backend or both. Now the text is cleaned the same way on both
databases (NUL dropped, lone surrogate -> U+FFFD, a run-on bounded value cut to its column), and a value
the database still refuses costs only its file: the batch is written again file by file and that file is
recorded in failed_files with the reason.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from etl.extract.files import FileRef
from etl.load import migrate
from etl.load.loader import EDITOR_LENGTH, Loader
from etl.load.runs import start_run, sync_vocabulary
from etl.load.schema import documents, failed_files
from etl.version import extractor_version
from etl.work import Task, Transformed, process
from tests.reliability.conftest import GOOD_NOTICE
from tests.reliability.rel_support import failures_by_path, run_etl

EDITOR_RUN_ON = "责任编辑：" + "张三李四" * 80  # 325 characters: a page whose editor line swallowed the rest


def _notice(title: str, amount: int, extra: str = "") -> str:
    """A front-matter notice with its own title (a YAML double-quoted scalar: escapes are read) and figure."""
    return (f'---\ntitle: "{title}"\nauthor: 新浪财经\ndate: 2021-12-08 14:00:30\n---\n\n'
            f"国家医疗保障局基金监管司介绍，累计追回医保基金约{amount}亿元。{extra}\n")


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "docs"
    root.mkdir()
    (root / "good.md").write_text(GOOD_NOTICE, encoding="utf-8")
    (root / "surrogate.md").write_text(_notice("bad\\ud800 医保", 601), encoding="utf-8")
    (root / "nul.md").write_text(_notice("nul\\0 医保", 602), encoding="utf-8")
    (root / "editor.md").write_text(_notice("医保 editor", 603, "\n\n" + EDITOR_RUN_ON), encoding="utf-8")
    return root


def _stored(db_url: str) -> dict[str, tuple[str | None, str | None, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            d = documents.c
            return {path: (title, editor, body) for path, title, editor, body in
                    conn.execute(select(d.source_path, d.title, d.editor, d.body_text))}
    finally:
        engine.dispose()


def test_nul_surrogate_and_overlong_text_load_cleaned(tmp_path: Path, db_url: str) -> None:
    """Every document of the folder loads on both databases: exit 0, nothing failed, the text cleaned alike."""
    root = _folder(tmp_path)
    done = run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1")
    assert done.returncode == 0, done.stderr
    stored = _stored(db_url)
    assert set(stored) == {"good.md", "surrogate.md", "nul.md", "editor.md"}, stored.keys()
    assert stored["surrogate.md"][0] == "bad\ufffd 医保"
    assert stored["nul.md"][0] == "nul 医保"
    editor = stored["editor.md"][1]
    assert editor is not None and len(editor) == EDITOR_LENGTH and editor.startswith("张三李四")
    assert not any("\x00" in (t or "") + (e or "") + b for t, e, b in stored.values())
    assert failures_by_path(db_url) == {}
    engine = create_engine(db_url)
    try:  # the cut is said where a reader of the row sees it
        with engine.connect() as conn:
            notes = dict(conn.execute(select(documents.c.source_path, documents.c.notes)).all())
    finally:
        engine.dispose()
    assert notes["editor.md"] == f"editor cut to {EDITOR_LENGTH} characters (it had {len(EDITOR_RUN_ON) - 5})"
    assert notes["good.md"] is None


def test_inspect_shows_a_lone_surrogate_without_a_traceback(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    done = run_etl("inspect", str(root / "surrogate.md"))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "bad\ufffd 医保" in done.stdout


def _outcomes(root: Path) -> list:
    """What the workers hand the loader for each file of root, in path order."""
    found = []
    for path in sorted(root.iterdir()):
        ref = FileRef(str(path), path.name, path.stat().st_size, path.stat().st_mtime_ns)
        found.append(process(Task(ref, None, None, False), None))
    return found


def _four_notices(tmp_path: Path, amount: int) -> tuple[Path, list]:
    root = tmp_path / "docs"
    root.mkdir()
    for number in range(4):
        (root / f"doc{number}.md").write_text(_notice(f"医保 {number}", amount + number), encoding="utf-8")
    return root, _outcomes(root)


def _altered(outcome: Transformed, **changes) -> Transformed:
    """outcome with fields of its record (or, for extracted=dict, of its extracted document) replaced."""
    record = outcome.record
    if isinstance(changes.get("extracted"), dict):
        changes["extracted"] = dataclasses.replace(record.extracted, **changes["extracted"])
    return Transformed(outcome.task, dataclasses.replace(record, **changes))


def _loader(engine, root: Path) -> Loader:
    migrate.upgrade_to_head(engine)
    sync_vocabulary(engine)
    return Loader(engine, start_run(engine, [str(root)], extractor_version()))


def test_a_value_the_database_refuses_costs_only_its_file(tmp_path: Path, db_url: str) -> None:
    """A value injected past the cleaning (a lone surrogate, which both drivers refuse to encode) fails its
    file alone: the rest of the batch is written, the file is in failed_files with the reason, and the
    loader goes on to the next batch."""
    root, outcomes = _four_notices(tmp_path, 610)
    assert all(isinstance(o, Transformed) for o in outcomes)
    outcomes[2] = _altered(outcomes[2], extracted={"title": "refused \ud800"})
    engine = create_engine(db_url)
    try:
        loader = _loader(engine, root)
        counts = loader.write(outcomes)
        assert (counts.new, counts.failed) == (3, 1), counts
        (path, stage, reason), = counts.failures
        assert (path, stage) == ("doc2.md", "load") and "refused" in reason and "\ud800" not in reason
        with engine.connect() as conn:
            assert sorted(conn.execute(select(documents.c.source_path)).scalars()) == ["doc0.md", "doc1.md", "doc3.md"]
            assert conn.execute(select(failed_files.c.source_path, failed_files.c.stage)).all() == [("doc2.md", "load")]
        again = _outcomes(root)[2:3]  # the next batch (the file fixed) is written as usual
        assert loader.write(again).new == 1
    finally:
        engine.dispose()


def test_an_edit_keeping_size_and_mtime_is_read_only_with_reprocess(tmp_path: Path, db_url: str) -> None:
    """What the README does not promise, shown: the fast path trusts size and mtime, so an edit that keeps
    both (same length, mtime set back) is not read again until `--reprocess`."""
    root = tmp_path / "docs"
    root.mkdir()
    path = root / "notice.md"
    path.write_text(_notice("医保 原文", 620), encoding="utf-8")
    before = path.stat()
    assert run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1").returncode == 0
    path.write_text(_notice("医保 改文", 620), encoding="utf-8")  # same number of bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1").returncode == 0
    assert _stored(db_url)["notice.md"][0] == "医保 原文"
    assert run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1", "--reprocess").returncode == 0
    assert _stored(db_url)["notice.md"][0] == "医保 改文"


@pytest.mark.postgres
def test_postgres_refusals_in_copy_and_in_insert_cost_only_their_files(tmp_path: Path, postgres_url: str) -> None:
    """What PostgreSQL alone refuses: a publisher name beyond varchar(200) (an INSERT, through SQLAlchemy) and
    figures beyond NUMERIC(24, 6) (the metrics' COPY, straight through psycopg). Each costs its own file."""
    from decimal import Decimal

    from etl.records import SourceRef

    root, outcomes = _four_notices(tmp_path, 630)
    outcomes[1] = _altered(outcomes[1], extracted={"source": SourceRef("长" * 300, "media")})
    metric = outcomes[3].record.metrics[0]
    figures = [dataclasses.replace(metric, value=Decimal(10) ** 30)] * 8  # 8 rows: the COPY path
    outcomes[3] = _altered(outcomes[3], metrics=figures)
    engine = create_engine(postgres_url)
    try:
        loader = _loader(engine, root)
        counts = loader.write(outcomes)
        assert (counts.new, counts.failed) == (2, 2), counts
        assert sorted(path for path, _, _ in counts.failures) == ["doc1.md", "doc3.md"]
        assert all(stage == "load" and "refused" in reason for _, stage, reason in counts.failures)
        with engine.connect() as conn:
            assert sorted(conn.execute(select(documents.c.source_path)).scalars()) == ["doc0.md", "doc2.md"]
    finally:
        engine.dispose()
