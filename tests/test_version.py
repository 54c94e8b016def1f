"""The extractor version follows what changes the output (code, rule tables), never comments or docstrings:
a comment edit must not re-transform every user's corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import etl
from etl.version import compute_version, extractor_version

PACKAGE = Path(etl.__file__).resolve().parent


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "etl"
    for part in ("extract", "transform", "rules"):
        shutil.copytree(PACKAGE / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("records.py", "constants.py", "load/clean.py"):
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PACKAGE / name, copy / name)
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_comments_and_docstrings_do_not_change_the_version(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    before = compute_version(copy)
    metrics = copy / "transform" / "metrics.py"
    _edit(metrics, "from __future__ import annotations\n", "from __future__ import annotations\n# a new comment\n")
    _edit(metrics, '"""', '"""A docstring reworded. ')
    (copy / "rules" / "README.md").write_text("reworded\n", encoding="utf-8")
    assert compute_version(copy) == before


def test_code_and_rule_tables_change_the_version(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    before = compute_version(copy)
    _edit(copy / "constants.py", "DUPLICATE_MAX_DISTANCE = 6", "DUPLICATE_MAX_DISTANCE = 7")
    after_code = compute_version(copy)
    assert after_code != before
    with (copy / "rules" / "weak_cues.csv").open("a", encoding="utf-8") as fh:
        fh.write("虚构\n")
    assert compute_version(copy) not in (before, after_code)


def test_the_cached_version_is_the_computed_one(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    copy = _copy(tmp_path)
    assert extractor_version(copy) == compute_version(copy)
    assert (copy / "__pycache__" / "extractor-version.json").is_file()
    extractor_version.cache_clear()
    assert extractor_version(copy) == compute_version(copy)  # read back from the file
    _edit(copy / "constants.py", "DUPLICATE_MAX_DISTANCE = 6", "DUPLICATE_MAX_DISTANCE = 5")
    extractor_version.cache_clear()
    assert extractor_version(copy) == compute_version(copy)  # the file's key no longer fits: recomputed
    extractor_version.cache_clear()
