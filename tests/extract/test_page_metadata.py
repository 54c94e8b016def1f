"""Date, outlet and headline of web pages saved as text or HTML, in both scripts.

Every document here is written for these tests in the layouts real pages use (labels, timestamp lines,
datelines, bylines, captions, section headings); none is copied from a page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etl.extract.page_header import is_caption, is_headline, is_section_heading, read_page_header
from tests.extract.conftest import extract_text

LEAD = "今年以来，某市医疗保障部门会同公安机关开展专项检查，共检查定点医药机构120家，追回医保基金350万元，相关线索已移送处理。"
LEAD_TRAD = "今年以來，某市醫療保障部門會同公安機關開展專項檢查，共檢查定點醫藥機構120家，追回醫保基金350萬元，相關線索已移送處理。"


def page(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# ---------------------------------------------------------------- dates

def test_labelled_publication_time_is_beijing_time() -> None:
    doc = extract_text(page("某市通报医保基金监管情况", "信息来源：某市医疗保障局 发布时间：2024-05-06 14:40:02 【字体：大 中 小】", LEAD))
    assert (doc.published_at, doc.published_on) == (utc(2024, 5, 6, 6, 40, 2), date(2024, 5, 6))
    assert doc.source.name == "某市医疗保障局" and doc.source.kind == "government"


def test_date_without_time_gives_only_the_day() -> None:
    doc = extract_text(page("某县检察院办理一起骗保案", "时间:2025-03-18  来源:某县人民检察院", LEAD))
    assert (doc.published_at, doc.published_on) == (None, date(2025, 3, 18))


def test_late_evening_beijing_time_keeps_its_day() -> None:
    doc = extract_text(page("某地查处一批违规机构", "时间:2020-06-15 02:10:05来源:某某晚报", LEAD))
    assert (doc.published_at, doc.published_on) == (utc(2020, 6, 14, 18, 10, 5), date(2020, 6, 15))
    assert doc.source.name == "某某晚报"


def test_bare_timestamp_under_the_headline() -> None:
    doc = extract_text(page("某省三年追回醫保基金50億", "2023-07-19 18:06", LEAD_TRAD))
    assert doc.title == "某省三年追回醫保基金50億"
    assert doc.published_at == utc(2023, 7, 19, 10, 6)


@pytest.mark.parametrize(("line", "expected"), [
    ("發佈時間：2024年05月06日 14:40", utc(2024, 5, 6, 6, 40)),
    ("發布日期：２０２４－０５－０６　１４：４０", utc(2024, 5, 6, 6, 40)),
    ("发布时间：2025年10月28日下午3:30", utc(2025, 10, 28, 7, 30)),
    ("05/11/2024 09:45", utc(2024, 11, 5, 1, 45)),
    ("某某新聞/ 2017.05.03 09:00", utc(2017, 5, 3, 1, 0)),
    ("发表于 2022-06-01 07:05:09 | 显示全部楼层", utc(2022, 5, 31, 23, 5, 9)),
])
def test_date_line_forms(line: str, expected: datetime) -> None:
    assert extract_text(page("某地醫保局通報欺詐騙保案件", line, LEAD_TRAD)).published_at == expected


def test_taiwan_calendar_in_a_labelled_date() -> None:
    doc = extract_text(page("健保署公布冒用健保卡案件", "發布日期：114-03-05", LEAD_TRAD))
    assert (doc.published_at, doc.published_on) == (None, date(2025, 3, 5))


def test_undated_label_line_borrows_the_time_of_the_same_day() -> None:
    doc = extract_text(page("date 2024-11-05  會員", "05/11/2024 09:45", "某局啟動專項行動整治倒賣藥品", LEAD_TRAD))
    assert doc.published_at == utc(2024, 11, 5, 1, 45)


def test_date_at_the_bottom_of_a_government_page() -> None:
    doc = extract_text(page("某市医疗保障局关于公开曝光典型案例的通报", LEAD, LEAD, "发布日期：2024-01-17", "【打印】【关闭】"))
    assert doc.published_on == date(2024, 1, 17)


def test_dates_in_running_text_are_not_the_page_date() -> None:
    doc = extract_text(page("某市查处一批骗保案件", "2023年2月至2024年7月期间，李某利用他人医保凭证多次就医购药，骗取医保基金3万元，已被移送公安机关。"))
    assert doc.published_on is None


def test_a_headline_with_a_date_in_it_is_not_a_date_line() -> None:
    header = read_page_header(page("网站首页", "2024年1月17日国家医疗保障局新闻发布会实录", LEAD))
    assert header.title == "2024年1月17日国家医疗保障局新闻发布会实录"


# ---------------------------------------------------------------- outlets

def test_feed_code_is_not_an_outlet() -> None:
    doc = extract_text(page("某市警方打掉一个骗保团伙", "发布时间：2023-09-14 16:45:10 来源: sp20230914", LEAD))
    assert doc.source is None and doc.published_at == utc(2023, 9, 14, 8, 45, 10)


def test_generic_source_words_name_no_outlet_but_the_line_below_does() -> None:
    doc = extract_text(page("某区捣毁一医保诈骗团伙", "2023-04-18 来源:互联网", "某某公安报", LEAD))
    assert doc.source.name == "某某公安报"


def test_source_value_on_the_next_line_and_its_channel_dropped() -> None:
    doc = extract_text(page("某部门派工作组督办骗保事件", "作者:张明 发布时间:2022-11-02 09:12:45", LEAD + " 来源:", "新华社微博"))
    assert doc.source.name == "新华社" and doc.authors == ("张明",)


def test_client_app_suffix_is_not_part_of_the_outlet() -> None:
    assert extract_text(page("某地医保诈骗案件调查", "0", "分享至", "来源:央视新闻客户端", LEAD)).source.name == "央视新闻"


@pytest.mark.parametrize(("lead", "outlet", "authors"), [
    ("某某网讯（记者 王小明 通讯员 李华）" + LEAD, "某某网", ("王小明", "李华")),
    ("南都讯 记者张三 " + LEAD, "南方都市报", ()),
    ("南都訊 記者張三 " + LEAD_TRAD, "南方都市报", ()),
    ("新华社北京3月5日电（记者王某、李某）" + LEAD, "新华社", ("王某", "李某")),
    ("《經濟通通訊社２５日專訊》" + LEAD_TRAD, "經濟通", ()),
])
def test_dateline_names_the_outlet(lead: str, outlet: str, authors: tuple[str, ...]) -> None:
    doc = extract_text(page(lead))
    assert doc.source.name == outlet
    assert all(author in doc.authors for author in authors)


def test_byline_outlet_and_reporter() -> None:
    doc = extract_text(page("某地嚴打醫保詐騙 去年追繳逾十億", "本文共1200字", "某某報 記者陳大文/即時報導", LEAD_TRAD))
    assert (doc.source.name, doc.authors) == ("某某報", ("陳大文",))


def test_credit_in_brackets_without_a_colon() -> None:
    doc = extract_text(page("某市打掉一个特大医保诈骗团伙", "2024-12-30 18:05:01", "本文转自【新华社】", LEAD))
    assert doc.source.name == "新华社" and doc.title == "某市打掉一个特大医保诈骗团伙"


@pytest.mark.parametrize("last", ["(來源:新華社)", "（来源：某某日报 编辑/王某）", "来源:某省医保、图片来源", "來源|人民網"])
def test_source_line_at_the_end(last: str) -> None:
    doc = extract_text(page(LEAD, LEAD, last))
    assert doc.source is not None and doc.source.name in ("新华社", "某某日报", "某省医保", "人民网")


def test_stated_source_with_a_different_wire_dateline() -> None:
    doc = extract_text(page("某某案件宣判", "2023-05-10 21:40:12 来源：某某日报", "新华社北京3月1日电 " + LEAD))
    assert (doc.source.name, doc.original_source.name) == ("某某日报", "新华社")


# ---------------------------------------------------------------- titles

@pytest.mark.parametrize("first", [
    "(资料图片仅供参考)",
    "（資料圖片）",
    "一、基本情况",
    "（二）存在的问题",
    "案例1：虚假发票案",
    "1 背景",
])
def test_caption_or_section_heading_is_never_the_title(first: str) -> None:
    assert extract_text(page(first, LEAD, LEAD)).title is None


def test_lead_sentence_is_never_the_title() -> None:
    assert extract_text(page(LEAD, LEAD)).title is None
    assert extract_text(page("近日，某县医保局通报了一起骗保案件。", LEAD)).title is None


def test_headline_over_the_lead_after_the_site_furniture() -> None:
    doc = extract_text(page("APP下载", "首页 > 新闻中心 > 正文", "某市曝光十起欺诈骗保典型案例", LEAD))
    assert doc.title == "某市曝光十起欺诈骗保典型案例"


def test_headline_below_the_date_lines() -> None:
    doc = extract_text(page("2024-11-05 09:45", "《要聞》某局啟動專項行動，整治倒賣藥品", LEAD_TRAD))
    assert doc.title == "《要聞》某局啟動專項行動，整治倒賣藥品"


def test_event_field_lines_are_not_headlines() -> None:
    doc = extract_text(page("时间:2022年4月28日16:00", "主题:织密基金监管网", "地点:市政务中心", "主持人:", "各位媒体朋友："))
    assert doc.title is None and doc.published_at == utc(2022, 4, 28, 8, 0)


def test_original_title_line_when_the_page_prints_no_headline() -> None:
    doc = extract_text(page("2023-05-10 21:40:12", "原标题:某地去年追回医保基金3亿元", LEAD))
    assert doc.title == "某地去年追回医保基金3亿元"


@pytest.mark.parametrize(("line", "caption", "heading", "headline"), [
    ("某县医保局开展专项检查（记者 张三 摄）", True, False, False),
    ("图为检查现场", True, False, False),
    ("三、下一步工作安排", False, True, False),
    ("第二章 监督管理", False, True, False),
    ("某省医保局：去年追回医保基金2.7亿元", False, False, True),
    ("誰在替老人「看病」？某地醫保詐騙調查", False, False, True),
])
def test_line_kinds(line: str, caption: bool, heading: bool, headline: bool) -> None:
    assert (is_caption(line), is_section_heading(line), is_headline(line)) == (caption, heading, headline)


# ---------------------------------------------------------------- HTML pages

def test_government_cms_meta_tags() -> None:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>通报 - 某市医疗保障局</title>"
        "<meta name='ArticleTitle' content='某市医疗保障局关于2024年基金监管情况的通报'>"
        "<meta name='PubDate' content='2024-05-06 14:40'>"
        "<meta name='ContentSource' content='某市医疗保障局'>"
        "<meta name='SiteName' content='某市人民政府'></head>"
        f"<body><div id='content'><p>{LEAD}</p></div></body></html>"
    )
    doc = extract_text(html)
    assert doc.format == "html"
    assert doc.title == "某市医疗保障局关于2024年基金监管情况的通报"
    assert doc.published_at == utc(2024, 5, 6, 6, 40)
    assert doc.source.name == "某市医疗保障局"


def test_open_graph_meta_tags_and_site_name_as_last_resort() -> None:
    html = (
        "<html><head><title>标题_某某网</title><meta property='og:title' content='某地追回医保基金1亿元'>"
        "<meta property='article:published_time' content='2024-08-01T09:30:00+08:00'>"
        "<meta property='og:site_name' content='某某网'></head>"
        f"<body><article><p>{LEAD}</p></article></body></html>"
    )
    doc = extract_text(html)
    assert (doc.title, doc.published_at, doc.source.name) == ("某地追回医保基金1亿元", utc(2024, 8, 1, 1, 30), "某某网")


def test_simple_html_save_reads_the_lines_of_its_paragraphs() -> None:
    paragraphs = ["會員中心", "登出", "某地嚴打醫保詐騙 去年追繳逾十億", "時間:2023-02-18 09:05 來源:某某日報", LEAD_TRAD]
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>某地嚴打醫保詐騙 去年追繳逾十億</title></head>"
            "<body><div class='article'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></body></html>")
    doc = extract_text(html)
    assert (doc.title, doc.published_at, doc.source.name) == (
        "某地嚴打醫保詐騙 去年追繳逾十億", utc(2023, 2, 18, 1, 5), "某某日報")


def test_date_opening_a_source_line() -> None:
    doc = extract_text(page("某区捣毁一医保诈骗团伙", "2022-03-04 20:15:30 来源:某某经济网", "打印 放大 缩小", LEAD))
    assert (doc.published_at, doc.source.name) == (utc(2022, 3, 4, 12, 15, 30), "某某经济网")


def test_print_citation_at_the_end_gives_paper_and_day() -> None:
    doc = extract_text(page("主页 > 实时新闻 >", "前三季度某地追回医保资金16亿元",
                            "本报北京10月27日电（记者王某）" + LEAD, "《 某某日报 》（ 2023年9月12日 5 版）"))
    assert (doc.source.name, doc.published_on, doc.published_at) == ("某某日报", date(2023, 9, 12), None)
    assert doc.title == "前三季度某地追回医保资金16亿元"


def test_site_word_after_an_office_is_dropped() -> None:
    doc = extract_text(page("一季度某项指标同比增长6.8%", "2019年07月15日 10:00 某某统计局网站", LEAD))
    assert doc.source.name == "某某统计局" and doc.source.kind == "government"


def test_red_head_issuer_and_signature_above_the_attachment() -> None:
    doc = extract_text(page(
        "某省医疗保障局文件", "某医保发〔2022〕3号", "", "关于印发某省医疗保障基金监管办法的通知", "",
        "各市医疗保障局：", "现将《某省医疗保障基金监管办法》印发给你们，请遵照执行。", "",
        "某省医疗保障局 ???", "2022年2月7日??", "", "（此件公开发布）", "", "某省医疗保障基金监管办法", "第一章 总则",
        "第一条 为规范医疗保障基金使用，制定本办法。", "第二条 本办法自2022年3月1日起施行。",
        *[f"第{n}条 条文。" for n in "三四五六七八九"],
    ))
    assert doc.format == "gov_notice"
    assert (doc.source.name, doc.doc_number, doc.published_on) == ("某省医疗保障局", "某医保发〔2022〕3号", date(2022, 2, 7))


def test_notice_saved_as_html_keeps_its_number_issuer_and_signature_date() -> None:
    lines = ["某省医疗保障局文件", "某医保发〔2023〕5号", "关于开展医保基金专项检查的通知", "各市医疗保障局：",
             "现将专项检查方案印发给你们，请认真组织实施。", "某省医疗保障局", "2023年3月2日"]
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>关于开展医保基金专项检查的通知</title></head>"
            "<body><div class='article'>" + "".join(f"<p>{line}</p>" for line in lines) + "</div></body></html>")
    doc = extract_text(html)
    assert (doc.format, doc.doc_number, doc.source.name, doc.published_on) == (
        "html", "某医保发〔2023〕5号", "某省医疗保障局", date(2023, 3, 2))


def test_counters_between_headline_and_a_dated_dateline() -> None:
    doc = extract_text(page("site logo: www.example.org", "某縣診所被指盜刷健保卡 兩年多領300萬", "人氣: 15", "【字號】",
                            "標籤: tags:", "【某某時報2011年09月14日訊】(某某時報記者王某某台北報導)" + LEAD_TRAD))
    assert (doc.title, doc.source.name, doc.published_on) == (
        "某縣診所被指盜刷健保卡 兩年多領300萬", "某某時報", date(2011, 9, 14))


def test_trailing_outlet_with_its_mobile_edition_word() -> None:
    assert extract_text(page(LEAD_TRAD + "（某某網手機版）")).source.name == "某某網"


def test_date_written_into_the_source_value() -> None:
    doc = extract_text(page("正在阅读:某地警方通报医保诈骗案", "首页> 地方频道> 社会 > 正文", "某地警方通报医保诈骗案",
                            "来源:中国新闻网2022-08-09 15:30", LEAD))
    assert (doc.source.name, doc.published_at, doc.title) == ("中新网", utc(2022, 8, 9, 7, 30), "某地警方通报医保诈骗案")


def test_masthead_names_the_site_when_nothing_else_does() -> None:
    doc = extract_text(page("人民网", "人民网>>社会·法治", "某地通报骗保案件查处情况", "2024年03月12日09:15 | 135", "小字号", LEAD))
    assert (doc.source.name, doc.title, doc.published_at) == ("人民网", "某地通报骗保案件查处情况", utc(2024, 3, 12, 1, 15))


def test_an_empty_source_label_does_not_take_the_next_line_unless_it_is_an_outlet() -> None:
    doc = extract_text(page("信息来源：", "某市通报医保基金监管情况", "发布时间：2024-05-06", LEAD))
    assert doc.source is None and doc.published_on == date(2024, 5, 6)
    assert extract_text(page("某市通报医保基金监管情况", "信息来源：", "某市医疗保障局", LEAD)).source.name == "某市医疗保障局"


def test_subtitle_between_headline_and_date_is_stepped_over() -> None:
    doc = extract_text(page("某省守护医保基金安全", "——从三起案件看骗保的新手法", "2024-07-22 07:30:00", LEAD))
    assert doc.title == "某省守护医保基金安全"


def test_logo_in_an_h1_is_not_the_headline() -> None:
    html = ("<html><head><title>某市追回医保基金1亿元_某某网</title></head><body><div id='logo'><h1>某某网</h1></div>"
            f"<div><p>某市追回医保基金1亿元</p><p>2024-08-01 09:30 来源：某某日报</p><p>{LEAD}</p></div></body></html>")
    doc = extract_text(html)
    assert (doc.title, doc.source.name) == ("某市追回医保基金1亿元", "某某日报")


def test_trailing_report_credit_names_the_paper() -> None:
    assert extract_text(page(LEAD_TRAD + "（某某日報報道）")).source.name == "某某日報"
