"""Page furniture lines: single furniture, runs of nav links, and article text that only resembles them."""

from __future__ import annotations

import pytest

from etl.extract.boilerplate import is_boilerplate_line


@pytest.mark.parametrize(
    "line",
    [
        "返回首页",
        "  分享到：微信 微博  ",
        "打印本页 | 关闭窗口",
        "返回首页｜返回顶部 / 打印本页",
        "上一篇：关于做好2024年医保工作的通知",
    ],
)
def test_furniture_lines(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "国家医保局累计追回医保基金约506亿元。",
        "返回首页 | 国家医保局发布2024年统计公报",  # one nav link next to a headline is text
        "城乡居民医保人均财政补助标准为670元/人",
    ],
)
def test_article_lines(line: str) -> None:
    assert not is_boilerplate_line(line)
