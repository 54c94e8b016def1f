"""The article block of an HTML page that does not mark it: found by where its text is, links left out."""

from __future__ import annotations

import lxml.html

from etl.extract.html_text import densest_block, html_to_text
from tests.extract.conftest import extract_text

P = "今年以来，某市医疗保障部门开展专项检查，共检查定点医药机构120家，追回医保基金350万元。"
MENU = "<div id='t1'><a>网站首页</a>|<a>机构设置</a>|<a>政务公开</a>|<a>办事服务</a>|<a>互动交流</a></div>"
RELATED = "".join(f"<div><a href='#'>2023-05-0{n} 某省召开第{n}次工作会议</a></div>" for n in range(1, 6))
FOOTER = "<div id='bottom'>版权所有 2026 某某网 网站标识码1234567890 京ICP备12345678号 联系我们</div>"


def table_page(article: str) -> str:
    return (f"<html><head><title>某市通报专项检查情况_某某网</title></head><body>{MENU}"
            f"<table><tr><td id='left'><div id='h'><h2>某市通报专项检查情况</h2><span>2024-05-06 14:40</span>"
            f"<span>来源：某市医疗保障局</span></div><div id='c1'>{article}</div></td>"
            f"<td id='right'>相关阅读{RELATED}</td></tr></table>{FOOTER}</body></html>")


def test_article_of_an_anonymous_table_layout_without_its_menus_and_footer() -> None:
    doc = extract_text(table_page(f"<p>{P}</p>" * 4))
    assert doc.body_text.count("追回医保基金350万元") == 4
    for furniture in ("机构设置", "相关阅读", "版权所有", "2023-05-01"):
        assert furniture not in doc.body_text
    # the headline and the date and source lines beside the article block still give the metadata
    assert (doc.title, doc.source.name, doc.published_on.isoformat()) == (
        "某市通报专项检查情况", "某市医疗保障局", "2024-05-06")


def test_paragraphs_written_as_sibling_blocks_all_stay() -> None:
    text = html_to_text(table_page(f"<div>{P * 6}</div><div>{P}</div><div>{P}</div>"), whole_page=True).text
    assert text.count("追回医保基金350万元") == 8


def test_a_page_with_no_dominant_block_keeps_its_whole_body() -> None:
    body = lxml.html.document_fromstring(f"<html><body><div>{P}</div><div>{P}</div><div>{P}</div></body></html>")
    assert densest_block(body.find("body")) is None
