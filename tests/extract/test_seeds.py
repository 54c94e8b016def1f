"""The five seeds against the hand-checked gold file: title, dates, source, numbers must be exact."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from tests.conftest import require_shared
from tests.extract.conftest import GOLD, SEEDS, extract_path

require_shared(GOLD)

GOLD_DOCUMENTS = json.loads(GOLD.read_text(encoding="utf-8"))["documents"]


@pytest.mark.parametrize("gold", GOLD_DOCUMENTS, ids=lambda gold: gold["file"][:3])
def test_seed_metadata_matches_gold(gold: dict) -> None:
    doc = extract_path(SEEDS / gold["file"])
    assert doc.title in [gold["title"], *gold.get("title_alternatives", [])]
    expected_at = datetime.fromisoformat(gold["published_at"]) if gold["published_at"] else None
    assert doc.published_at == expected_at
    assert doc.published_on == (date.fromisoformat(gold["published_on"]) if gold["published_on"] else None)
    assert doc.source is not None and doc.source.name in [gold["source"], *gold.get("source_alternatives", [])]
    assert (doc.original_source.name if doc.original_source else None) == gold["original_source"]
    assert doc.doc_number == gold["doc_number"]
    assert doc.index_number == gold["index_number"]


def test_seed_formats_are_detected_by_content(seed_path) -> None:
    formats = [extract_path(seed_path(prefix)).format for prefix in ("000", "001", "002", "003", "004")]
    assert formats == ["hexo", "hexo", "jekyll", "gov_notice", "gov_disclosure"]


def test_offsets_are_kept_as_written(seed_path) -> None:
    assert extract_path(seed_path("000")).published_offset == "+00:00"  # RFC 2822 GMT
    assert extract_path(seed_path("002")).published_offset == "+08:00"  # +0800
    assert extract_path(seed_path("004")).published_offset == "+08:00"  # naive Beijing time


def test_source_kinds(seed_path) -> None:
    assert extract_path(seed_path("000")).source.kind == "media"
    assert extract_path(seed_path("000")).original_source.kind == "wire"
    assert extract_path(seed_path("004")).source.kind == "government"
    assert extract_path(seed_path("003")).source.kind == "government"


def test_wire_dateline_gives_place_and_reporters(seed_path) -> None:
    doc = extract_path(seed_path("000"))
    assert doc.dateline == "北京"
    assert doc.authors == ("沐铁城", "彭韵佳")  # the outlet in the author field is not a person


def test_notice_issuers_cc_and_title_over_two_lines(seed_path) -> None:
    doc = extract_path(seed_path("003"))
    assert doc.issuers == ("云阳县医疗保障局", "云阳县公安局", "云阳县卫生健康委员会")
    assert doc.cc == ("市医疗保障局", "县公安局", "县卫生健康委")
    assert doc.body_text.startswith("各乡镇（街道）社保所、医保定点医药机构：")
    assert "（云医保发〔2021〕16号）" in doc.body_text  # a cited number stays text, not the doc number


def test_disclosure_publisher_and_body(seed_path) -> None:
    doc = extract_path(seed_path("004"))
    assert doc.publisher_agency == "歙县医保局"  # 发布单位
    assert "政府新闻发布会实录" in doc.categories
    assert not doc.body_text.startswith("作者")
    assert "累计退回违规医保基金59.99万元" in doc.body_text


def test_editor_is_moved_out_of_the_body(seed_path) -> None:
    doc = extract_path(seed_path("000"))
    assert doc.editor == "刘万里"
    assert "责任编辑" not in doc.body_text
    assert "新浪财经APP" not in doc.body_text and "appendQr" not in doc.body_text


def test_stock_ticker_words_stay_in_the_sentence(seed_path) -> None:
    doc = extract_path(seed_path("001"))
    assert "重点开展“联合联动+线上线下”宣传活动" in doc.body_text


def test_paragraphs_are_kept(seed_path) -> None:
    doc = extract_path(seed_path("000"))
    paragraphs = doc.body_text.split("\n\n")
    assert paragraphs[0] == "原标题：国家医保局：累计追回医保基金约506亿元"
    assert paragraphs[1].startswith("新华社北京12月8日电（记者沐铁城、彭韵佳）医保基金是")
    assert len(paragraphs) == 6


def test_jekyll_navigation_and_url(seed_path) -> None:
    doc = extract_path(seed_path("002"))
    assert "返回首页" not in doc.body_text and "返回贝果财经新闻" not in doc.body_text
    assert "http" not in doc.body_text
    assert doc.url == "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201142248444631"
    assert doc.body_text.endswith("（文章来源：贝果财经）")
