"""Every file of the shared corpus: no crash, at most 1% failures, clean news bodies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.extract import extract_document
from etl.records import ExtractedDocument, StageError
from tests.conftest import require_shared
from tests.extract.conftest import CORPUS

require_shared(CORPUS)

NOT_DOCUMENTS = {"README.md", "MANIFEST.tsv"}  # the corpus's own notes, skipped by the pipeline's walk
FORBIDDEN_IN_NEWS = ("article_adlist", "新浪财经APP", "返回首页", "appendQr", "<", "责任编辑")


def _corpus_files() -> list[Path]:
    return sorted(Path(root) / name for root, _, names in os.walk(CORPUS) for name in names
                  if name not in NOT_DOCUMENTS)


@pytest.fixture(scope="module")
def results() -> dict[Path, ExtractedDocument | StageError]:
    out: dict[Path, ExtractedDocument | StageError] = {}
    for path in _corpus_files():
        try:
            out[path] = extract_document(path.read_bytes(), str(path.relative_to(CORPUS)))
        except StageError as error:  # anything else propagates and fails the test run
            out[path] = error
    return out


@pytest.mark.slow
def test_at_most_one_percent_fail_and_each_says_why(results) -> None:
    failures = {path: result for path, result in results.items() if isinstance(result, StageError)}
    assert len(results) >= 3500
    assert len(failures) <= len(results) // 100, sorted(str(path) for path in failures)
    assert all(error.reason and "\n" not in error.reason for error in failures.values())


@pytest.mark.slow
def test_only_section_index_pages_fail(results) -> None:
    failed = [path for path, result in results.items() if isinstance(result, StageError)]
    assert all(path.name == "_index.md" for path in failed)


@pytest.mark.slow
def test_news_bodies_are_clean_and_dated(results) -> None:
    news = {path: doc for path, doc in results.items() if path.parent.name == "news"}
    assert len(news) == 62
    for path, doc in news.items():
        assert isinstance(doc, ExtractedDocument), path
        assert doc.title and doc.body_text, path
        for forbidden in FORBIDDEN_IN_NEWS:
            assert forbidden not in doc.body_text, (path.name, forbidden)


@pytest.mark.slow
def test_hugo_page_and_its_built_html_agree(results) -> None:
    markdown = results[CORPUS / "news" / "renqilei__chinese-government-docs-for-drg.md"]
    html = results[CORPUS / "news" / "renqilei__index.html"]
    assert (markdown.format, html.format) == ("hugo", "html")
    assert markdown.title == html.title == "中国官方 DRG 相关文件列表"
    assert markdown.published_on == html.published_on
    assert "var _hmt" not in html.body_text and "Archives" not in html.body_text


@pytest.mark.slow
def test_laws_have_titles(results) -> None:
    laws = [doc for path, doc in results.items()
            if "laws" in path.parts and isinstance(doc, ExtractedDocument)]
    assert sum(1 for doc in laws if doc.title) == len(laws)
    assert all(doc.format == "markdown" for doc in laws)
