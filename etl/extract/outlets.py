"""Known outlets: the slugs, tags and short forms sites use for them -> the name the outlet calls itself.

A data table, so a new site is one line here. Kinds: media (newspapers, portals, finance sites), wire
(news agencies whose copy others republish), government.
"""

from __future__ import annotations

import re

from etl.records import SourceRef

# name -> kind
OUTLET_KINDS: dict[str, str] = {
    "新华社": "wire",
    "中新社": "wire",
    "中国新闻社": "wire",
    "路透社": "wire",
    "法新社": "wire",
    "美联社": "wire",
    "彭博社": "wire",
    "新浪财经": "media",
    "贝果财经": "media",
    "东方财富网": "media",
    "中国经营报": "media",
    "人民日报": "media",
    "人民网": "media",
    "新华网": "media",
    "中新网": "media",
    "央视新闻": "media",
    "央视网": "media",
    "光明日报": "media",
    "经济日报": "media",
    "中国证券报": "media",
    "上海证券报": "media",
    "证券时报": "media",
    "证券时报网": "media",
    "证券日报": "media",
    "第一财经": "media",
    "财新网": "media",
    "澎湃新闻": "media",
    "界面新闻": "media",
    "每日经济新闻": "media",
    "21世纪经济报道": "media",
    "经济观察报": "media",
    "北京日报": "media",
    "北京青年报": "media",
    "新京报": "media",
    "健康报": "media",
    "中国医疗保险": "media",
    "中国青年报": "media",
    "法治日报": "media",
    "湖北日报": "media",
    "健康广东": "government",
    "Wind": "media",
    "中国政府网": "government",
    "国家医保局": "government",
}

# slug, tag or short form -> name
OUTLET_ALIASES: dict[str, str] = {
    "sina": "新浪财经",
    "sinafinance": "新浪财经",
    "新浪": "新浪财经",
    "新浪网": "新浪财经",
    "新浪财经新闻": "新浪财经",
    "beiguocaijing": "贝果财经",
    "贝果财经新闻": "贝果财经",
    "emnews": "东方财富网",
    "eastmoney": "东方财富网",
    "东财滚动新闻": "东方财富网",
    "东方财富": "东方财富网",
    "东财": "东方财富网",
    "wind": "Wind",
    "万得": "Wind",
    "xinhua": "新华社",
    "新华社电": "新华社",
    "chinanews": "中新网",
    "中国新闻网": "中新网",
    "people": "人民网",
    "cctv": "央视新闻",
}

# An unknown name that still reads like an outlet: ends in 报, 网, 社, 台, 新闻, 财经, 杂志, 周刊.
_OUTLET_SUFFIX = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9·]{2,14}(?:报|网|社|台|新闻|财经|杂志|周刊|日报|晚报|时报)$")
_GOVERNMENT_SUFFIX = re.compile(r"(?:局|委|委员会|厅|部|办|办公室|政府|院|署|中心|监委|纪委)$")


def known_outlet(text: str) -> SourceRef | None:
    """SourceRef for a known outlet name, slug or tag; None when the table does not know it."""
    key = text.strip()
    name = OUTLET_ALIASES.get(key.lower(), OUTLET_ALIASES.get(key, key))
    kind = OUTLET_KINDS.get(name)
    return SourceRef(name, kind) if kind else None


def outlet_from_name(text: str) -> SourceRef | None:
    """A known outlet, or a name that reads like an outlet or an office (by its suffix); else None."""
    text = re.split(r"\s+[-–—|]\s+", text.strip())[0].strip()  # "证券时报网 - 数据" -> 证券时报网
    found = known_outlet(text)
    if found:
        return found
    if _OUTLET_SUFFIX.match(text):
        kind = "wire" if text.endswith("社") and not text.endswith("出版社") else "media"
        return SourceRef(text, kind)
    if 2 < len(text) <= 20 and _GOVERNMENT_SUFFIX.search(text):
        return SourceRef(text, "government")
    return None
