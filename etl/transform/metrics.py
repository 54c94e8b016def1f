"""Reported figures -> MetricRecord rows, as pure functions (no database).

One compiled master regex finds candidates: a number (Arabic, full-width, Chinese or mixed) that carries a
measure word, a currency or a percent sign, optionally a range. A number without one (years, days, ages,
floors, article, document, index and stock numbers) never becomes a candidate, which keeps precision high
and lets the regex engine, not Python, walk the text. Each candidate then passes cheap checks (ordinal,
list-item count in prose, legal threshold) before the costlier context work: sentence, qualifier, topic,
indicator, period. Repeats of one fact (title and body, or twice in the body) collapse into one row.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from etl.records import MetricRecord
from etl.rules import rows
from etl.transform.indicators import classify
from etl.transform.numbers import (
    ARABIC_PATTERN,
    MULTIPLIER_PATTERN,
    NUMBER_PATTERN,
    is_chinese_numeral,
    parse_number,
)
from etl.transform.periods import PeriodReader, document_frame
from etl.transform.topic import document_on_topic, sentence_on_topic
from etl.transform.units import NOUN_MEASURE_WORDS, UNIT_PATTERN, is_money, normalize_unit

__all__ = ["extract_metrics", "document_on_topic"]

# Not after 第 (ordinal), 数/几 (vague), letters and digits (codes, tickers, versions), URL or path parts,
# nor inside a longer Chinese numeral (the regex engine would otherwise retry at 第一百[八十九条]).
_NOT_AFTER = r"(?<![第数几A-Za-z0-9０-９.．/_#@=&?%\-－零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟])"
FIGURE_REGEX = re.compile(
    _NOT_AFTER
    + rf"(?:(?P<low>{NUMBER_PATTERN})(?P<low_more>余|多)?(?P<low_mult>{MULTIPLIER_PATTERN})?"
    + rf"(?P<low_unit>{UNIT_PATTERN})? ?(?:至|到|~|～|-|－|—|–) ?)?"
    + rf"(?P<num>{NUMBER_PATTERN}) ?(?P<more>余|多)?(?P<mult>{MULTIPLIER_PATTERN})?(?P<more2>余|多)? ?"
    + rf"(?P<unit>{UNIT_PATTERN})(?P<post>以上|以下|以内|左右|上下)?"
    + rf"|百分之(?P<pct>{NUMBER_PATTERN})(?P<pct_post>以上|以下|以内|左右|上下)?"
)
# "移送涉嫌欺诈骗保犯罪线索3向纪检…": the measure word was lost; the noun before the number supplies it.
LOST_UNIT_REGEX = re.compile(
    r"(?P<noun>" + "|".join(NOUN_MEASURE_WORDS) + rf")(?P<num>{ARABIC_PATTERN})"
    r"(?=[\u4e00-\u9fff])(?![年月日号时分秒岁倍万亿千百余多条件个名家人起项次处例宗])"
)
# 罚款1800万, 台幣47億: money whose 元 the writer left out, after a money word or a currency written before it.
# The regex starts at the digits (fast to scan); the word before is checked in Python (_money_leads).
BARE_MONEY_REGEX = re.compile(
    rf"(?P<num>{ARABIC_PATTERN})(?P<mult>{MULTIPLIER_PATTERN})(?P<more>余|多)?(?=[，,。；;、）)（(\s！？!?]|$)"
)


@cache
def _money_leads() -> tuple[tuple[str, str], ...]:
    """Words after which a number with 万/亿 is money though 元 is missing, with its currency
    (etl/rules/money_leads.csv: a currency written in front, or a money word such as 罚款, 追回)."""
    return tuple((row["word"], row["currency"]) for row in rows("money_leads"))

# words that may stand between the money word and the number (罚款共计1800万, 追回超过2亿)
_MONEY_FILLER_REGEX = re.compile(r"(?:共计|合计|总计|累计|共|高达|达到|达|为|约|大约|超过|超|逾|近)+$")
_BARE_NOT_AFTER = frozenset("第数几.．/_#@=&?%-－")
# 超百万元, 逾千万元: a round multiplier with no digit, a figure only after a word that bounds it
_ROUND_MULTIPLIERS = frozenset({"十万", "百万", "千万", "亿", "十亿", "百亿", "千亿"})
_ROUND_LEADS = ("超过", "超", "逾", "近", "上", "过")
# Article headings at the start of a line: the mark of a law or regulation, whose numbers are norms.
ARTICLE_HEADING_REGEX = re.compile(r"(?m)^[ \t\u3000#]*第[一二三四五六七八九十百零〇]+条")
SENTENCE_END_REGEX = re.compile(r"[。！？!?\n]")
CLAUSE_END_REGEX = re.compile(r"[。！？!?\n，,；;：:]")
MASKED_SPAN_REGEX = re.compile(r"<!--.*?-->|https?://\S+|www\.\S+|\]\([^)]*\)", re.S)
# A modal or penalty word makes a sentence a norm: its thresholds and fine ranges are not facts.
NORM_REGEX = re.compile(
    r"应当|可以|不得|必须|予以|给予|责令|处以|并处|没收违法所得|由.{0,12}?处|罚款|罚金|徒刑|拘役|处罚"
)
# Modal words whose density tells a normative text (a law, a court's reasoning) from a report:
# news and notices stay under 0.6 per 1,000 characters, laws are around 11, court cases around 3.
# (责令, 予以 are left out: enforcement reports use them for what was done: 责令整改, 予以罚款.)
MODAL_REGEX = re.compile(r"应当|不得|可以|必须")
NORMATIVE_MODALS_PER_1000 = 2.0
TOTAL_REGEX = re.compile(r"共计|合计|总计|共")
THRESHOLD_QUALIFIERS = frozenset({"at_least", "at_most", "less_than", "range"})

# qualifier_words.csv; longest first, so 不超过 is tried before 超过 and 约为 before 约
_PREFIX_QUALIFIERS = tuple(sorted(((row["word"], row["qualifier"]) for row in rows("qualifier_words")
                                   if row["position"] == "before"), key=lambda pair: -len(pair[0])))
_POST_QUALIFIERS = {row["word"]: row["qualifier"] for row in rows("qualifier_words") if row["position"] == "after"}
_PREFIX_CURRENCY = tuple(row["word"] for row in rows("currencies") if row["prefix"] == "yes")  # currencies.csv
# After a count in Chinese numerals, these show the count stands after its noun (犯罪嫌疑人三名，).
_CLAUSE_FOLLOWERS = frozenset("，,。；;、）)！？!?：:\n 　")


@dataclass(slots=True)
class _Candidate:
    start: int  # of the figure including its prefix qualifier
    end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    number_start: int  # of the number itself, where classification distances are measured from


def _qualifier_before(text: str, start: int) -> tuple[str | None, int]:
    """A qualifier word right before the figure (约, 超过, 不足 …), spaces between allowed."""
    gap = start
    while gap > 0 and start - gap < 2 and text[gap - 1] in " \u3000\xa0":
        gap -= 1
    head = text[max(0, gap - 3):gap]
    for word, qualifier in _PREFIX_QUALIFIERS:
        if head.endswith(word):
            if word == "近" and head.endswith(("最近", "附近", "接近")):
                continue
            if word == "超" and head.endswith(("高超", "赶超")):
                continue
            return qualifier, gap - len(word)
    return None, start


def _masked_spans(text: str) -> list[tuple[int, int]]:
    if "<!--" not in text and "http" not in text and "www." not in text and "](" not in text:
        return []
    return [m.span() for m in MASKED_SPAN_REGEX.finditer(text)]


def _in_spans(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _candidate(text: str, match: re.Match[str]) -> _Candidate | None:
    """Value, unit and qualifier of one master-regex match; None if it is not a reported figure."""
    group = match.group
    if group("pct") is not None:
        value = parse_number(group("pct"))
        if value is None:
            return None
        post = group("pct_post")
        qualifier = _POST_QUALIFIERS[post] if post else "exact"
        return _Candidate(match.start(), match.end(), value, None, "%", qualifier, match.start())
    number_text = group("num")
    unit_text = group("unit")
    unit = normalize_unit(unit_text)
    chinese = is_chinese_numeral(number_text)
    start = match.start()
    round_qualifier = None
    value = parse_number(number_text, group("mult"))
    if value is None:
        if not (is_money(unit) and number_text in _ROUND_MULTIPLIERS
                and text.endswith(_ROUND_LEADS, 0, match.start("num"))):
            return None
        value = parse_number("一" + number_text)
        if value is None:
            return None
        if text.endswith(("上", "过"), 0, match.start("num")) and not text.endswith("超过", 0, match.start("num")):
            start -= 1  # 上亿元, 过亿元: more than a hundred million
            round_qualifier = "more_than"
    end = match.end()
    if chinese and not is_money(unit) and unit != "%":
        # 两个关键阶段, 三大方向, 一起 (together): a count in Chinese numerals before its noun is prose
        if value <= 1 or (end < len(text) and text[end] not in _CLAUSE_FOLLOWERS):
            return None
    qualifier = "more_than" if group("more") or group("more2") else round_qualifier or "exact"
    value_max = None
    low_text = group("low")
    number_start = match.start("num")
    if low_text is not None:
        low_unit = group("low_unit")
        if low_unit is not None and normalize_unit(low_unit) != unit:
            return None  # 3人至5家 is not a range
        low = parse_number(low_text, group("low_mult") or (None if low_unit else group("mult")))
        if low is None or low >= value:
            # not a rising range (a date like 10-28, or 2-1); keep only the upper figure
            start = number_start = match.start("num")
            if match.start("num") > 0 and text[match.start("num") - 1] in "-－—–~～":
                return None
        else:
            value, value_max, qualifier = low, value, "range"
            number_start = match.start("low")
    post = group("post")
    if post and qualifier != "range":
        qualifier = _POST_QUALIFIERS[post]
    prefix, prefix_start = _qualifier_before(text, start)
    if prefix is not None:
        start = prefix_start
        if qualifier == "exact":
            qualifier = prefix
    for currency in _PREFIX_CURRENCY:
        if is_money(unit) and text.startswith(currency, max(0, start - len(currency))) and unit_text == "元":
            start -= len(currency)
            break
    return _Candidate(start, end, value, value_max, unit, qualifier, number_start)


def _is_legal_threshold(text: str, candidate: _Candidate, sentence: str, normative: bool) -> bool:
    """处1万元以上5万元以下的罚款, 数额在5000元以上的, 不得少于二人: a norm, not a reported fact.

    In a normative text (see is_normative) every figure of a sentence with a modal or penalty word goes.
    """
    after = text[candidate.end:candidate.end + 2]
    threshold = candidate.qualifier in THRESHOLD_QUALIFIERS
    if threshold and after.startswith(("的", "不满", "以上", "以下")):
        return True
    before = text[max(0, candidate.start - 2):candidate.start]
    if before.endswith(("处以", "并处")) or (
        is_money(candidate.unit) and before.endswith("处") and before[:1] not in "查判惩论"
    ):
        return True
    if (threshold or normative) and NORM_REGEX.search(sentence) is not None:
        return True
    return normative and threshold


def is_normative(body_text: str) -> bool:
    """A text that mostly lays down rules (many 应当/不得/可以 per 1,000 characters)."""
    sample = body_text[:20000]
    return len(MODAL_REGEX.findall(sample)) * 1000 >= NORMATIVE_MODALS_PER_1000 * max(len(sample), 500)


def _lost_unit_candidates(text: str, taken: list[tuple[int, int]]) -> list[_Candidate]:
    found = []
    for match in LOST_UNIT_REGEX.finditer(text):
        start = match.start("num")
        if any(s <= start < e for s, e in taken):
            continue
        value = parse_number(match.group("num"))
        if value is None or value == 0:
            continue
        unit = NOUN_MEASURE_WORDS[match.group("noun")]
        found.append(_Candidate(match.start("noun"), match.end(), value, None, unit, "exact", start))
    return found


def _bare_money_candidates(text: str, taken: list[tuple[int, int]]) -> list[_Candidate]:
    """Money written without 元 (罚款1800万, 台币47亿) after a money word or a currency; see BARE_MONEY_REGEX."""
    found = []
    for match in BARE_MONEY_REGEX.finditer(text):
        start = match.start("num")
        if (start and (text[start - 1] in _BARE_NOT_AFTER or text[start - 1].isascii() and text[start - 1].isalnum())
                or any(s <= start < e for s, e in taken)):
            continue
        head = _MONEY_FILLER_REGEX.sub("", text[max(0, start - 10):start])
        unit = next((currency for word, currency in _money_leads() if head.endswith(word)), None)
        if unit is None:
            continue
        value = parse_number(match.group("num"), match.group("mult"))
        if value is None or value == 0:
            continue
        qualifier = "more_than" if match.group("more") else "exact"
        prefix, prefix_start = _qualifier_before(text, start)
        if prefix is not None and qualifier == "exact":
            qualifier = prefix
        begin = prefix_start if prefix is not None else start
        if unit != "CNY" or head.endswith("人民币"):  # the currency written in front is part of the figure
            word = next(word for word, currency in _money_leads() if head.endswith(word))
            begin = start - len(text[max(0, start - 10):start]) + len(head) - len(word)
            prefix, prefix_start = _qualifier_before(text, begin)
            if prefix is None and text.endswith("约合", 0, begin):
                prefix, prefix_start = "approx", begin - 2
            if prefix is not None:
                begin = prefix_start
                qualifier = prefix if qualifier == "exact" else qualifier
        found.append(_Candidate(begin, match.end(), value, None, unit, qualifier, start))
    return found


# what may stand between a money figure and the same sum in another currency: 1.4亿元人民币（下同，约1.7亿港元）
_CONVERSION_GAP_REGEX = re.compile(r"[（(，,]?(?:人民币|下同|[，,（(）)]|\s)*(?:约合|折合|相当于|约)?")


def _is_conversion(text: str, previous: _Candidate, candidate: _Candidate, previous_record: MetricRecord) -> bool:
    """Whether candidate restates the money figure before it in another currency."""
    return (
        previous_record.indicator is not None
        and previous_record.char_end == previous.end
        and is_money(previous.unit) and is_money(candidate.unit) and previous.unit != candidate.unit
        and candidate.start - previous.end <= 14
        and _CONVERSION_GAP_REGEX.fullmatch(text, previous.end, candidate.start) is not None
    )


def _carried_indicator(text: str, previous: _Candidate, candidate: _Candidate, previous_record: MetricRecord) -> str | None:
    """检查医疗机构14家，医保经办机构7家: a verbless noun-and-figure clause continues the one before it."""
    between = text[previous.end:candidate.number_start]
    if (
        previous_record.indicator is None
        or previous_record.unit != candidate.unit
        or previous_record.char_end != previous.end
        or len(between) > 14
        or between[:1] not in ("，", ",", "、", "；", ";")
        or any(mark in between[1:] for mark in "，,、；;。！？\n")
        or TOTAL_REGEX.search(between)  # 追回5.34万元，核减10.81万元，共计16.15万元: a sum, not more of the same
    ):
        return None
    return previous_record.indicator


# The longest stretch read as one sentence or clause. A text with no sentence end for megabytes (a scraped
# list, a pathological file) would otherwise hand the whole text to every figure's context regexes: a scan
# per figure, quadratic in the text. Longer stretches are cut at this grid; no real sentence comes near it.
MAX_SENTENCE_CHARS = 1000


def _bounded_ends(ends: list[int], length: int, limit: int = MAX_SENTENCE_CHARS) -> list[int]:
    """The boundary positions with extra ones so that no stretch between two is longer than limit."""
    if not ends and length <= limit:
        return ends
    bounded: list[int] = []
    previous = -1
    for end in [*ends, length]:
        while end - previous - 1 > limit:
            previous += limit + 1
            bounded.append(previous)
        if end < length:
            bounded.append(end)
        previous = end
    return bounded


def _bounds(ends: list[int], position: int, length: int) -> tuple[int, int]:
    """Start and end of the stretch around position between two boundary characters."""
    index = bisect_right(ends, position)
    start = ends[index - 1] + 1 if index > 0 else 0
    end = ends[index] if index < len(ends) else length
    return start, end


def _clean_sentence(text: str) -> str:
    return text.strip(" \t\u3000\xa0")


@dataclass(slots=True)
class _Found:
    record: MetricRecord
    number_start: int
    # which occurrence of a repeated figure speaks for it: a body sentence over a title line (原标题：…),
    # one whose own words state the period over one that inherits it
    evidence_rank: tuple[bool, bool, bool] = (False, False, False)
    period_rank: tuple[bool, bool, bool] = (False, False, False)


TITLE_LINE_REGEX = re.compile(r"^[\s　]*(?:原标题|原題|标题|標題)[：:]")


def _figures_in(
    text: str, *, document_topic: bool, published_on: date | None, regulation: bool,
    title: str | None = None, in_body: bool = True,
) -> list[_Found]:
    """Every figure in one text (body or title), in order, not yet deduplicated."""
    masked = _masked_spans(text)
    candidates: list[_Candidate] = []
    for match in FIGURE_REGEX.finditer(text):
        if masked and _in_spans(match.start(), masked):
            continue
        candidate = _candidate(text, match)
        if candidate is not None:
            candidates.append(candidate)
    extra = _bare_money_candidates(text, [(c.start, c.end) for c in candidates])
    if "线索" in text:
        extra.extend(_lost_unit_candidates(text, [(c.start, c.end) for c in candidates]))
    if extra:
        candidates.extend(extra)
        candidates.sort(key=lambda c: c.start)
    if not candidates or regulation:
        return []
    # a standard or norm table: most of its figures are thresholds (50%以上, 32%以下), none is a report
    thresholds = sum(1 for c in candidates if c.qualifier in THRESHOLD_QUALIFIERS)
    if len(candidates) >= 5 and thresholds * 5 >= len(candidates) * 2:
        return []
    normative = is_normative(text)

    length = len(text)
    sentence_ends = _bounded_ends([m.start() for m in SENTENCE_END_REGEX.finditer(text)], length)
    clause_ends = _bounded_ends([m.start() for m in CLAUSE_END_REGEX.finditer(text)], length)
    # only a document about one subject has a frame: a briefing's thirty items do not share one
    frame = document_frame(title, text, candidates[0].start, published_on) if in_body and document_topic else None
    periods = PeriodReader(text, published_on, sentence_ends, frame)
    found: list[_Found] = []
    for index, candidate in enumerate(candidates):
        sentence_start, sentence_end = _bounds(sentence_ends, candidate.number_start, length)
        sentence = text[sentence_start:sentence_end]
        if _is_legal_threshold(text, candidate, sentence, normative):
            continue
        previous = None
        if sentence_start >= 2 and text[sentence_start - 1] != "\n":
            previous_start, _ = _bounds(sentence_ends, sentence_start - 2, length)
            previous = text[previous_start:sentence_start - 1]
        on_topic = sentence_on_topic(sentence, previous, document_topic)

        indicator = None
        if on_topic:
            clause_start, clause_end = _bounds(clause_ends, candidate.number_start, length)
            near_start = clause_start
            near_end = clause_end
            if index > 0 and candidates[index - 1].end > clause_start:
                near_start = candidates[index - 1].end
            if index + 1 < len(candidates) and candidates[index + 1].start < clause_end:
                near_end = candidates[index + 1].start
            clause = text[clause_start:clause_end]
            indicator = classify(
                clause, candidate.number_start - clause_start, candidate.end - clause_start, candidate.unit,
                near_start - clause_start, near_end - clause_start,
            )
            if found and index > 0 and _is_conversion(text, candidates[index - 1], candidate, found[-1].record):
                indicator = found[-1].record.indicator  # 1.4亿元人民币（约1.7亿港元）: the same act in another currency
            if indicator is None and found and index > 0:
                indicator = _carried_indicator(text, candidates[index - 1], candidate, found[-1].record)
        period = periods.period_at(sentence_start, sentence_end, candidate.number_start)
        clean = _clean_sentence(sentence)
        title_line = TITLE_LINE_REGEX.match(clean) is not None or (title is not None and clean == title.strip())
        record = MetricRecord(
            value=candidate.value,
            unit=candidate.unit,
            qualifier=candidate.qualifier,
            raw_text=text[candidate.start:candidate.end],
            sentence=clean,
            indicator=indicator,
            value_max=candidate.value_max,
            char_start=candidate.start,
            char_end=candidate.end,
            period_start=period.start,
            period_end=period.end,
            period_kind=period.kind,
            cumulative=period.cumulative,
            on_topic=on_topic,
        )
        found.append(_Found(record, candidate.number_start, (in_body, not title_line, period.own),
                            (period.own, in_body, not title_line)))
    return found


def _list_items_apart(text: str, first: int | None, second: int | None) -> bool:
    """Whether two body positions are items of one sentence's list (被告人李某…罚金十万元；被告人张某…罚金十万元):
    the same value there is two facts, not one said twice."""
    if first is None or second is None or not text:
        return False
    low, high = sorted((first, second))
    between = text[low:high]
    return ("；" in between or ";" in between) and SENTENCE_END_REGEX.search(between) is None


_CASE_MEASURES = frozenset({"件", "起", "宗"})


def _bare_money(record: MetricRecord) -> bool:
    """A sum written without 元 (追缴医保基金超47亿): read as renminbi, but its currency is unwritten."""
    return record.unit == "CNY" and "元" not in record.raw_text and "人民币" not in record.raw_text


def _same_measure(row: MetricRecord, new: MetricRecord) -> bool:
    """Units that name one fact two ways: 2682件 and 2682起 of one indicator; a headline's bare 超47亿 and
    the body's 台币47亿 (the bare one then takes the written currency)."""
    if row.unit in _CASE_MEASURES and new.unit in _CASE_MEASURES:
        return row.indicator is not None and row.indicator == new.indicator
    if is_money(row.unit) and is_money(new.unit) and (_bare_money(row) or _bare_money(new)):
        if _bare_money(row):
            row.unit = new.unit
        return True
    return False


def _merge_key(record: MetricRecord) -> tuple:
    """The bucket of rows a figure may repeat: same value, and a unit _same_measure may take as its own."""
    unit = record.unit
    kind = "case" if unit in _CASE_MEASURES else "money" if is_money(unit) else unit
    return record.value, record.value_max, kind


def _merge(rows: list[_Found], found: _Found, text: str = "", index: dict[tuple, list[_Found]] | None = None) -> None:
    """Add found to rows unless it repeats a fact already there (same value and unit, compatible indicator).

    A repeat keeps the better evidence (see _Found) and the period its own words state. index (rows by
    value and unit) keeps this a lookup: a scan of every row made 100,000 distinct figures quadratic."""
    new = found.record
    same = rows if index is None else index.setdefault(_merge_key(new), [])
    for kept in same:
        row = kept.record
        if row.value != new.value or row.value_max != new.value_max:
            continue
        if row.unit != new.unit and not _same_measure(row, new):
            continue
        if row.indicator and new.indicator and row.indicator != new.indicator:
            continue
        if _list_items_apart(text, row.char_start, new.char_start):
            continue
        if row.indicator is None and new.indicator is not None:
            row.indicator = new.indicator
        row.on_topic = row.on_topic or new.on_topic
        if row.qualifier == "exact" and new.qualifier != "exact":
            row.qualifier = new.qualifier
        if found.evidence_rank > kept.evidence_rank:
            row.char_start, row.char_end = new.char_start, new.char_end
            row.raw_text, row.sentence = new.raw_text, new.sentence
            kept.evidence_rank = found.evidence_rank
        cumulative = row.cumulative or new.cumulative
        if found.period_rank > kept.period_rank and (new.period_end is not None or new.period_start is not None
                                                      or row.period_end is None and row.period_start is None):
            row.period_start, row.period_end, row.period_kind = new.period_start, new.period_end, new.period_kind
            kept.period_rank = found.period_rank
        row.cumulative = cumulative
        return
    rows.append(found)
    if index is not None:
        same.append(found)


def is_regulation(body_text: str) -> bool:
    """A law or regulation (articles headed 第一条, 第二条 …): its numbers are norms, not reports."""
    count = 0
    for _ in ARTICLE_HEADING_REGEX.finditer(body_text):
        count += 1
        if count >= 3:
            return True
    return False


def extract_metrics(body_text: str, *, title: str | None = None, published_on: date | None = None) -> list[MetricRecord]:
    """Every reported figure in the document, one row per distinct fact; offsets refer to body_text."""
    regulation = is_regulation(body_text)
    if regulation:
        return []
    document_topic = document_on_topic(title, body_text)
    rows: list[_Found] = []
    index: dict[tuple, list[_Found]] = {}
    for found in _figures_in(body_text, document_topic=document_topic, published_on=published_on,
                             regulation=regulation, title=title):
        _merge(rows, found, body_text, index)
    if title:
        for found in _figures_in(title, document_topic=document_topic, published_on=published_on,
                                 regulation=False, in_body=False):
            found.record.char_start = found.record.char_end = None
            _merge(rows, found, body_text, index)
    return [found.record for found in rows]
