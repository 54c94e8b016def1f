"""The opening and closing lines of a web page's text: headline, date, outlet, reporters (both scripts).

A news or government page saved as text (or HTML turned into text) opens with furniture (navigation,
log-in links, share buttons), then the headline, then metadata lines (发布时间 / 來源 / 作者 …, or a bare
timestamp), then the lead, which may itself open with a dateline (新华社北京12月8日电, 南都讯, 《…專訊》).
Government pages often repeat 发布日期 / 信息来源 at the bottom. These rules read those layouts; they never
look at a site's name or a document's wording. The labels are a data table (``etl/rules/page_labels.csv``).

A title is only taken where the layout marks a headline: the line just above the metadata lines (or just
below them), or the line just above the lead. A caption, a section heading or a sentence is never a title:
no title is better than a wrong one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from etl.extract.boilerplate import is_boilerplate_line
from etl.extract.dates import ParsedWhen, find_labelled_when, find_when_span
from etl.extract.outlets import OUTLET_ALIASES, OUTLET_KINDS, known_outlet, outlet_from_name, stated_outlet
from etl.records import SourceRef
from etl.rules import rows

_LINE_EDGES = " \t\u3000\u00a0•·●■▪◆□◎►▶"  # spaces, and the bullets and marks menus and bylines open with
HEADER_LINES = 30  # non-empty lines read before the lead; a page's header is never longer
FOOTER_LINES = 8


def _load_labels() -> dict[str, str]:
    return {row["label"].strip(): row["field"].strip() for row in rows("page_labels")}


LABEL_FIELDS = _load_labels()


@cache
def _label_pattern() -> re.Pattern[str]:
    """A label is not the end of a longer word (活动时间); a colon or a bar follows it, or the date itself.

    Built on first use: pages need it, the bulk corpus of laws never does (its import cost stays out)."""
    labels = "|".join(sorted(map(re.escape, LABEL_FIELDS), key=len, reverse=True))
    dates = "|".join(sorted((re.escape(label) for label, kind in LABEL_FIELDS.items() if kind == "date"),
                            key=len, reverse=True))
    return re.compile(rf"(?<![\u4e00-\u9fff])(?:(?P<label>{labels})\s*[:：|｜]|(?P<dlabel>{dates})\s*(?=\d))")


# 本文转自【新华社】 / 转载自（人民网）: a credit with its outlet in brackets and no colon.
_CREDIT = re.compile(r"^(?:本文|本稿|文章)?(?:转自|轉自|转载自|轉載自|来自|來自)\s*[【\[（(](?P<name>[^】\]）)]{2,20})[】\]）)]")
# Publication labels beat generic ones (时间, 日期), which beat an update time.
_DATE_RANK_PUBLISHED = re.compile(r"^(?:发|發|刊|成文|公开|公開|上传|录入)")
_DATE_RANK_UPDATED = re.compile(r"^(?:更新)")
_FIELD_SEPARATORS = " \t\u3000|｜丨·•【】[]()（）"

# ---------------------------------------------------------------- what a line is

@cache
def _dateline_pattern() -> re.Pattern[str]:
    """新华社北京12月8日电（记者沐铁城、彭韵佳） / 中新网温州12月17日电 / 南都讯 / 《經濟通通訊社25日專訊》 /
    大河网讯（记者…）: a known outlet, or a name ending like one, then place, day and 电 / 讯 (built on first use)."""
    known = "|".join(sorted(map(re.escape, {*OUTLET_KINDS, *(a for a in OUTLET_ALIASES if not a.isascii())}),
                            key=len, reverse=True))
    return re.compile(
        rf"^[【\[（(《]?\s*(?:据|據)?(?P<outlet>{known}|[\u4e00-\u9fffA-Za-z+]{{1,6}}?(?:网|網|报|報|社|台|臺|新闻|新聞))"
        r"\s*(?:(?:记者|記者)\s*(?P<inner>[\u4e00-\u9fff、]{2,12}?)\s*)?"
        r"(?P<place>[\u4e00-\u9fff]{2,10}?)?\s*(?P<date>(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日)?\s*"
        r"(?P<kind>(?:电|電)(?![视視话話台子影力脑腦商器])|专讯|專訊|讯|訊|快讯|快訊|消息)\s*[】\]）)》]?\s*"
        r"(?:[（(]\s*(?P<reporters>[^）)]{2,40})[）)])?"
    )


_BRACKET_OUTLET = re.compile(
    r"^[\[【〔]\s*(?P<name>[^\]】〕\s]{2,16}?)\s*(?:报道|報導|消息|综合报道|綜合報導)?\s*[\]】〕]"
)
# 聯合報 記者陳宥菘/即時報導 / 記者陳鈞凱/台北報導 / 新华社记者兰天鸣、龚雯 / 晨报记者 罗剑华 通讯员 刘宁
_BYLINE = re.compile(
    r"^[〔\[【(（]?\s*(?:文\s*[/／|｜]\s*)?(?P<outlet>[^\s〔\[【(（记記]{2,12}?)?\s*"
    r"(?:本报|本報|本台|本网|本網)?(?:特约|特約|实习|實習|首席)?(?:记者|記者)\s*[:：]?\s*(?P<names>[^/／〕\]】)）]{2,30})"
    r"(?:[/／][^〕\]】)）]{0,10}(?:报道|報導|报导))?[〕\]】)）]?$"
)
_NAME_SPLIT = re.compile(r"[\s、，,]+")
_STAFF_WORDS = re.compile(r"^(?:本报|本報)?(?:特约|特約|实习生?|實習生?|首席)?(?:记者|記者|通讯员|通訊員|摄影|攝影|摄|攝|编辑|編輯)")
_PERSON = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")

_SECTION_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}(?:\.\d{1,2})*(?:\s*[、.．]|\s+)"
    r"|第[一二三四五六七八九十百\d]+[章节節条條部篇]|[①-⑳]|[【\[（(]?\s*(?:典型)?案例\s*[一二三四五六七八九十\d]*\s*[】\]）):：、.]"
    r"|(?:典型)?案例\s*[一二三四五六七八九十\d]+|附件\s*\d*\s*[:：])"
)
_CAPTION = re.compile(
    r"[(（][^()（）]{0,30}(?:摄|攝|供图|供圖|资料图|資料圖|视觉中国|視覺中國|图源|圖源|截图|截圖|翻摄|翻攝"
    r"|路透|美联社|美聯社|法新社|新华社发|新華社發|示意图|示意圖)[^()（）]{0,12}[)）]\s*$"
    r"|资料图|資料圖|示意图|示意圖|图片来源|圖片來源|图片由|圖片由|^图为|^圖為|^图[/／:：]|^圖[/／:：]|仅供参考|僅供參考"
)
_BRACKETED = re.compile(r"^[(（【\[〔].{0,40}[)）】\]〕]$")
_FURNITURE_WORDS = re.compile(
    r"登录|登入|注册|註冊|登出|会员|會員|首页|首頁|下载|下載|分享|复制|複製|收藏|打印|列印|关闭|關閉|返回|字体|字體|"
    r"字号|字號|推荐|推薦|相关|相關|热门|熱門|评论|評論|留言|关键字|關鍵字|关键词|關鍵詞|回应|回應|顶端|頂端|网站地图|"
    r"網站地圖|设为首页|客服|搜索|搜尋|订阅|訂閱|常见问题|常見問題|App|APP|app|客户端|客戶端|^本文共\d+字|^\d+字$|"
    r"当前位置|當前位置|您的位置|你的位置|无障碍|無障礙|繁体|繁體|简体|簡體"
)
# A newspaper story's print citation at its end: 《人民日报》（2024年10月28日 第12版）.
_PRINT_CITATION = re.compile(
    r"^[（(]?\s*《\s*(?P<name>[^》]{2,20}?)\s*》\s*[（(]\s*(?P<day>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
    r"\s*(?:第?\s*[\d一二三四五六七八九十]{1,3}\s*版)?\s*[)）]"
)
_SOURCE_AT_END = re.compile(r"(?:来源|來源)\s*[:：]\s*$")
_BREADCRUMB = re.compile(r"\s*(?:>|›|»|＞|→)\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Field lines of an event page ("主题: …", "地点: …"): not the page's headline.
_FIELD_LINE = re.compile(r"^(?:主题|主題|题目|題目|地点|地點|主持人?|发布人|發布人|主办|主辦|承办|承辦|嘉宾|嘉賓|议程|議程)\s*[:：]")
_SUBTITLE_MARKS = ("——", "—", "--", "－－")
_SENTENCE_END = ("。", "；", ";", "：", ":", "，", ",", "、")


@dataclass(slots=True)
class PageHeader:
    """What the opening and closing lines of a page state."""

    title: str | None = None
    when: ParsedWhen | None = None
    source: SourceRef | None = None  # the outlet or office a 来源 / 信息来源 line names
    byline_outlet: SourceRef | None = None  # the outlet of a dateline or byline (新华社…电, 聯合報 記者…)
    masthead: SourceRef | None = None  # a known outlet alone on the first line: the site's name
    authors: list[str] = field(default_factory=list)
    editor: str | None = None


@dataclass(slots=True)
class _Labelled:
    dates: list[tuple[int, ParsedWhen]] = field(default_factory=list)  # (rank, when)
    sources: list[SourceRef] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # 标题 / 原标题 values
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    pending_source: bool = False  # "来源:" with its value on the next line


def labelled_fields(line: str) -> list[tuple[str, str, str]]:
    """(label, field, value) for each label on a line: "作者:X 发布时间:2021-10-19 13:32" -> two fields."""
    marks = list(_label_pattern().finditer(line))
    out = []
    for position, mark in enumerate(marks):
        label = mark.group("label") or mark.group("dlabel")
        stop = marks[position + 1].start() if position + 1 < len(marks) else len(line)
        out.append((label, LABEL_FIELDS[label], line[mark.end():stop].strip(_FIELD_SEPARATORS)))
    return out


def _read_labels(line: str, into: _Labelled) -> str | None:
    """Fill `into` from a line whose first label opens it: "meta", or "furniture" for a line of counters and
    buttons only ("分享到:", "浏览次数: 12"); None for any other line."""
    credit = _CREDIT.match(line)
    if credit:
        outlet = stated_outlet(credit.group("name"))
        if outlet:
            into.sources.append(outlet)
        return "meta"
    fields = labelled_fields(line)
    if not fields:
        return None
    opening = line[:_label_pattern().search(line).start()].strip(_FIELD_SEPARATORS)  # type: ignore[union-attr]
    if len(opening) > 2:
        stamp = _timestamp(opening)
        if stamp is None or stamp[1]:
            return None  # a label inside a sentence
        into.dates.append((1, stamp[0]))  # a date first: "2024-03-01 20:23 来源: …"
    for label, kind, value in fields:
        if kind in ("source", "author", "editor") and value:
            span = find_when_span(value)
            if span:  # "来源:中国新闻网2023-05-23 16:21": the date ends the value and dates the page
                into.dates.append((1, span[0]))
                value = value[:span[1]].strip(_FIELD_SEPARATORS)
        if kind == "date":
            when = find_labelled_when(value) if value else None
            if when:
                rank = 0 if _DATE_RANK_PUBLISHED.match(label) else 2 if _DATE_RANK_UPDATED.match(label) else 1
                into.dates.append((rank, when))
                span = find_when_span(value)
                rest = value[span[2]:].strip(_FIELD_SEPARATORS) if span else ""
                if rest and is_headline(rest):
                    into.titles.append(rest)  # a saved page's "date 2025-11-07 <headline>" line
        elif kind == "source":
            outlet = stated_outlet(value) if value else None
            if outlet:
                into.sources.append(outlet)
            into.pending_source = not value and len(fields) == 1
        elif kind == "title" and value:
            into.titles.append(value)
        elif kind == "author" and value:
            into.authors.extend(name for name in _NAME_SPLIT.split(value) if _PERSON.match(name))
        elif kind == "editor" and value:
            names = [name for name in _NAME_SPLIT.split(value) if _PERSON.match(name)]
            into.editor = into.editor or (names[0] if names else None)
    return "meta" if any(kind != "furniture" for _, kind, _ in fields) else "furniture"


@dataclass(frozen=True, slots=True)
class Dateline:
    """What a lead's dateline states: 新华社北京12月8日电（记者沐铁城、彭韵佳）, 【大紀元2011年09月14日訊】."""

    outlet: SourceRef
    place: str | None = None
    reporters: tuple[str, ...] = ()
    day: ParsedWhen | None = None  # only when the dateline gives the year


def dateline(paragraph: str) -> Dateline | None:
    """The dateline a lead opens with; None when it has none."""
    head = paragraph[:80]
    if any("\uff10" <= ch <= "\uff19" for ch in head):
        head = head.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    match = _dateline_pattern().match(head)
    if not match:
        tagged = _BRACKET_OUTLET.match(head)  # [Newtalk新聞] / 【环球网报道】
        outlet = outlet_from_name(tagged.group("name")) if tagged else None
        return Dateline(outlet) if outlet else None
    if match.group("kind") == "消息" and not (match.group("place") or match.group("date")):
        return None  # "人民网消息" alone is ordinary prose more often than a dateline
    if match.group("kind") in ("讯", "訊") and match.group("place") and not match.group("date"):
        return None  # a dateline place comes with a day ("潇湘晨报1月5日讯"); "南都讯" has neither
    outlet = outlet_from_name(match.group("outlet"))
    if outlet is None:
        return None
    reporters = (*_names(match.group("inner") or ""), *_names(match.group("reporters") or ""))
    written = match.group("date") or ""
    day = find_labelled_when(written) if "年" in written else None
    return Dateline(outlet, match.group("place"), reporters, day)


def _names(text: str) -> list[str]:
    """Person names of a reporters' bracket: "记者 潘沁文 通讯员 陈朝阳" -> [潘沁文, 陈朝阳]."""
    names = []
    for token in _NAME_SPLIT.split(text):
        token = _STAFF_WORDS.sub("", token).strip()
        if _PERSON.match(token):
            names.append(token)
    return names


def byline(line: str) -> tuple[SourceRef | None, list[str]] | None:
    """(outlet, reporters) of a reporter line ("聯合報 記者陳宥菘/即時報導"); None when the line is not one."""
    if len(line) > 48 or ("记者" not in line[:16] and "記者" not in line[:16]) or line.endswith("。"):
        return None
    match = _BYLINE.match(line)
    if not match:
        return None
    names = _names(match.group("names"))
    if not names:
        return None
    prefix = (match.group("outlet") or "").strip()
    return (outlet_from_name(prefix) if prefix else None), names


def _is_furniture(line: str) -> bool:
    """Navigation, log-in and share links, counters: lines no reader takes for the article."""
    if len(line) <= 4 or not _CJK.search(line) or is_boilerplate_line(line):
        return True
    if _BREADCRUMB.search(line) and all(len(part) <= 12 for part in _BREADCRUMB.split(line)):
        return True
    parts = [part for part in re.split(r"[\s|｜]+", line) if part]
    if len(parts) >= 3 and sum(map(len, parts)) / len(parts) <= 5:
        return True  # a row of menu words: "即时 热门 政治 军武 社会"
    return len(line) <= 14 and bool(_FURNITURE_WORDS.search(line))


def is_caption(line: str) -> bool:
    """A photo caption or credit: "(资料图片仅供参考)", "…现场。（记者 张三 摄）"."""
    return bool(_CAPTION.search(line)) or bool(_BRACKETED.match(line) and len(line) <= 30)


def is_section_heading(line: str) -> bool:
    """一、基本情况 / （二） / 1. / 第三章 / 案例一: the heading of a part, not of the page."""
    return bool(_SECTION_HEADING.match(line))


def is_sentence(line: str) -> bool:
    """A line of running text (a lead, a paragraph), not a headline."""
    if len(line) > 60 or line.endswith(_SENTENCE_END):
        return True
    if line.endswith(("！", "!")) and len(line) > 30:
        return True
    return line.count("，") + line.count(",") >= 2 and len(line) > 30


def is_headline(line: str) -> bool:
    """Whether a line can be a page's headline (where the layout puts one)."""
    return 5 <= len(line) and not line.startswith(_SUBTITLE_MARKS) and not (is_sentence(line) or is_caption(line) or is_section_heading(line)
                                   or _is_furniture(line) or _FIELD_LINE.match(line) is not None
                                   or _label_pattern().match(line) is not None)


def _timestamp(line: str) -> tuple[ParsedWhen, str] | None:
    """A line that is a date or a timestamp, and what else it holds ("NOWnews/ 2016.02.16 00:00" -> "NOWnews")."""
    if len(line) > 48:
        return None
    found = find_when_span(line)
    if found is None:
        return None
    when, start, end = found
    rest = (line[:start] + " " + line[end:]).strip(_FIELD_SEPARATORS + "/／,，:：-")
    rest = re.sub(r"(?:星期|週|周|礼拜|禮拜)[一二三四五六日天]", "", rest).strip(_FIELD_SEPARATORS + "/／,，")
    if len(rest) > 16 or len(_CJK.findall(rest)) > 8:
        return None  # a headline with a date in it ("2024年1月17日国家医保局新闻发布会实录")
    return when, rest


# ---------------------------------------------------------------- the reader

def read_page_header(text: str) -> PageHeader:
    """Title, date, outlet and reporters from the opening and closing lines of a page's text."""
    lines = [line.strip(_LINE_EDGES) for line in text.split("\n", 400)[:400]]
    lines = [line for line in lines if line]
    header = PageHeader()
    labelled = _Labelled()
    stamps: list[ParsedWhen] = []
    meta_at: list[int] = []  # indexes of metadata lines
    counters_at: list[int] = []  # lines of furniture labels only ("人氣: 15", "标签:")
    lead_at: int | None = None
    for index, line in enumerate(lines[:HEADER_LINES]):
        if labelled.pending_source:
            labelled.pending_source = False
            outlet = _outlet_below_label(line)
            if outlet:
                labelled.sources.append(outlet)
                meta_at.append(index)
                continue
        read = _read_labels(line, labelled)
        if read:
            (meta_at if read == "meta" else counters_at).append(index)
            continue
        stamp = _timestamp(line)
        if stamp:
            stamps.append(stamp[0])
            outlet = outlet_from_name(stamp[1]) if stamp[1] else None
            header.byline_outlet = header.byline_outlet or outlet
            meta_at.append(index)
            continue
        if meta_at and meta_at[-1] == index - 1 and len(line) <= 16:
            alone = known_outlet(line) or outlet_from_name(line)
            if alone and alone.kind != "government":
                labelled.sources.append(alone)  # the outlet printed alone under the date line
                meta_at.append(index)
                continue
        reporter = byline(line)
        if reporter:
            header.byline_outlet = header.byline_outlet or reporter[0]
            header.authors.extend(reporter[1])
            meta_at.append(index)
            continue
        lead = dateline(line)
        if lead:
            header.byline_outlet = header.byline_outlet or lead.outlet
            header.authors.extend(lead.reporters)
            if lead.day:
                stamps.append(lead.day)
        if _is_furniture(line) and not lead:
            continue
        if lead or is_sentence(line):
            lead_at = index  # the lead (a dateline line opens the story even when it is short)
            break
    footer = _Labelled()
    tail_start = max(lead_at if lead_at is not None else 0, len(lines) - FOOTER_LINES)
    for line in lines[tail_start:]:
        if footer.pending_source:
            footer.pending_source = False
            outlet = _outlet_below_label(line)
            if outlet:
                footer.sources.append(outlet)
                continue
        if _read_labels(line.strip("（）()[]【】"), footer):
            continue
        citation = _PRINT_CITATION.match(line)
        if citation:
            outlet = stated_outlet(citation.group("name"))
            if outlet:
                footer.sources.append(outlet)
            when = find_labelled_when(citation.group("day"))
            if when:
                footer.dates.append((0, when))
            continue
        footer.pending_source = _SOURCE_AT_END.search(line) is not None  # "…。 来源:" + the outlet below
    if lines and len(lines[0]) <= 12:
        header.masthead = known_outlet(lines[0])
    header.title = _pick_title(lines, meta_at, lead_at, set(counters_at)) or next(iter(labelled.titles), None)
    header.when = _pick_when(labelled, stamps, footer)
    sources = labelled.sources or footer.sources
    header.source = sources[0] if sources else None
    header.authors = list(dict.fromkeys([*labelled.authors, *header.authors, *footer.authors]))
    header.editor = labelled.editor or footer.editor
    return header


def _outlet_below_label(line: str) -> SourceRef | None:
    """The outlet on the line under a 来源 label that ends its line: only a name that reads like an outlet or
    an office (新华社微博, 某市医疗保障局), since an empty label is as often followed by the headline or the text."""
    if len(line) > 20 or _label_pattern().match(line):
        return None
    return outlet_from_name(line)


def _pick_when(labelled: _Labelled, stamps: list[ParsedWhen], footer: _Labelled) -> ParsedWhen | None:
    """A labelled date first (publication labels before 时间 / 日期, those before 更新时间), then a bare
    timestamp, then a labelled date at the bottom; a date without its time takes the time another line
    gives for the same day ("date 2025-09-25" above "25/09/2025 14:30")."""
    ranked = [when for _, when in sorted(labelled.dates, key=lambda pair: pair[0])]  # sorted is stable
    candidates = [*ranked, *stamps, *(when for _, when in sorted(footer.dates, key=lambda pair: pair[0]))]
    if not candidates:
        return None
    best = candidates[0]
    if best.published_at is None:
        timed = [when for when in candidates if when.published_at and when.published_on == best.published_on]
        return timed[0] if timed else best
    return best


def _pick_title(lines: list[str], meta_at: list[int], lead_at: int | None, counters: set[int]) -> str | None:
    """The headline where the layout puts it, else None."""
    if meta_at:
        first, last = meta_at[0], meta_at[-1]
        above = _nearest_headline(lines, range(first - 1, -1, -1), counters)
        if above:
            return above
        stop = lead_at if lead_at is not None else min(len(lines), last + 4)
        below = _nearest_headline(lines, range(last + 1, stop), counters)
        if below:
            return below
    if lead_at is not None and lead_at <= 12:
        return _nearest_headline(lines, range(lead_at - 1, -1, -1), counters, stop_at=set(meta_at))
    return None


def _nearest_headline(lines: list[str], order: range, counters: set[int],
                      stop_at: set[int] | None = None) -> str | None:
    """The first headline met walking `order`, stepping over furniture, counters and captions only."""
    for index in order:
        if stop_at and index in stop_at:
            return None
        line = lines[index]
        if index in counters or line.startswith(_SUBTITLE_MARKS):
            continue  # a subtitle ("——从四个案例看…") sits between the headline and the date lines
        if is_headline(line):
            return line
        if not (_is_furniture(line) or is_caption(line)):
            return None
    return None
