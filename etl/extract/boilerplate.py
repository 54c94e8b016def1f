"""Lines that are page furniture, not article text: navigation, app promotion, share prompts.

Kept as a small table of patterns so a new site's furniture is one line to add, not new code.
"""

from __future__ import annotations

import re

_BOILERPLATE_PATTERNS: tuple[str, ...] = (
    r"返回(?:首页|顶部|目录|列表|上一页|.{1,12}新闻)",  # navigation links ("返回首页", "返回贝果财经新闻")
    r".{0,20}尽在新浪财经APP",  # Sina's QR / app promotion
    r"(?:扫描|扫码|长按).{0,12}(?:二维码|下载|关注).{0,20}",
    r"(?:下载|打开).{0,8}(?:客户端|APP|App|app).{0,20}",
    r"分享到[:：]?.{0,40}",
    r"(?:点击|点此)(?:进入|查看|阅读).{0,20}",
    r"(?:上一篇|下一篇)[:：].{0,80}",
    r"(?:打印本页|关闭窗口|收藏本页|加入收藏|字号[:：]?\s*大\s*中\s*小)(?:\s*[|｜]?\s*\S{0,6})*",
    r".{0,20}收藏到\s*AliceBox",  # Wind's app bookmark prompt in the daily briefings
)
_BOILERPLATE = re.compile(r"^(?:" + "|".join(_BOILERPLATE_PATTERNS) + r")\s*$")
_NAV_SEPARATORS = re.compile(r"\s*[|｜/]\s*")


def is_boilerplate_line(line: str) -> bool:
    """Whether a whole line is furniture; a line of several nav links counts when every part is."""
    line = line.strip()
    if not line:
        return False
    if _BOILERPLATE.match(line):
        return True
    if "|" not in line and "｜" not in line and "/" not in line:
        return False  # no _NAV_SEPARATORS: one part, which did not match (splitting every line is costly)
    parts = [part for part in _NAV_SEPARATORS.split(line) if part]
    return len(parts) > 1 and all(_BOILERPLATE.match(part) for part in parts)
