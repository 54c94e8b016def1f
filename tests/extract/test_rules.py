"""One rule per test, each on a real sentence or layout from the seeds or the corpus."""

from __future__ import annotations

from datetime import UTC, date, datetime

from etl.extract.dates import parse_when
from etl.extract.html_text import editor_from_line, html_to_text
from etl.extract.metadata import header_fields, normalise_doc_number, signature_date
from tests.extract.conftest import extract_text


def test_rfc2822_gmt() -> None:
    when = parse_when("Wed, 08 Dec 2021 14:00:30 GMT")
    assert (when.published_at, when.published_offset, when.published_on) == (
        datetime(2021, 12, 8, 14, 0, 30, tzinfo=UTC), "+00:00", date(2021, 12, 8))


def test_plus0800_late_evening_is_the_beijing_day() -> None:
    when = parse_when("2022-01-14 23:30:00 +0800")
    assert when.published_at == datetime(2022, 1, 14, 15, 30, tzinfo=UTC)
    assert when.published_on == date(2022, 1, 14)


def test_utc_time_after_16h_is_the_next_beijing_day() -> None:
    assert parse_when("Fri, 14 Jan 2022 17:00:00 GMT").published_on == date(2022, 1, 15)


def test_naive_time_is_beijing_time() -> None:
    when = parse_when("2021-12-08 10:46:18")  # eastmoney Jekyll posts
    assert (when.published_at, when.published_offset) == (datetime(2021, 12, 8, 2, 46, 18, tzinfo=UTC), "+08:00")


def test_chinese_date_only_has_no_instant() -> None:
    when = parse_when("2025年10月28日")
    assert (when.published_at, when.published_on) == (None, date(2025, 10, 28))


def test_not_a_date() -> None:
    assert parse_when("有效") is None and parse_when("2025-13-45") is None


def test_truncated_disclosure_labels() -> None:
    fields = header_fields("号: 003149652/202510-00075 信息分类: 政府新闻发布会实录")
    assert fields == {"索引号": "003149652/202510-00075", "信息分类": "政府新闻发布会实录"}


def test_time_inside_a_header_value_is_not_a_label() -> None:
    fields = header_fields("内容概述: 2025年10月28日上午9:00,我在县融媒体六楼会议室召开 性: 有效")
    assert fields["有效性"] == "有效" and "上午9:00" in fields["内容概述"]


def test_doc_number_bracket_styles() -> None:
    for written in ("云医保发〔2022〕6号", "云医保发[2022]6号", "云医保发【2022】6号", "云医保发（2022）6号"):
        assert normalise_doc_number(written) == "云医保发〔2022〕6号"


def test_signature_date_in_chinese_numerals() -> None:
    assert signature_date("二〇二二年三月十一日") == date(2022, 3, 11)
    assert signature_date("2022年3月1日") == date(2022, 3, 1)
    assert signature_date("专项整治行动时间延长至2022年12月31日") is None


def test_editor_line_with_staff_code() -> None:
    assert editor_from_line("责任编辑：刘万里 SF014") == "刘万里"
    assert editor_from_line("编辑说了什么") is None


def test_whole_html_page_uses_the_article() -> None:
    page = html_to_text(
        "<html><head><title>文件列表 - renqilei.me</title><script>var a=1;</script></head><body>"
        "<nav><a href='/'>Home</a></nav><article><header><h1>文件列表</h1><span>2018年11月23日</span></header>"
        "<p>下面是文件。</p></article><footer>版权所有</footer></body></html>",
        whole_page=True,
    )
    assert (page.text, page.h1) == ("下面是文件。", "文件列表")
    assert "2018年11月23日" in page.header_text


def test_paper_byline_is_the_original_source() -> None:
    doc = extract_text("---\ntitle: t\nlayout: post\n---\n\n《中国经营报》记者1月11日从公安部了解到，案件1780余起。\n")
    assert doc.original_source.name == "中国经营报"


def test_trailing_outlet_in_brackets_is_the_original_source() -> None:
    doc = extract_text("---\ntitle: t\nlayout: post\ncategories: emnews\n---\n\n钢材价格也很难再现明显增长。（中新网）\n")
    assert (doc.source.name, doc.original_source.name) == ("东方财富网", "中新网")


def test_markdown_law_title_and_dates() -> None:
    doc = extract_text(
        "# 医疗保障基金使用监督管理条例\n\n2021年1月15日 中华人民共和国国务院令第735号公布 自2021年5月1日起施行\n\n"
        "<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了加强医疗保障基金使用监督管理，制定本条例。\n"
    )
    assert doc.format == "markdown"
    assert doc.title == "医疗保障基金使用监督管理条例"
    assert (doc.published_on, doc.effective_on) == (date(2021, 1, 15), date(2021, 5, 1))
    assert doc.body_text.startswith("第一章 总则")


def test_law_adopted_only_has_no_published_day() -> None:
    doc = extract_text("# 广东省统计条例\n\n2022年9月29日 广东省第十三届人民代表大会常务委员会第四十六次会议通过\n\n"
                       "<!-- INFO END -->\n\n第一条 为了科学、有效地组织统计工作。\n")
    assert (doc.published_on, doc.adopted_on) == (None, date(2022, 9, 29))


def test_daily_briefing_date_comes_from_its_title() -> None:
    doc = extract_text("---\nlayout: post\ntitle: 陆家嘴财经早餐 2024年8月1日 星期四\ncategories: wind\n---\n\n"
                       "# 陆家嘴财经早餐\n\nEnRA+A- 收藏到 AliceBox\n\n## 热点聚焦\n1. 美联储按兵不动。\n")
    assert doc.published_on == date(2024, 8, 1)
    assert "AliceBox" not in doc.body_text and "热点聚焦" in doc.body_text
