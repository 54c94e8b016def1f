"""Metadata rules, written for the language and the layouts (never for particular files).

Each reader takes text of one layout and fills a ``Fields`` bag; document.py turns it into the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from etl.extract.dates import ParsedWhen, find_chinese_date, find_when, parse_when
from etl.extract.formats import DISCLOSURE_LABELS, DOC_NUMBER
from etl.extract.outlets import known_outlet, outlet_from_name
from etl.records import SourceRef
from etl.rules import government_suffixes


@dataclass(slots=True)
class Fields:
    """Metadata found so far; every reader fills what its layout states."""

    title: str | None = None
    when: ParsedWhen | None = None
    source: SourceRef | None = None
    original_source: SourceRef | None = None
    doc_number: str | None = None
    index_number: str | None = None
    editor: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    issuers: list[str] = field(default_factory=list)
    publisher_agency: str | None = None
    cc: list[str] = field(default_factory=list)
    dateline: str | None = None
    adopted_on: date | None = None
    effective_on: date | None = None
    body: str = ""


_SPACES = re.compile(r"\s+")
_LIST_SPLIT = re.compile(r"\s*[、，,；;]\s*")
# Government bodies end in one of these words (局, 委员会, 政府办 …: government_suffixes.csv).
GOVERNMENT_BODY = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}?(?:" + "|".join(map(re.escape, government_suffixes("issuer"))) + ")$"
)
_DOC_KINDS = r"(?:通知|通报|意见|办法|方案|规定|决定|公告|通告|批复|函|报告|细则|规划|要点|纪要|指引|指南|请示|决议|命令|令|规则|条例|计划)"
_TITLE_END = re.compile(_DOC_KINDS + r"[》”\"]?$")
_SALUTATION = re.compile(r"^[^。！？]{2,80}[:：]$")
_CC_LINE = re.compile(r"^抄\s*送\s*[:：]\s*(?P<rest>.*)$")
_NAME_LIST = re.compile(r"^[\u4e00-\u9fff（）()、，,\s]{2,200}[。.]?$")


def clean_value(value: Any) -> str | None:
    """A front-matter or header value as one trimmed line of text; None for empty or nested values."""
    if value is None or isinstance(value, dict | list | tuple | bool):
        return None
    text = _SPACES.sub(" ", str(value)).strip().strip("\u3000")
    return text or None


def value_list(value: Any, *, split_spaces: bool = False) -> list[str]:
    """Categories and tags: a list, or a string of comma (Jekyll: space) separated words."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    words: list[str] = []
    for item in items:
        text = clean_value(item)
        if not text:
            continue
        parts = re.split(r"[\s,，]+", text) if split_spaces else re.split(r"\s*[,，]\s*", text)
        words.extend(part for part in parts if part)
    return list(dict.fromkeys(words))


def normalise_doc_number(text: str) -> str:
    """云医保发[2022]6号 / (2022) / 【2022】 -> 云医保发〔2022〕6号: one spelling so copies compare equal."""
    match = DOC_NUMBER.search(text)
    if not match:
        return text.strip()
    return f"{match.group('prefix')}〔{match.group('year')}〕{match.group('no')}号"


# ---------------------------------------------------------------- front matter (Hexo, Jekyll, Hugo …)

_DATE_KEYS = ("date", "pubdate", "publishdate", "published", "published_at", "created", "time")
_URL_KEYS = ("url", "link", "source_url", "original_url", "canonical", "permalink")


def read_front_matter(fields: dict[str, Any], fmt: str) -> Fields:
    """Title, date, authors, categories, tags, url and the publisher from a front-matter block."""
    found = Fields(title=clean_value(fields.get("title")))
    for key in _DATE_KEYS:
        if key in fields:
            found.when = parse_when(fields[key])
            if found.when:
                break
    found.authors = value_list(fields.get("author") or fields.get("authors"))
    split_spaces = fmt == "jekyll"  # Jekyll splits a category string on spaces
    found.categories = value_list(fields.get("categories") or fields.get("category"), split_spaces=split_spaces)
    found.tags = value_list(fields.get("tags") or fields.get("tag"), split_spaces=split_spaces)
    for key in _URL_KEYS:
        url = clean_value(fields.get(key))
        if url and re.match(r"^(?:https?:)?//", url):
            found.url = url
            break
    found.source = publisher_from_labels(found.authors, found.categories, found.tags)
    # An outlet in the author field is the publisher, not a person who wrote the piece.
    found.authors = [author for author in found.authors if outlet_from_name(author) is None]
    return found


def publisher_from_labels(authors: list[str], categories: list[str], tags: list[str]) -> SourceRef | None:
    """The outlet of this copy: an author that is an outlet, else a known outlet among categories and tags."""
    for author in authors:
        outlet = outlet_from_name(author)
        if outlet:
            return outlet
    for label in [*categories, *tags]:
        outlet = known_outlet(label)
        if outlet:
            return outlet
    return None


# ---------------------------------------------------------------- bylines inside news text

# 《中国经营报》记者 … / 据《经济日报》报道
_PAPER_BYLINE = re.compile(r"^(?:据|来自)?《(?P<outlet>[^》]{2,20})》(?:记者|报道|消息|讯|日前|近日)")
_SOURCE_LINE = re.compile(
    r"^[（(【\[]?\s*(?:文章|稿件|本文|新闻|信息|内容)?(?:来源|来自|转自|出处)\s*[:：]\s*(?P<name>[^）)】\]\s。]{2,24})"
    r"\s*[）)】\]]?\s*[。.]?$"
)
_ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(?P<title>.+?)(?:\s+(?:来源|作者)\s*[:：]\s*(?P<name>\S{2,24}))?$")
_TRAILING_OUTLET = re.compile(r"[（(](?P<name>[\u4e00-\u9fffA-Za-z]{2,12})[)）]\s*$")


def read_bylines(body: str, found: Fields) -> None:
    """Original outlet, dateline place and reporters from the first and last paragraphs of a news text."""
    from etl.extract.page_header import dateline  # start-up: on first use, laws/ never needs its patterns

    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    if not paragraphs:
        return
    original: SourceRef | None = None
    for paragraph in paragraphs[:3]:
        match = _ORIGINAL_TITLE.match(paragraph)
        if match and match.group("name"):
            original = original or outlet_from_name(match.group("name"))
        lead = dateline(paragraph)
        if lead:
            original = original or lead.outlet
            found.dateline = found.dateline or lead.place
            found.authors = list(dict.fromkeys([*found.authors, *lead.reporters]))
            break
        match = _PAPER_BYLINE.match(paragraph)
        if match:
            original = original or outlet_from_name(match.group("outlet")) or SourceRef(match.group("outlet"), "media")
            break
    stated: list[SourceRef] = []
    for paragraph in [*paragraphs[:2], *paragraphs[-3:]]:
        match = _SOURCE_LINE.match(paragraph)
        if match:
            outlet = outlet_from_name(match.group("name")) or SourceRef(match.group("name"), "media")
            stated.append(outlet)
    match = _TRAILING_OUTLET.search(paragraphs[-1])
    if match:
        outlet = outlet_from_name(match.group("name"))
        if outlet and outlet.kind in ("media", "wire"):
            stated.append(outlet)
    for outlet in stated:
        # "（文章来源：贝果财经）" names the publisher when it is this site itself, else the first outlet.
        if found.source is None:
            found.source = outlet
        elif outlet.name != found.source.name and original is None:
            original = outlet
    if original and (found.source is None or original.name != found.source.name):
        found.original_source = original


# ---------------------------------------------------------------- plain-text government notice

_CHINESE_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
_CHINESE_DATE = re.compile(r"^(?P<y>[〇○零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})日$")


def _chinese_number(text: str) -> int:
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CHINESE_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CHINESE_DIGITS.get(units, 0) if units else 0)
    return int("".join(str(_CHINESE_DIGITS[ch]) for ch in text))


def signature_date(line: str) -> date | None:
    """The date under a notice's signature: 2022年3月1日 or 二〇二二年三月一日 alone on its line."""
    line = line.strip().strip("（）()")
    if re.fullmatch(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日", line):
        return find_chinese_date(line)
    match = _CHINESE_DATE.match(line)
    if match:
        try:
            return date(_chinese_number(match.group("y")), _chinese_number(match.group("m")),
                        _chinese_number(match.group("d")))
        except (ValueError, KeyError):
            return None
    return None


def _government_names(line: str) -> list[str]:
    """Names of bodies on a header line ("云阳县医疗保障局 云阳县公安局", a red-head "辽宁省医疗保障局文件"),
    [] when it is not such a line."""
    line = _LINE_NOISE.sub("", line)
    if line.endswith("文件") and len(line) > 4:
        line = line[:-2]
    names = [part for part in re.split(r"[\s、，,]+", line) if part]
    return names if names and all(GOVERNMENT_BODY.match(name) for name in names) else []


# What mirrors leave at the end of a signature line: "辽宁省医疗保障局 ???????", "2022年2月7日????".
_LINE_NOISE = re.compile(r"[^\u4e00-\u9fff\d〇○）)]+$")


def _signature_day(lines: list[str]) -> date | None:
    """The date under the first signature (a body's name, then a date alone), else a date alone among the
    last lines: a notice followed by its attachments is signed above them."""
    lines = [_LINE_NOISE.sub("", line.strip()) for line in lines if line.strip()]
    for index in range(1, len(lines)):
        if _government_names(lines[index - 1]):
            day = signature_date(lines[index])
            if day:
                return day
    for line in reversed(lines[-8:]):
        day = signature_date(line)
        if day:
            return day
    return None


def read_notice(text: str) -> Fields:
    """发文字号, issuing bodies, a title spread over lines, 抄送 and the signature date of a notice."""
    lines = text.split("\n")
    found = Fields()
    header_end = len(lines)
    for index, line in enumerate(lines[:40]):
        if _SALUTATION.match(line.strip()) and "关于" not in line:
            header_end = index
            break
    title_parts: list[str] = []
    title_done_at: int | None = None
    for index, raw in enumerate(lines[: min(header_end, 40)]):
        line = raw.strip()
        if not line:
            continue
        if title_parts:
            if _government_names(line) or DOC_NUMBER.fullmatch(line):
                break
            title_parts.append(line)
            title_done_at = index
            if _TITLE_END.search(line) or len(title_parts) >= 4:
                break
            continue
        number = DOC_NUMBER.search(line)
        if number and found.doc_number is None and len(line) <= len(number.group(0)) + 4:
            found.doc_number = normalise_doc_number(number.group(0))
            continue
        names = _government_names(line)
        if names:
            found.issuers.extend(names)
            continue
        if "关于" in line:
            prefix, _, rest = line.partition("关于")
            prefix_names = _government_names(prefix) if prefix.strip() else []
            if prefix.strip() and not prefix_names:
                rest, prefix_names = line, []
            else:
                rest = "关于" + rest
            found.issuers.extend(prefix_names)
            title_parts.append(rest)
            title_done_at = index
            if _TITLE_END.search(rest):
                break
        elif _TITLE_END.search(line) and len(line) <= 60:
            title_parts.append(line)
            title_done_at = index
            break
    found.issuers = list(dict.fromkeys(found.issuers))
    if title_parts:
        found.title = "".join(title_parts)
    body_start = title_done_at + 1 if title_done_at is not None else 0
    if title_done_at is None and header_end < len(lines):
        body_start = header_end
    body_lines = lines[body_start:]
    found.cc = _cc_names(body_lines)
    day = _signature_day(body_lines)
    if day:
        found.when = ParsedWhen(None, None, day)
    if found.issuers:
        found.source = SourceRef(found.issuers[0], "government")
    found.body = "\n".join(body_lines)
    return found


def _cc_names(lines: list[str]) -> list[str]:
    """Recipients on the 抄送 line and on name-only lines that continue it."""
    names: list[str] = []
    in_cc = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = _CC_LINE.match(line)
        if match:
            in_cc = True
            line = match.group("rest")
        elif not (in_cc and _NAME_LIST.match(line)):
            in_cc = False
            continue
        names.extend(part.strip("。. ") for part in _LIST_SPLIT.split(line) if part.strip("。. "))
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- government information-disclosure page

_LABEL = re.compile(r"(?:^|(?<=\s))(?P<label>[\u4e00-\u9fff]{1,6})\s*[:：]")
_META_ONLY_LABELS = frozenset({"作者", "发布时间", "信息来源", "阅读次数", "来源", "浏览次数", "字号", "点击数"})


def _known_label(label: str) -> str | None:
    """The full label for a header label, also when the page cut its start off ("号" -> "索引号")."""
    if label in DISCLOSURE_LABELS:
        return label
    for known in DISCLOSURE_LABELS:
        if known.endswith(label):
            return known
    return None


def header_fields(line: str) -> dict[str, str]:
    """"号: 003149652/202510-00075 信息分类: 政府新闻发布会实录" -> {"索引号": …, "信息分类": …}."""
    marks = [(m.start(), m.end(), _known_label(m.group("label"))) for m in _LABEL.finditer(line)]
    marks = [mark for mark in marks if mark[2]]
    fields: dict[str, str] = {}
    for position, (_, end, label) in enumerate(marks):
        stop = marks[position + 1][0] if position + 1 < len(marks) else len(line)
        if label and label not in fields:
            fields[label] = line[end:stop].strip()
    return fields


def read_disclosure(text: str) -> Fields:
    """Header fields (索引号, 发布机构, 发布时间 …), the title line and the body of a disclosure page."""
    lines = text.split("\n")
    found = Fields()
    values: dict[str, str] = {}
    title_at: int | None = None
    body_start = 0
    for index, raw in enumerate(lines[:40]):
        line = raw.strip()
        if not line:
            continue
        fields = header_fields(line)
        if fields:
            for key, value in fields.items():
                values.setdefault(key, value)
            if title_at is not None:
                if not set(fields) <= _META_ONLY_LABELS:
                    break
                body_start = index + 1
            continue
        if title_at is None and values and len(line) <= 120:
            title_at, body_start = index, index + 1
            found.title = line
            continue
        if title_at is not None:
            break
    for raw in lines[body_start: body_start + 12]:  # 发布单位 / 发布人 lines that open the body
        for key, value in header_fields(raw.strip()).items():
            values.setdefault(key, value)
    found.index_number = _first_token(values.get("索引号"))
    number = values.get("发布文号") or values.get("文号")
    if number and DOC_NUMBER.search(number):
        found.doc_number = normalise_doc_number(number)
    for key in ("发布时间", "发布日期", "发文日期", "成文日期"):
        if values.get(key):
            found.when = parse_when(values[key]) or find_when(values[key])
            if found.when:
                break
    office = values.get("发布机构") or values.get("信息来源") or values.get("来源")
    if office:
        found.source = outlet_from_name(office) or SourceRef(office, "government")
        if found.source.kind != "government" and values.get("发布机构"):
            found.source = SourceRef(office, "government")
    found.publisher_agency = values.get("发布单位") or values.get("发布机构")
    found.authors = [values["作者"]] if values.get("作者") else []
    found.categories = [values[key] for key in ("信息分类", "主题分类") if values.get(key)]
    found.tags = value_list(values.get("关键词"))
    found.body = "\n".join(lines[body_start:])
    return found


def _first_token(value: str | None) -> str | None:
    if not value:
        return None
    match = re.match(r"[\w/.\-]+", value)
    return match.group(0) if match else None


# ---------------------------------------------------------------- Markdown laws

_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PROMULGATED = re.compile(r"(?:公布|发布|颁布|印发|公告)")
_ADOPTED = re.compile(r"(?:通过|批准|修正|修订)")
_EFFECTIVE_INSIDE = re.compile(r"自\s*(\d{4}年\d{1,2}月\d{1,2}日)\s*起?(?:施行|实施|生效)")


def read_law(text: str) -> Fields:
    """`#` title, and the dates of adoption, promulgation and entry into force from the header lines."""
    found = Fields()
    header, marker, body = text.partition("<!-- INFO END -->")
    if not marker:
        header, body = "\n".join(text.split("\n")[:12]), text
    header = _HTML_COMMENT.sub("", header)
    titles = [line[2:].strip() for line in header.split("\n") if line.startswith("# ")]
    if titles:
        found.title = " ".join(titles[:2]) if len(titles) > 1 else titles[0]
    promulgated: date | None = None
    for raw in header.split("\n"):
        line = raw.strip()
        day = find_chinese_date(line)
        if day is None:
            continue
        event = line[line.index("日") + 1:]
        inside = _EFFECTIVE_INSIDE.search(event)
        if inside:
            found.effective_on = find_chinese_date(inside.group(1))
        if _PROMULGATED.search(event):
            promulgated = day
        elif _ADOPTED.search(event):
            found.adopted_on = day
        if re.search(r"(?:施行|实施)\s*$", event) and not inside:
            found.effective_on = day
        number = DOC_NUMBER.search(event)
        if number:
            found.doc_number = normalise_doc_number(number.group(0))
    if promulgated:
        found.when = ParsedWhen(None, None, promulgated)
    found.body = _HTML_COMMENT.sub("", body)
    return found
