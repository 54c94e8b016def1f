"""Dates and times as documents write them -> (UTC instant, offset as written, Beijing calendar day).

The contract: a time with no offset is Beijing time; ``published_at`` exists only when a time of day is
given; ``published_on`` is the calendar day in Beijing whenever a date is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from etl.constants import BEIJING


@dataclass(frozen=True, slots=True)
class ParsedWhen:
    """A moment or a day read from text."""

    published_at: datetime | None  # aware, UTC; None for a date-only value
    published_offset: str | None  # "+08:00", "+00:00" … as written (naive times count as "+08:00")
    published_on: date  # calendar day in Beijing


_ISO_LIKE = re.compile(
    r"""^\s*(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})
    (?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?
    \s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$""",
    re.X,
)
_CHINESE = re.compile(
    r"""(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号號]
    (?:\s*[（(][一二三四五六日天][)）]|\s*(?:星期|週|周|礼拜|禮拜)[一二三四五六日天])?  # weekday: (日), 星期三
    (?:\s*(?P<ampm>上午|下午|晚上|凌晨|中午|早上|晚間|晚间)?\s*(?P<H>\d{1,2})\s*[:：时時点點]\s*(?P<M>\d{1,2})
    (?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?""",
    re.X,
)
# 25/09/2025 14:30 (Hong Kong, Macau: day first; a first number over 12 only fits a month second).
_DAY_FIRST = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})(?!\d)"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
# Taiwan's official calendar in a labelled value: 民國114年3月5日, 114-03-05, 114/03/05 (year + 1911).
_ROC = re.compile(r"^\s*(?:民國|民国)?\s*(?P<y>\d{2,3})\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})(?!\d)")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：／－．", "0123456789:/-.")
_AFTERNOON = frozenset({"下午", "晚上", "晚間", "晚间"})
# A date inside running text, e.g. "发布时间:2025-10-28 11:06" or "2018年11月23日".
_NUMERIC_IN_TEXT = re.compile(
    r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"
    r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def _offset_text(offset: timedelta) -> str:
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _parse_tz(text: str | None) -> timezone | None:
    if not text:
        return None
    if text in ("Z", "UTC", "GMT"):
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if text[0] == "-" else delta)


def _from_parts(parts: dict[str, str | None], tz: timezone | None) -> ParsedWhen | None:
    """Build a ParsedWhen from regex groups; None when the numbers do not make a real date."""
    try:
        day = date(int(parts["y"] or 0), int(parts["m"] or 0), int(parts["d"] or 0))
    except ValueError:
        return None
    if parts.get("H") is None:
        return ParsedWhen(None, None, day)
    hour = int(parts["H"] or 0)
    if hour < 12 and (parts.get("ampm") in _AFTERNOON or (parts.get("ampm") == "中午" and hour < 6)):
        hour += 12
    try:
        local = datetime(day.year, day.month, day.day, hour, int(parts["M"] or 0),
                         int(parts.get("S") or 0), tzinfo=tz or BEIJING)
    except ValueError:
        return ParsedWhen(None, None, day)
    return from_datetime(local)


def from_datetime(moment: datetime) -> ParsedWhen:
    """An aware or naive (= Beijing) datetime -> ParsedWhen.

    A moment at the very edge of the calendar (Hugo's zero date 0001-01-01T00:00:00+08:00) has no UTC
    instant: it keeps its day only, which plausible_day() then turns away."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    offset = moment.utcoffset() or timedelta(0)
    try:
        return ParsedWhen(moment.astimezone(UTC), _offset_text(offset), moment.astimezone(BEIJING).date())
    except OverflowError:
        return ParsedWhen(None, None, moment.date())


# Publication dates a document can have: none before 1900, none after tomorrow (Beijing).
EARLIEST_DAY = date(1900, 1, 1)


def plausible_day(day: date | None) -> bool:
    """Whether a publication day is in 1900 … tomorrow in Beijing; others are misreads or placeholders
    (Hugo's 0001-01-01, 2999-01-01) and `etl check` would rightly flag them."""
    return day is None or EARLIEST_DAY <= day <= datetime.now(BEIJING).date() + timedelta(days=1)


def parse_when(value: object) -> ParsedWhen | None:
    """A front-matter or header value -> ParsedWhen; None when it is not a date.

    Accepts RFC 2822 ("Wed, 08 Dec 2021 14:00:30 GMT"), ISO-like ("2022-01-14 16:01:18 +0800",
    "2018-11-23T15:02:26+08:00", "2021-12-01"), Chinese ("2025年10月28日", "2025年10月28日 11:06"),
    and date/datetime objects.
    """
    if isinstance(value, datetime):
        return from_datetime(value)
    if isinstance(value, date):
        return ParsedWhen(None, None, value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    match = _ISO_LIKE.match(text)
    if match:
        return _from_parts(match.groupdict(), _parse_tz(match.group("tz")))
    if text[:3].isalpha() or re.match(r"^\d{1,2} [A-Za-z]{3} \d{4}", text):
        try:
            return from_datetime(parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            return None
    match = _CHINESE.search(text)
    if match:
        return _from_parts(match.groupdict(), None)
    return None


def find_when(text: str) -> ParsedWhen | None:
    """The first date (with its time, if any) written anywhere inside a line of text."""
    found = find_when_span(text)
    return found[0] if found else None


def find_when_span(text: str) -> tuple[ParsedWhen, int, int] | None:
    """The first date in a line and where it is written (start, end), full-width digits read as digits."""
    if any("\uff0f" <= ch <= "\uff1a" for ch in text):
        text = text.translate(_FULL_WIDTH)  # same length, so the span fits the text as given
    for pattern in (_CHINESE, _NUMERIC_IN_TEXT, _DAY_FIRST):
        match = pattern.search(text)
        if match:
            parts = match.groupdict()
            if pattern is _DAY_FIRST and int(parts["m"]) > 12 >= int(parts["d"]):
                parts["d"], parts["m"] = parts["m"], parts["d"]  # 09/25/2025: month first after all
            found = _from_parts(parts, None)
            if found:
                return found, match.start(), match.end()
    return None


def find_labelled_when(value: str) -> ParsedWhen | None:
    """The date after a 发布时间 / 發佈日期 label: any form find_when reads, or a Taiwan (民國) date."""
    found = find_when(value)
    if found:
        return found
    match = _ROC.match(value.translate(_FULL_WIDTH))
    if match and 0 < int(match.group("y")) < 200:
        return _from_parts({**match.groupdict(), "y": str(int(match.group("y")) + 1911)}, None)
    return None


def find_chinese_date(text: str) -> date | None:
    """A date written as 2001年8月18日 at the start of a line (law headers, signature lines)."""
    match = _CHINESE.match(text.strip())
    if not match:
        return None
    found = _from_parts({**match.groupdict(), "H": None}, None)
    return found.published_on if found else None
