"""The period a figure covers, typed, read from the time expressions of its clause, its paragraph, its document.

A sentence is cut into scopes, one per time expression (2018年至2021年10月, 今年上半年, 截至10月底, 自2025年4月起,
三年来 …) up to the next one; every figure of a scope gets the scope's period, kind and cumulative flag, so the
figures of one clause agree. Relative expressions (今年, 去年, 上半年, 1至8月, 截至10月底) are anchored on the
document's date. A figure whose sentence states no period of its own takes the last one stated earlier in its
paragraph, else the document's frame (the period its title states, else a dated campaign start before its
first figure: 自2025年4月起 …). An as-of figure (截至…) takes the start of a dated since-expression stated
before it in its sentence, paragraph or frame (自2025年4月起 … 截至目前 -> 2025-04-01 … the document's date).

Kinds: year, half, quarter, month, year_to_date (a year's first months, 今年以来), span (any other closed
stretch, several years included), cumulative_since (since a start, to a date), as_of (only an end), case (the
stretch a single case's acts took: 2019年至2021年期间，被告人…骗取). cumulative: a running total (累计, 以来,
截至 …) anywhere in the scope. The words are data (etl/rules/period_words.csv, both scripts).
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from etl.rules import rows
from etl.transform.numbers import CHINESE_DIGITS, parse_chinese

PERIOD_KINDS = ("year", "half", "quarter", "month", "year_to_date", "span", "cumulative_since", "as_of", "case")


@dataclass(frozen=True, slots=True)
class Period:
    """A figure's period; start None for an as-of figure. own: stated in the figure's own sentence."""

    start: date | None
    end: date | None
    cumulative: bool = False
    kind: str | None = None
    own: bool = False


@cache
def _words() -> dict[str, dict[str, str]]:
    """meaning -> {word: value}, each word in both scripts."""
    found: dict[str, dict[str, str]] = {}
    for row in rows("period_words"):
        words = found.setdefault(row["meaning"], {})
        for word in (row["word"], row["traditional"]):
            if word:
                words[word] = row["value"]
    return found


def _alternation(meaning: str) -> str:
    words = sorted(_words()[meaning], key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


_REL = _alternation("year")
_PART = _alternation("part")
_MONTH = r"\d{1,2}|[一二三四五六七八九十]{1,3}|元"
_SMALL = r"\d{1,2}|[一二两兩三四五六七八九十]{1,3}"
_SEP = r"\s*(?:至|到|—|-|~|～|－)\s*"
_SINCE_MARK = (_alternation("since_mark").replace("起", "起(?![诉訴草点點步见見])")[:-1]
               + "|(?<=年)" + _alternation("since_mark_after_year") + ")")  # 2019年来, 今年来


def _date(p: str, *, year_required: bool) -> str:
    """年/月/日 with named groups <p>y (a written year), <p>r (今年, 去年 …), <p>m, <p>d, <p>e (底/末)."""
    years = [rf"(?<![\d〇零一二三四五六七八九])(?P<{p}y>\d{{4}}|[〇零一二三四五六七八九]{{4}})年", rf"(?P<{p}r>{_REL})"]
    if p == "a":  # 2024至2026年: the first year of a range may drop its 年
        years.insert(0, rf"(?<!\d)(?P<{p}y0>\d{{4}})(?={_SEP}\d{{4}}年)")
    year = "(?:" + "|".join(years) + ")"

    def month_day(tag: str) -> str:
        return (rf"(?:(?P<{p}m{tag}>{_MONTH})月(?:份)?"
                rf"(?:(?P<{p}d{tag}>\d{{1,2}})[日号號]|(?P<{p}e{tag}>底|末))?)")

    if year_required:
        return rf"{year}{month_day('')}?"
    # a month alone (截至10月底) takes its year from the document's date; its groups end in 2
    return rf"(?:{year}{month_day('')}?|{month_day('2')})"


# Every expression starts with one of these: checking it first spares the engine the alternatives below at
# every other character (news: a third of the time spent on periods).
_FIRST_CHARS = "".join(sorted(
    set("0123456789〇零一二三四五六七八九十两兩元近过過以")
    | {w[0] for meaning in ("year", "part", "as_of", "since_from") for w in _words()[meaning]}))
PERIOD_REGEX = re.compile(f"(?=[{re.escape(_FIRST_CHARS)}])(?:" + "|".join([
    # 2018年至2021年10月, 2021年1月至9月, 2018年至今
    rf"(?P<range>{_alternation('since_from')}?{_date('a', year_required=True)}"
    rf"(?:\s*(?P<tonow>{_alternation('to_now')})|{_SEP}{_date('b', year_required=False)}(?:底|末)?))",
    # 1至8月份, 2021年1-9月, 去年1至8月: months of one year
    rf"(?P<months>(?:(?<!\d)(?P<my>\d{{4}})年|(?P<mr>{_REL}))?(?P<m1>{_MONTH})月?{_SEP}(?P<m2>{_MONTH})月(?:份)?(?:底|末)?)",
    # 截至2021年12月25日, 截至10月底, 截至年底, 截至目前
    rf"(?P<asof>{_alternation('as_of')}\s*(?:{_date('c', year_required=False)}(?:底|末)?|(?P<yearend>年底|年末)"
    rf"|(?P<now>{_alternation('now')})))",
    # 自2025年4月起, 2020年1月1日以来, 7月以来, 今年以来
    rf"(?P<since>{_alternation('since_from')}?{_date('s', year_required=False)}\s*{_SINCE_MARK}"
    rf"|{_alternation('since_from')}{_date('f', year_required=False)}\s*{_alternation('since_mark_after_from')})",
    # 三年来, 近三年, 过去3年
    rf"(?P<years>(?<![\d年])(?:近|过去|過去)?(?P<n>{_SMALL})年(?:以来|以來|来|來|间|間)"
    rf"|(?:近|过去|過去)(?P<n2>{_SMALL})年)",
    # 2021年上半年, 今年前三季度, 上半年, 今年前5个月
    rf"(?P<part>(?:(?<!\d)(?P<ty>\d{{4}})年|(?P<tr>{_REL}))?(?:(?P<tpart>{_PART})|前(?P<firstn>{_SMALL})[个個]月))",
    # 2021年, 2021年全年, 2021年度, 2021年10月, 2021年底, 今年, 去年10月
    rf"(?P<plain>{_date('p', year_required=True)}(?P<whole>全年|度)?(?P<point>底|末)?)(?!\d)",
    # 10月份: a month of the document's year
    rf"(?P<bmonth>(?<![\d年])(?P<onlym>{_MONTH})月份)",
    # …开展以来, 成立以来: since an event the text does not date (or dated by the expression before it)
    r"(?P<yilai>以来|以來)",
]) + ")")
_GROUPS = ("range", "months", "asof", "since", "years", "part", "plain", "bmonth", "yilai")
CUMULATIVE_REGEX = re.compile(_alternation("cumulative"))
_VAGUE_SINCE = tuple(_words()["vague_since"])
_COMPARISON_BEFORE = tuple(_words()["comparison"])
_COMPARISON_AFTER = tuple(_words()["comparison_after"]) + tuple(_words()["boundary"])
_CASE_SPAN = tuple(_words()["case_span"])
_CASE_ACTOR_REGEX = re.compile(_alternation("case_actor") + "|该|該|[\u4e00-\u9fff]某(?![些种種])|某(?![些种種一])")
_CASE_ACT_REGEX = re.compile(_alternation("case_act"))
_CLAUSE_MARKS = frozenset("，,；;：:。！？!?\n")
_TIME_CHARS = frozenset("年月今截止来來起季度")
_OPENING = 20  # characters of lead-in (据公安部相关负责人介绍，) before a time expression that opens a sentence


def _small_number(text: str) -> int:
    if text == "元":
        return 1
    if text.isdigit():
        return int(text)
    value = parse_chinese(text.replace("兩", "两"))
    return value if value is not None else CHINESE_DIGITS.get(text, 0)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _year_of(match: re.Match[str], prefix: str, anchor: date | None) -> tuple[int | None, bool]:
    """(year, written): the year a date expression names, None when it names none or cannot be resolved."""
    text = match.group(prefix + "y") or match.groupdict().get(prefix + "y0")
    if text:
        return (int(text) if text.isdigit() else parse_chinese(text)), True
    relative = match.group(prefix + "r")
    if relative:
        if anchor is None:
            return None, True
        return anchor.year + int(_words()["year"][relative]), True
    return None, False


def _resolve(match: re.Match[str], prefix: str, anchor: date | None, *, end: bool) -> date | None:
    """The first (end=False) or last (end=True) day a date expression can mean."""
    groups = match.groupdict()
    month_text = groups.get(prefix + "m") or groups.get(prefix + "m2")
    day_text = groups.get(prefix + "d") or groups.get(prefix + "d2")
    try:
        month = _small_number(month_text) if month_text else None
        if month is not None and not 1 <= month <= 12:
            return None
        year, written = _year_of(match, prefix, anchor)
        if year is None:
            if written or anchor is None:
                return None
            year = anchor.year - 1 if month and month > anchor.month else anchor.year
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day_text:
            return date(year, month, int(day_text))
        return _month_end(year, month) if end else date(year, month, 1)
    except ValueError:
        return None


def closed_kind(start: date, end: date) -> str:
    """year, half, quarter, month, year_to_date or span, from a closed period's first and last day."""
    if start.year != end.year or start == end:
        return "span"
    whole_months = start.day == 1 and end == _month_end(end.year, end.month)
    if not whole_months:
        return "year_to_date" if (start.month, start.day) == (1, 1) else "span"
    first, last = start.month, end.month
    if (first, last) == (1, 12):
        return "year"
    if (first, last) in ((1, 6), (7, 12)):
        return "half"
    if first == last:
        return "month"
    if first in (1, 4, 7, 10) and last == first + 2:
        return "quarter"
    return "year_to_date" if first == 1 else "span"


def _running(start: date | None, end: date | None) -> Period:
    """A running total from start to end: year_to_date when it starts on the 1st of January of end's year."""
    if start is not None and end is not None and start > end:
        # 自2024年12月1日起 in a September text is a rule taking effect later, not a period already reported
        return Period(None, None)
    kind = "year_to_date" if start and end and (start.month, start.day, start.year) == (1, 1, end.year) \
        else "cumulative_since"
    return Period(start, end, True, kind)


def _closed(start: date | None, end: date | None) -> Period:
    if start is None or end is None or start > end:
        return Period(None, None)
    return Period(start, end, False, closed_kind(start, end))


def _part_period(match: re.Match[str], anchor: date | None) -> Period:
    if match.group("firstn"):
        first, last = 1, _small_number(match.group("firstn"))
        if not 1 <= last <= 12:
            return Period(None, None)
    else:
        part = match.group("tpart")
        first, last = (int(v) for v in _words()["part"][part].split("-"))
    year, written = _year_of(match, "t", anchor)
    if year is None:
        if written or anchor is None or (first, last) == (1, 12):
            return Period(None, None)  # 全年 alone is a target more often than a report
        year = anchor.year - 1 if last > anchor.month else anchor.year
    return _closed(date(year, first, 1), _month_end(year, last))


def _period_of(kind: str, match: re.Match[str], anchor: date | None, last_year: int | None) -> Period:
    """The period one expression states, without its surroundings."""
    if kind == "range":
        start = _resolve(match, "a", anchor, end=False)
        if match.group("tonow"):
            return _running(start, anchor)
        end_anchor = anchor
        if match.group("by") is None and match.group("br") is None and start is not None:
            end_anchor = date(start.year, 12, 31)  # 2021年1月至9月: the year carries over
        return _closed(start, _resolve(match, "b", end_anchor, end=True))
    if kind == "months":
        year, written = _year_of(match, "m", anchor)
        first, last = _small_number(match.group("m1")), _small_number(match.group("m2"))
        if not 1 <= first <= last <= 12:
            return Period(None, None)
        if year is None:
            if written or anchor is None:
                return Period(None, None)
            year = anchor.year - 1 if last > anchor.month else anchor.year
        return _closed(date(year, first, 1), _month_end(year, last))
    if kind == "asof":
        if match.group("now"):
            end = anchor
        elif match.group("yearend"):
            year = last_year or (anchor.year if anchor else None)
            end = date(year, 12, 31) if year else None
        else:
            end = _resolve(match, "c", anchor, end=True)
        return Period(None, end, True, "as_of") if end else Period(None, None, True)
    if kind == "since":
        prefix = "s" if match.group("sy") or match.group("sr") or match.group("sm") or match.group("sm2") else "f"
        return _running(_resolve(match, prefix, anchor, end=False), anchor)
    if kind == "years":
        # a duration back from the date it is stated on: the start is not computed back from it
        return Period(None, anchor, True, "cumulative_since") if anchor else Period(None, None, True)
    if kind == "part":
        return _part_period(match, anchor)
    if kind == "bmonth":
        month = _small_number(match.group("onlym"))
        if anchor is None or not 1 <= month <= 12:
            return Period(None, None)
        year = anchor.year - 1 if month > anchor.month else anchor.year
        return _closed(date(year, month, 1), _month_end(year, month))
    if kind == "yilai":
        return Period(None, anchor, True, "cumulative_since") if anchor else Period(None, None, True)
    # plain
    start = _resolve(match, "p", anchor, end=False)
    end = _resolve(match, "p", anchor, end=True)
    if start is None or end is None:
        return Period(None, None)
    if match.group("point") or match.group("pe"):
        return Period(None, end, False, "as_of")  # 2021年底, 2021年10月底: a point in time
    relative = match.group("pr")
    if relative and not match.group("pm") and not match.group("whole") and _words()["year"][relative] == "0":
        # 今年: from the 1st of January to the document's date, a closed stretch (not 今年以来)
        return Period(start, anchor, False, "year_to_date") if anchor and start <= anchor else Period(None, None)
    return _closed(start, end)


@dataclass(frozen=True, slots=True)
class _Expression:
    start: int
    end: int
    kind: str
    period: Period


def _skipped(text: str, start: int, end: int) -> bool:
    """A comparison base (较2020年, 去年同期), a boundary (10月底前, 一九四五年九月二日以前参加工作的), or a
    time inside a document's title (《2021年…方案》): none is the period a figure covers."""
    before = text[max(0, start - 2):start]
    if before.endswith(_COMPARISON_BEFORE) or text.startswith(_COMPARISON_AFTER, end):
        return True
    opened = text.rfind("《", 0, start)
    return opened >= 0 and text.rfind("》", opened, start) < 0


def _same_clause(text: str, start: int, end: int) -> bool:
    return not any(ch in _CLAUSE_MARKS for ch in text[start:end])


def expressions(text: str, anchor: date | None) -> list[_Expression]:
    """The time expressions of a text, in order, each with the period it states on its own."""
    found: list[_Expression] = []
    last_year: int | None = None
    for match in PERIOD_REGEX.finditer(text):
        kind = next(k for k in _GROUPS if match.group(k))
        start, end = match.span()
        if _skipped(text, start, end):
            continue
        if kind == "yilai":
            if text.endswith(_VAGUE_SINCE, 0, end):
                continue
            previous = found[-1] if found else None
            if previous is not None and previous.period.start is not None and previous.period.kind != "as_of" \
                    and _same_clause(text, previous.end, start):
                # 今年…专项整治行动开展以来: since the start the expression before it names
                found[-1] = _Expression(previous.start, end, "since", _running(previous.period.start, anchor))
                continue
        period = _period_of(kind, match, anchor, last_year)
        if period.end is not None:
            last_year = period.end.year
        found.append(_Expression(start, end, kind, period))
    return found


def _is_case(scope: str) -> bool:
    """2019年至2021年期间，… / 2020年，被告人张某…骗取: the stretch a single case's acts took."""
    act = _CASE_ACT_REGEX.search(scope)
    if act is None:
        return False
    head = scope.lstrip("，, ")
    if head.startswith(_CASE_SPAN):
        return True
    actor = _CASE_ACTOR_REGEX.search(head, 0, 8)
    return actor is not None and actor.start() + len(scope) - len(head) < act.start()


@dataclass(frozen=True, slots=True)
class _Scope:
    figures_from: int  # offset in the sentence: figures after it belong to the scope (its expression's end)
    period: Period | None  # None for the lead: no time words of its own
    cumulative: bool
    opening: bool = False  # its expression opens the sentence (2021年，… / 据介绍，截至目前，…): it frames what follows


def sentence_scopes(sentence: str, anchor: date | None) -> list[_Scope]:
    """The lead (before any time expression) and one scope per expression, with periods resolved."""
    if not any(ch in _TIME_CHARS for ch in sentence):
        return [_Scope(0, None, CUMULATIVE_REGEX.search(sentence) is not None)]
    found = expressions(sentence, anchor)
    bounds = [e.start for e in found] + [len(sentence)]
    lead_end = bounds[0]
    scopes = [_Scope(0, None, CUMULATIVE_REGEX.search(sentence, 0, lead_end) is not None)]
    for index, expression in enumerate(found):
        scope_end = bounds[index + 1]
        period = expression.period
        if period.kind == "as_of" and period.start is None:
            since = [e.period for e in found[:index] if e.period.cumulative and e.period.start is not None
                     and period.end is not None and e.period.start <= period.end]
            if since:
                period = _running(since[-1].start, period.end)
        cumulative = period.cumulative or CUMULATIVE_REGEX.search(sentence, expression.start, scope_end) is not None
        if period.kind is not None and period.kind not in ("as_of", "cumulative_since") \
                and _is_case(sentence[expression.end:scope_end]):
            period = replace(period, kind="case")
        opening = _opens(sentence[:expression.start])
        scopes.append(_Scope(expression.end, replace(period, cumulative=cumulative, own=True), cumulative, opening))
    return scopes


def _opens(lead: str) -> bool:
    """Whether what stands before a time expression leaves it opening the sentence: nothing, or a lead-in
    clause (据公安部相关负责人介绍，) without figures."""
    lead = lead.strip(" \t\u3000")
    return not lead or (len(lead) <= _OPENING and lead[-1] in "，," and not any(ch.isdigit() for ch in lead))


def _scope_at(scopes: list[_Scope], offset: int) -> _Scope:
    chosen = scopes[0]
    for scope in scopes[1:]:
        if scope.figures_from <= offset:
            chosen = scope
        else:
            break
    return chosen


def _with_cumulative(period: Period, cumulative: bool) -> Period:
    return period if period.cumulative or not cumulative else replace(period, cumulative=True)


def find_period(sentence: str, figure_offset: int, published_on: date | None) -> Period:
    """Period of the figure at figure_offset in sentence, from the sentence alone (no paragraph, no frame)."""
    compact = sentence.replace(" ", "")  # briefings space out digits: 7 月以来
    offset = figure_offset - sentence.count(" ", 0, figure_offset)
    scope = _scope_at(sentence_scopes(compact, published_on), offset)
    return scope.period if scope.period is not None else Period(None, None, scope.cumulative)


def _carries(period: Period | None) -> bool:
    """Whether a period stated elsewhere may stand for a figure's: not a single day (an event's date, or the
    date line of a briefing 早餐2024年8月2日), not an unresolved one."""
    return period is not None and period.kind is not None and period.start != period.end


def _is_dated_since(period: Period | None) -> bool:
    """A running total from a stated start to a known end (自2025年4月起 in a dated document)."""
    return period is not None and period.start is not None and period.end is not None and period.cumulative \
        and period.kind in ("cumulative_since", "year_to_date")


class PeriodReader:
    """Periods of the figures of one text (a body or a title), each sentence read once.

    frame: the document's own period, for figures whose sentence and paragraph state none (see
    document_frame)."""

    def __init__(self, text: str, anchor: date | None, sentence_ends: list[int], frame: Period | None = None):
        self.text = text
        self.anchor = anchor
        self.sentence_ends = sentence_ends
        self.frame = frame
        self._scopes: dict[int, tuple[str, list[_Scope]]] = {}
        # sentence start -> _earlier_in_paragraph's answer, for any period (False) and a running total (True)
        self._earlier: dict[bool, dict[int, Period | None]] = {False: {}, True: {}}

    def _sentence(self, start: int, end: int) -> tuple[str, list[_Scope]]:
        cached = self._scopes.get(start)
        if cached is None:
            raw = self.text[start:end]
            compact = raw.replace(" ", "")
            cached = (raw, sentence_scopes(compact, self.anchor))
            self._scopes[start] = cached
        return cached

    def _earlier_in_paragraph(self, sentence_start: int, since: bool) -> Period | None:
        """The nearest period that opens a sentence before sentence_start in its paragraph (2021年，…) and
        may stand for a figure's (since: only a dated running total): a time stated in the middle of a
        sentence is that sentence's business.

        Remembered for every sentence start the walk passes, so each is walked over once per text: walking
        back from every figure made a paragraph of thousands of short sentences quadratic."""
        known = self._earlier[since]
        passed: list[int] = []
        found: Period | None = None
        position = sentence_start
        while position > 0 and self.text[position - 1] != "\n":
            if position in known:
                found = known[position]
                break
            passed.append(position)
            index = bisect_right(self.sentence_ends, position - 2)
            start = self.sentence_ends[index - 1] + 1 if index > 0 else 0
            _, scopes = self._sentence(start, position - 1)
            if len(scopes) > 1 and scopes[1].opening and _carries(scopes[1].period) \
                    and (not since or _is_dated_since(scopes[1].period)):
                found = scopes[1].period
                break
            position = start
        for position in passed:
            known[position] = found
        return found

    def period_at(self, sentence_start: int, sentence_end: int, offset: int) -> Period:
        """Period of the figure at offset (in the text) of the sentence sentence_start:sentence_end."""
        raw, scopes = self._sentence(sentence_start, sentence_end)
        within = offset - sentence_start
        scope = _scope_at(scopes, within - raw.count(" ", 0, within))
        period = scope.period
        if period is not None and (period.kind != "as_of" or period.start is not None):
            return period
        if period is not None:  # as of a date: since when, if the paragraph or the document says
            since = self._earlier_in_paragraph(sentence_start, since=True)
            if since is None and _is_dated_since(self.frame):
                since = self.frame
            if since is not None and period.end is not None and since.start <= period.end:  # type: ignore[operator]
                return replace(_running(since.start, period.end), own=True)
            return period
        inherited = self._earlier_in_paragraph(sentence_start, since=False) or self.frame
        if inherited is None:
            return Period(None, None, scope.cumulative)
        return replace(_with_cumulative(inherited, scope.cumulative), own=False)


def document_frame(title: str | None, body_text: str, first_figure: int, anchor: date | None) -> Period | None:
    """The period a document is about: what its title states (公安部：2021年侦破…), else a dated campaign
    start before its first figure (自2025年4月起，…开展专项整治), else None."""
    if title:
        for scope in sentence_scopes(title.replace(" ", ""), anchor)[1:]:
            if _carries(scope.period):
                return replace(scope.period, own=False)  # type: ignore[arg-type]
    head = body_text[:first_figure]
    if not any(ch in _TIME_CHARS for ch in head):
        return None
    for expression in expressions(head, anchor):
        if _is_dated_since(expression.period):
            return expression.period
    return None
