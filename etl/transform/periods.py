"""The period a figure covers, read from the time expressions before it in its sentence.

2018年至2021年10月 -> 2018-01-01 … 2021-10-31; 截至2021年12月25日 -> only the end (an as-of figure);
2021年全年 -> the year; 截至10月底, 三年来, 今年 are anchored on the publication date. A figure that is a
running total (累计, 以来, 三年来, 截至 …) is flagged cumulative so reports do not add it to its parts.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from etl.transform.numbers import CHINESE_DIGITS, parse_chinese

_MONTH_NUMBER = r"\d{1,2}|[一二三四五六七八九十]{1,3}"


def _date_pattern(prefix: str, *, year_required: bool) -> str:
    """年/月/日 with named groups <prefix>y, <prefix>m, <prefix>d, <prefix>e (底/末)."""
    year = rf"(?:(?P<{prefix}y>\d{{4}})年)"

    def month_day(tag: str) -> str:
        month = rf"(?:(?P<{prefix}m{tag}>{_MONTH_NUMBER})月(?:份)?)"
        day = rf"(?:(?P<{prefix}d{tag}>\d{{1,2}})[日号]|(?P<{prefix}e{tag}>底|末))"
        return rf"{month}{day}?"

    if year_required:
        return rf"{year}(?:{month_day('')})?"
    # a month alone (截至10月底) takes its year from the publication date; its groups end in 2
    return rf"(?:{year}(?:{month_day('')})?|{month_day('2')})"


PERIOD_REGEX = re.compile(
    "|".join([
        # 2018年至2021年10月, 2021年1月至9月, 2021年1-9月
        rf"(?P<range>(?:自|从)?{_date_pattern('a', year_required=True)}\s*(?:至|到|—|-|~|～)\s*"
        rf"{_date_pattern('b', year_required=False)}(?:底|末)?)",
        # 1至8月份, 2021年1-9月: months of one year (the publication year when none is written)
        r"(?P<months>(?:(?P<my>\d{4})年)?(?P<m1>\d{1,2}|[一二三四五六七八九十]{1,3})月?\s*(?:至|到|-|—|~|～)\s*"
        r"(?P<m2>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?(?:底|末)?)",
        # 截至2021年12月25日, 截至10月底, 截至目前
        rf"(?P<asof>(?:截至|截止|截止到|截至到)\s*(?:(?P<now>目前|现在|发稿时|当前)|{_date_pattern('c', year_required=False)}))",
        # 自2025年4月起, 2020年1月1日以来, 7月以来
        rf"(?P<since>(?:自|从)?{_date_pattern('s', year_required=False)}(?:起|以来))",
        # 三年来, 近三年, 近5年来
        r"(?P<years>(?:近|过去)?(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,2})年(?:来|以来|间)|近(?P<n2>\d{1,2}|[一二两三四五六七八九十]{1,2})年)",
        r"(?P<thisyear>今年(?:以来|来|全年|上半年|前三季度)?)",
        r"(?P<lastyear>去年(?:全年)?|上年度|上一年度)",
        # 2021年, 2021年全年, 2021年度, 2021年10月
        rf"(?P<plain>{_date_pattern('p', year_required=True)}(?:全年|度)?)",
    ])
)

CUMULATIVE_REGEX = re.compile(r"累计|以来|年来|截至|截止|至今|历年")


@dataclass(frozen=True, slots=True)
class Period:
    """A figure's period; start None for an as-of figure."""

    start: date | None
    end: date | None
    cumulative: bool = False


def _small_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    value = parse_chinese(text)
    return value if value is not None else CHINESE_DIGITS.get(text, 0)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _resolve(match: re.Match[str], prefix: str, anchor: date | None, *, end: bool) -> date | None:
    """The first (end=False) or last (end=True) day a date expression can mean."""
    groups = match.groupdict()
    year_text = groups.get(prefix + "y")
    month_text = groups.get(prefix + "m") or groups.get(prefix + "m2")
    day_text = groups.get(prefix + "d") or groups.get(prefix + "d2")
    try:
        month = _small_number(month_text) if month_text else None
        if month is not None and not 1 <= month <= 12:
            return None
        if year_text:
            year = int(year_text)
        elif anchor is not None:
            year = anchor.year - 1 if month and month > anchor.month else anchor.year
        else:
            return None
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day_text:
            return date(year, month, int(day_text))
        return _month_end(year, month) if end else date(year, month, 1)
    except ValueError:
        return None


def _years_back(anchor: date, years: int) -> date:
    try:
        return anchor.replace(year=anchor.year - years)
    except ValueError:  # 29 February
        return anchor.replace(year=anchor.year - years, day=28)


def _period_of(match: re.Match[str], anchor: date | None) -> Period | None:
    kind = next(
        k for k in ("range", "months", "asof", "since", "years", "thisyear", "lastyear", "plain") if match.group(k)
    )
    if kind == "range":
        start = _resolve(match, "a", anchor, end=False)
        end_anchor = start or anchor
        if match.group("by") is None and start is not None:  # 2021年1月至9月: the year carries over
            end_anchor = date(start.year, 12, 31)
        return Period(start, _resolve(match, "b", end_anchor, end=True))
    if kind == "months":
        year = int(match.group("my")) if match.group("my") else (anchor.year if anchor else None)
        first, last = _small_number(match.group("m1")), _small_number(match.group("m2"))
        if year is None or not 1 <= first <= last <= 12:
            return None
        return Period(date(year, first, 1), _month_end(year, last))
    if kind == "asof":
        if match.group("now"):
            return Period(None, anchor, cumulative=True)
        return Period(None, _resolve(match, "c", anchor, end=True), cumulative=True)
    if kind == "since":
        return Period(_resolve(match, "s", anchor, end=False), anchor, cumulative=True)
    if kind == "years":
        if anchor is None:
            return Period(None, None, cumulative=True)
        years = _small_number(match.group("n") or match.group("n2"))
        return Period(_years_back(anchor, years), anchor, cumulative=True)
    if anchor is None:
        return None
    if kind == "thisyear":
        text = match.group("thisyear")
        if text.endswith("全年"):
            return Period(date(anchor.year, 1, 1), date(anchor.year, 12, 31))
        return Period(date(anchor.year, 1, 1), anchor, cumulative=text.endswith("以来") or text.endswith("来"))
    if kind == "lastyear":
        return Period(date(anchor.year - 1, 1, 1), date(anchor.year - 1, 12, 31))
    return None


def _plain_period(match: re.Match[str]) -> Period | None:
    start = _resolve(match, "p", None, end=False)
    end = _resolve(match, "p", None, end=True)
    return Period(start, end) if start and end else None


def find_period(sentence: str, figure_offset: int, published_on: date | None) -> Period:
    """Period of the figure at figure_offset in sentence: the nearest time expression before it.

    An as-of expression (截至 …) after a since-expression (自2025年4月起 … 截至目前) takes the start of the
    latter. Cumulative when the sentence up to the figure says so (累计, 以来, 截至 …).
    """
    before = sentence[:figure_offset].replace(" ", "")  # briefings space out digits: 7 月以来
    cumulative = CUMULATIVE_REGEX.search(before) is not None
    if not any(ch in before for ch in "年月今截"):
        return Period(None, None, cumulative)
    found: list[Period] = []
    last_end = 0
    for match in PERIOD_REGEX.finditer(before):
        period = _plain_period(match) if match.group("plain") else _period_of(match, published_on)
        if period is not None:
            found.append(period)
            last_end = match.end()
    if not found:
        return Period(None, None, cumulative)
    last = found[-1]
    if not last.cumulative and "以来" in before[last_end:]:
        # 今年追回88.12亿元，意味着国家医保局自成立以来，已累计追回436.87亿元: a running total since
        # some event the text does not date, as of publication
        return Period(None, published_on, True)
    start = last.start
    if start is None and last.end is not None:
        since = [p for p in found[:-1] if p.cumulative and p.start is not None]
        if since:
            start = since[-1].start
    if start is not None and last.end is not None and start > last.end:
        # 自2024年12月1日起 in a September text is a rule taking effect later, not a period already reported
        return Period(None, None, cumulative)
    return Period(start, last.end, cumulative or last.cumulative)
