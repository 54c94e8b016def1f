"""Outlets: the slugs, tags and short forms sites use for them -> the name the outlet calls itself.

The known outlets are a data table (``etl/rules/outlets.csv``: name, kind, ``|``-separated aliases), so a new
site is one line there. Kinds: media (newspapers, portals, finance sites), wire (news agencies whose copy
others republish), government. Names unknown to the table still count when they read like an outlet or an
office (by their last word, in either script).
"""

from __future__ import annotations

import re

from etl.records import SourceRef
from etl.rules import government_suffixes, rows


def _load_table() -> tuple[dict[str, str], dict[str, str]]:
    """(name -> kind, alias -> name); ASCII aliases are keyed in lower case, as slugs and tags are written."""
    kinds: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for row in rows("outlets"):
        name = row["name"].strip()
        kinds[name] = row["kind"].strip()
        for alias in (row.get("aliases") or "").split("|"):
            alias = alias.strip()
            if alias:
                aliases[alias.lower() if alias.isascii() else alias] = name
    return kinds, aliases


OUTLET_KINDS, OUTLET_ALIASES = _load_table()

# An unknown name that still reads like an outlet: ends in 报, 网, 社, 台, 新闻, 财经, 杂志, 周刊 (both scripts).
_OUTLET_SUFFIX = re.compile(
    r"^[\u4e00-\u9fffA-Za-z0-9·+]{2,14}(?:报|報|网|網|社|台|臺|新闻|新聞|财经|財經|杂志|雜誌|周刊|週刊|频道|頻道)$"
)
_GOVERNMENT_SUFFIX = re.compile("(?:" + "|".join(map(re.escape, government_suffixes("source"))) + ")$")
# What a 来源 value adds to the outlet's name: the channel it came through (央视新闻客户端, 新华社微博).
_CHANNEL_SUFFIX = re.compile(
    r"(?:官方)?(?:客户端|客戶端|APP|App|app|微博|微信公众号|微信公眾號|公众号|公眾號|微信|官微|抖音号|视频号|視頻號|"
    r"网站|網站|官网|官網|门户网站|門戶網站|手机版|手機版|移动版|移動版|电脑版|電腦版|报道|報道|報導)$"
)
# 来源 values that name no outlet: the site itself, "the web", "compiled".
_NOT_AN_OUTLET = frozenset({
    "本站", "本网", "本網", "本报", "本報", "原创", "原創", "网络", "網絡", "網路", "互联网", "互聯網", "综合", "綜合",
    "网络整理", "综合整理", "综合报道", "綜合報導", "转载", "轉載", "网友", "網友", "网友投稿", "投稿", "未知", "其他", "其它",
    "佚名", "匿名", "编辑部", "編輯部", "本站原创", "本网原创", "图片来源", "圖片來源",
})
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9·+（）()]{1,19}$")


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
    channel = _CHANNEL_SUFFIX.search(text)
    if channel and channel.start() >= 2:
        text = text[:channel.start()]  # 国家统计局网站 -> 国家统计局, 央视新闻客户端 -> 央视新闻
        found = known_outlet(text)
        if found:
            return found
    if _OUTLET_SUFFIX.match(text) and text not in _NOT_AN_OUTLET:
        kind = "wire" if text.endswith("社") and not text.endswith("出版社") else "media"
        return SourceRef(text, kind)
    if 2 < len(text) <= 20 and _GOVERNMENT_SUFFIX.search(text):
        return SourceRef(text, "government")
    return None


def stated_outlet(value: str) -> SourceRef | None:
    """The outlet a page names after 来源 / 信息来源: its first name that is an outlet, an office or at least a
    name; None for a feed code (sp20240506), the site itself (本站) or a sentence."""
    for part in re.split(r"\s*[、/／|｜,，;；\s]\s*|\s*[-－–—]+\s*", value.strip(" :：()（）[]【】。.")):
        part = _CHANNEL_SUFFIX.sub("", part.strip()).strip()
        if len(part) < 2 or part in _NOT_AN_OUTLET:
            continue
        outlet = outlet_from_name(part)
        if outlet:
            return outlet
        if _CJK_NAME.match(part):
            return SourceRef(part, "media")
        return None  # the first name decides: a code or a phrase in front is not followed past
    return None
