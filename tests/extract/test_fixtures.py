"""Encodings, line endings, front-matter variants and bad input, each on its own fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etl.extract import extract_document
from etl.records import StageError
from tests.extract.conftest import FIXTURES, extract_path, extract_text


def fixture(name: str):
    return extract_path(FIXTURES / name)


def test_gbk_notice_reads_like_the_utf8_seed(seed_path) -> None:
    doc, original = fixture("notice_gbk.txt"), extract_path(seed_path("003"))
    assert doc.encoding == "gb18030"
    assert (doc.title, doc.doc_number, doc.body_text) == (original.title, original.doc_number, original.body_text)


def test_gb18030_disclosure_page() -> None:
    doc = fixture("disclosure_gb18030.txt")
    assert doc.encoding == "gb18030"
    assert doc.index_number == "003149652/202510-00075"


def test_big5_post_is_decoded_as_big5() -> None:
    doc = fixture("news_big5.md")
    assert doc.encoding == "big5"
    assert doc.title == "健保署：查處違規醫療院所"
    assert "\ufffd" not in doc.body_text


def test_utf8_bom_does_not_hide_the_front_matter() -> None:
    doc = fixture("jekyll_utf8_bom.md")
    assert (doc.encoding, doc.format) == ("utf-8-sig", "jekyll")
    assert doc.title == "公安部：2021年侦破医保诈骗案1780余起 追缴医保基金4.6亿元"


def test_crlf_and_mixed_line_endings(seed_path) -> None:
    assert "\r" not in fixture("hexo_crlf.md").body_text
    assert fixture("hexo_crlf.md").body_text == extract_path(seed_path("001")).body_text
    mixed = fixture("notice_mixed_endings.txt")
    assert "\r" not in mixed.body_text and mixed.title == "关于进一步加强打击诈骗医保基金专项整治行动工作的通知"


@pytest.mark.parametrize(
    ("name", "stage", "reason_part"),
    [
        ("empty.txt", "read", "empty file"),
        ("whitespace_only.txt", "read", "empty file"),
        ("binary.dat", "decode", "binary file"),
        ("undecodable.txt", "decode", "no encoding decodes it cleanly"),
        ("broken_yaml.md", "parse", "broken YAML front matter"),
        ("alias_bomb.md", "parse", "aliases"),
        ("yaml_object_tag.md", "parse", "broken YAML front matter"),
    ],
)
def test_bad_input_is_a_stage_error_with_a_readable_reason(name: str, stage: str, reason_part: str) -> None:
    with pytest.raises(StageError) as caught:
        fixture(name)
    assert caught.value.stage == stage
    assert reason_part in caught.value.reason
    assert "\n" not in caught.value.reason


def test_size_limit() -> None:
    with pytest.raises(StageError) as caught:
        extract_document(b"x" * 3_000_000, "big.txt", max_bytes=2_000_000)
    assert (caught.value.stage, caught.value.reason) == ("read", "file is 3 MB, over the 2 MB limit")


def test_empty_yaml_values_load_without_metadata() -> None:
    doc = fixture("empty_yaml_values.md")
    assert (doc.title, doc.published_on, doc.categories, doc.tags) == (None, None, (), ())
    assert doc.body_text == "医保基金监管正文一段。"


def test_toml_front_matter_is_hugo() -> None:
    doc = fixture("hugo_toml.md")
    assert doc.format == "hugo"
    assert doc.published_at == datetime(2023, 5, 6, 1, 30, tzinfo=UTC)
    assert doc.tags == ("医保", "监管")


def test_jekyll_date_without_time_and_space_separated_categories() -> None:
    doc = fixture("jekyll_date_only.md")
    assert (doc.published_at, doc.published_on) == (None, date(2022, 1, 14))
    assert doc.categories == ("beiguocaijing", "医保")
    assert doc.tags == ("贝果财经新闻", "医保")  # a YAML list
    assert doc.source.name == "贝果财经"


def test_ad_lists_closed_and_unclosed_share_links_and_live_quotes_go() -> None:
    doc = fixture("hexo_adlist_ticker.md")
    assert doc.body_text.split("\n\n") == ["重点开展“联合联动+线上线下”宣传活动。", "第二段正文。", "第三段正文。"]
    assert doc.editor == "王翔"


def test_notice_with_square_brackets_and_signature_date() -> None:
    doc = fixture("notice_square_brackets.txt")
    assert doc.doc_number == "渝医保发〔2022〕2号"
    assert doc.title == "关于加强医保基金监管的通知"
    assert doc.published_on == date(2022, 3, 1) and doc.published_at is None
    assert doc.cc == ("国家医保局", "市公安局")


def test_front_matter_after_a_leading_blank_line_and_categories_as_a_list() -> None:
    doc = extract_text("\n\n---\ntitle: '标题'\ncategories:\n - 金融\n - 新浪财经\n---\n\n正文\n")
    assert (doc.title, doc.categories, doc.source.name) == ("标题", ("金融", "新浪财经"), "新浪财经")


def test_full_width_spaces_are_trimmed() -> None:
    doc = extract_text("标题\n\n\u3000\u3000第一段。\u3000\n\u3000\u3000第二段。")
    assert doc.body_text == "标题\n\n第一段。\n第二段。"


def test_unexpected_errors_become_parse_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.extract.document as document

    def explode(*_args: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(document, "detect_plain_format", explode)
    with pytest.raises(StageError) as caught:
        extract_text("普通文本")
    assert caught.value.stage == "parse" and "ValueError" in caught.value.reason
