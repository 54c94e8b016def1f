"""`etl search` takes several words, all of which must occur, on both databases, with the search index on
and off, also words of one and two characters (which the trigram index cannot answer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.api import search_index
from etl.load.db import make_engine
from etl.pipeline import RunOptions, run
from etl.reporting.search import search, words_of
from tests.helpers import run_etl

# Three short notices written for this test: which words each holds is the point, not what they say.
DOCUMENTS = {
    "both.md": ("某市医保局通报骗保案件", "某市医疗保障局通报：查处骗保案件12起，追回医保基金30万元，处罚定点医药机构5家。"),
    "fund_only.md": ("某县医保基金监管工作", "某县医疗保障局加强医保基金监管，检查定点医药机构20家，约谈负责人。"),
    "fraud_only.md": ("某区打击骗保专项行动", "某区公安分局破获骗保团伙一个，抓获犯罪嫌疑人8名。"),
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    for name, (title, body) in DOCUMENTS.items():
        (folder / name).write_text(f"---\ntitle: {title}\ndate: 2024-05-06\n---\n\n{body}\n", encoding="utf-8")
    return folder


def _titles(hits) -> set[str]:
    return {h.title for h in hits}


def _expected(*words: str) -> set[str]:
    return {title for title, body in DOCUMENTS.values() if all(w in title + body for w in words)}


QUERIES = [
    ("骗保 医保基金",), ("骗保", "医保基金"), ("医保基金",), ("骗保",), ("保",), ("医保 基金 监管",),
    ("追回医保基金 骗保",), ("犯罪嫌疑人 骗保 团伙",), ("医保基金 团伙",), ("医保", "不存在的词"),
]


@pytest.mark.parametrize("index", ["off", "on"])
def test_every_word_must_match(db_url, tmp_path, etl_bin, index):
    run([str(_write(tmp_path / "docs"))], db_url, RunOptions(workers=1))
    if index == "on":
        assert search_index(True, db_url)
    engine = make_engine(db_url)
    try:
        for query in QUERIES:
            words = words_of(query)
            assert _titles(search(engine, query)) == _expected(*words), query
            assert _expected(*words) or not search(engine, query)  # a word nobody wrote: no hit at all
        assert _titles(search(engine, "骗保 医保基金")) == _expected("骗保", "医保基金") != set()
        both = search(engine, ["追回医保基金", "骗保"])
        assert [h.title for h in both] == ["某市医保局通报骗保案件"]
    finally:
        engine.dispose()
    if index == "off":  # the command: words as arguments or in one, the same search
        found = []
        for args in (["骗保", "医保基金"], ["骗保 医保基金"]):
            result = run_etl(etl_bin, "search", *args, "--format", "json", "--db", db_url, cwd=tmp_path)
            assert result.returncode == 0, result.stderr
            found.append({row["title"] for row in json.loads(result.stdout)})
        assert found[0] == found[1] == _expected("骗保", "医保基金") != set()
