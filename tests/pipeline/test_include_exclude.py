"""--include / --exclude match folders by name as users type them: `laws`, `laws/`, `./laws` and `laws/*` all
mean the folder laws; a name without a slash matches a folder at any depth or a file's name."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from etl.extract.files import matches_any
from etl.pipeline import RunOptions, run
from tests.helpers import run_etl

TREE = ["laws/a.md", "laws/刑法/b.md", "news/c.md", "news/laws/d.md", "lawsuit/e.md", "f.md"]


@pytest.mark.parametrize("pattern,matched", [
    ("laws", {"laws/a.md", "laws/刑法/b.md", "news/laws/d.md"}),
    ("laws/", {"laws/a.md", "laws/刑法/b.md", "news/laws/d.md"}),
    ("./laws", {"laws/a.md", "laws/刑法/b.md", "news/laws/d.md"}),
    ("laws/*", {"laws/a.md", "laws/刑法/b.md"}),
    ("laws/刑法", {"laws/刑法/b.md"}),
    ("刑法", {"laws/刑法/b.md"}),
    ("news/laws/", {"news/laws/d.md"}),
    ("law*", {"laws/a.md", "laws/刑法/b.md", "news/laws/d.md", "lawsuit/e.md"}),
    ("*.md", set(TREE)),
    ("c.md", {"news/c.md"}),
    ("f.md", {"f.md"}),
    ("aws", set()),
    ("", set()),
])
def test_patterns_as_users_type_them(pattern, matched):
    assert {rel for rel in TREE if matches_any([pattern], rel)} == matched


def _tree(root: Path) -> Path:
    for i, rel in enumerate(TREE):
        file = root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"---\ntitle: 通知{i}\ndate: 2024-0{i + 1}-01\n---\n\n某县医疗保障局通知第{i}号。\n", encoding="utf-8")
    return root


def _loaded(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        paths = set(conn.execute(text("SELECT source_path FROM documents WHERE status = 'active'")).scalars())
    engine.dispose()
    return paths


@pytest.mark.parametrize("pattern", ["laws", "laws/", "./laws", "laws/*"])
def test_exclude_a_folder(tmp_path, pattern):
    root = _tree(tmp_path / "corpus")
    url = f"sqlite:///{tmp_path / 'etl.db'}"
    summary = run([str(root)], url, RunOptions(exclude=(pattern,), workers=1))
    kept = {"news/c.md", "lawsuit/e.md", "f.md"} | ({"news/laws/d.md"} if pattern == "laws/*" else set())
    assert _loaded(url) == kept
    assert summary.files_skipped == len(TREE) - len(kept)


def test_include_a_folder_from_the_command_line(tmp_path, etl_bin):
    root = _tree(tmp_path / "corpus")
    url = f"sqlite:///{tmp_path / 'etl.db'}"
    result = run_etl(etl_bin, "run", str(root), "--include", "laws/", "--exclude", "刑法", "--db", url, "-q")
    assert result.returncode == 0, result.stderr
    assert _loaded(url) == {"laws/a.md", "news/laws/d.md"}
