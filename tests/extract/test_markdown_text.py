"""Markdown -> text line by line: plain lines pass untouched, marked-up lines lose their markup."""

from __future__ import annotations

import pytest

from etl.extract.markdown_text import markdown_to_text


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("# 标题\n\n\u3000\u3000第一条 内容。\n第二条\n", "标题\n\n第一条 内容。\n第二条"),
        ("段一\n\n\n\n段二", "段一\n\n段二"),  # one blank line between paragraphs
        ("段一\n---\n段二\n* * *\n段三", "段一\n段二\n段三"),  # rules go without a paragraph break
        ("> 引文\n>\n> 续", "引文\n\n续"),  # a bare quote mark is a blank line
        ("- 甲\n+ 乙\n1. 丙\n１. 丁", "甲\n乙\n丙\n丁"),  # bullets, also after a full-width digit
        ("| 项目 | 金额 |\n|---|---|\n| 基金 | 5亿 |", "项目 | 金额\n基金 | 5亿"),
        ("**追回** ~~旧~~ __新__ 1\\. 2 &amp; 3&nbsp;元", "追回 旧 新 1. 2 & 3 元"),
        ("正文\n\u2003\n返回首页\n接着", "正文\n接着"),  # a line of other spaces goes, as furniture does
    ],
)
def test_markdown_to_text(markdown: str, text: str) -> None:
    assert markdown_to_text(markdown)[0] == text


def test_editor_line_is_read_and_dropped() -> None:
    assert markdown_to_text("正文。\n（责任编辑：王五 SF014）") == ("正文。", "王五")
