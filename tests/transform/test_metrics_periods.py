"""Typed periods: what a figure's clause, paragraph and document say about the stretch of time it covers.

The sentences are composed in the forms of bulletins and news (years, halves, months of a year, 截至, 以来,
durations, cases), in simplified and traditional script; expectations follow ../shared/CONTRACT.md and the
gold's labelling rules (../shared/gold/seeds.json, about_agency_period).
"""

from __future__ import annotations

from datetime import date

import pytest

from etl.transform.metrics import extract_metrics
from etl.transform.periods import PERIOD_KINDS, closed_kind, find_period

D = date(2021, 9, 15)  # the document's date the relative expressions are anchored on


def test_a_rule_taking_effect_after_publication_is_no_period() -> None:
    # daily briefing of 2024-09-13 (../shared/corpus/news): a tariff rule from 1 December
    sentence = "国务院关税税则委员会公告，自2024年12月1日起，对原产于同中国建交的最不发达国家100%"
    period = find_period(sentence, len(sentence), date(2024, 9, 13))
    assert (period.start, period.end) == (None, None)


def test_since_a_past_date_is_a_period_up_to_publication() -> None:
    sentence = "自2025年4月起，累计追回违规使用的医保基金278.95万元"
    period = find_period(sentence, sentence.index("278"), date(2025, 10, 28))
    assert (period.start, period.end, period.cumulative, period.kind) == \
        (date(2025, 4, 1), date(2025, 10, 28), True, "cumulative_since")


@pytest.mark.parametrize(("sentence", "kind", "start", "end", "cumulative"), [
    ("2021年，全省追回医保基金8亿元", "year", date(2021, 1, 1), date(2021, 12, 31), False),
    ("2020年度，全省追回医保基金8亿元", "year", date(2020, 1, 1), date(2020, 12, 31), False),
    ("二〇二〇年，全省追回医保基金8亿元", "year", date(2020, 1, 1), date(2020, 12, 31), False),
    ("去年，全省追回医保基金8亿元", "year", date(2020, 1, 1), date(2020, 12, 31), False),
    ("去年全年，全省追回医保基金8亿元", "year", date(2020, 1, 1), date(2020, 12, 31), False),
    ("上年度，全省追回医保基金8亿元", "year", date(2020, 1, 1), date(2020, 12, 31), False),
    ("前年，全省追回医保基金8亿元", "year", date(2019, 1, 1), date(2019, 12, 31), False),
    ("今年上半年，全省追回医保基金3亿元", "half", date(2021, 1, 1), date(2021, 6, 30), False),
    ("上半年，全省追回医保基金3亿元", "half", date(2021, 1, 1), date(2021, 6, 30), False),
    ("2020年下半年，全省追回医保基金3亿元", "half", date(2020, 7, 1), date(2020, 12, 31), False),
    ("2020年第四季度，全省追回医保基金1亿元", "quarter", date(2020, 10, 1), date(2020, 12, 31), False),
    ("一季度，全省追回医保基金1亿元", "quarter", date(2021, 1, 1), date(2021, 3, 31), False),
    ("2021年8月，全省追回医保基金1亿元", "month", date(2021, 8, 1), date(2021, 8, 31), False),
    ("7月份，全省追回医保基金1亿元", "month", date(2021, 7, 1), date(2021, 7, 31), False),
    ("2020年元月，全省追回医保基金1亿元", "month", date(2020, 1, 1), date(2020, 1, 31), False),
    ("今年1至8月，全省追回医保基金4亿元", "year_to_date", date(2021, 1, 1), date(2021, 8, 31), False),
    ("2021年1-8月，全省追回医保基金4亿元", "year_to_date", date(2021, 1, 1), date(2021, 8, 31), False),
    ("去年1至8月，全省追回医保基金4亿元", "year_to_date", date(2020, 1, 1), date(2020, 8, 31), False),
    ("今年前三季度，全省追回医保基金5亿元", "year_to_date", date(2021, 1, 1), date(2021, 9, 30), False),
    ("今年前5个月，全省追回医保基金2亿元", "year_to_date", date(2021, 1, 1), date(2021, 5, 31), False),
    ("今年，全省追回医保基金5亿元", "year_to_date", date(2021, 1, 1), D, False),
    ("本年度，全省追回医保基金5亿元", "year_to_date", date(2021, 1, 1), D, False),
    ("今年以来，全省追回医保基金5亿元", "year_to_date", date(2021, 1, 1), D, True),
    ("2018年至2020年，全省累计追回医保基金25亿元", "span", date(2018, 1, 1), date(2020, 12, 31), True),
    ("2018年至2020年，全省共计追回医保基金25亿元", "span", date(2018, 1, 1), date(2020, 12, 31), False),
    ("2018年至2021年10月共检查定点医药机构约234万家次", "span", date(2018, 1, 1), date(2021, 10, 31), False),
    ("2018年至今，全省追回医保基金60亿元", "cumulative_since", date(2018, 1, 1), D, True),
    ("自2019年以来，全省追回医保基金60亿元", "cumulative_since", date(2019, 1, 1), D, True),
    ("三年来，全省追回医保基金6亿元", "cumulative_since", None, D, True),
    ("近3年，全省追回医保基金6亿元", "cumulative_since", None, D, True),
    ("截至8月底，全省累计追回医保基金5亿元", "as_of", None, date(2021, 8, 31), True),
    ("截至2020年底，全省共有定点医药机构5000家", "as_of", None, date(2020, 12, 31), True),
    ("截至目前，全省累计追回医保基金5亿元", "as_of", None, D, True),
    ("2019年1月至2020年6月期间，该院通过虚构住院骗取医保基金12万元", "case", date(2019, 1, 1), date(2020, 6, 30),
     False),
    ("2020年3月，被告人张某冒用他人医保卡骗取医保基金5万元", "case", date(2020, 3, 1), date(2020, 3, 31), False),
])
def test_kind_and_dates_of_a_period(sentence: str, kind: str, start: date | None, end: date, cumulative: bool) -> None:
    period = find_period(sentence, len(sentence), D)
    assert (period.kind, period.start, period.end, period.cumulative) == (kind, start, end, cumulative)
    assert period.kind in PERIOD_KINDS


@pytest.mark.parametrize(("simplified", "traditional"), [
    ("今年以来，全省追回医保基金5000元", "今年以來，全省追回醫保基金5000元"),
    ("截止8月底，全省累计追回医保基金5000元", "截止8月底，全省累計追回醫保基金5000元"),
    ("年内，全省追回医保基金5000元", "年內，全省追回醫保基金5000元"),
    ("三年来，全省追回医保基金5000元", "三年來，全省追回醫保基金5000元"),
    ("过去3年，全省追回医保基金5000元", "過去3年，全省追回醫保基金5000元"),
    ("从2019年起，全省追回医保基金5000元", "從2019年起，全省追回醫保基金5000元"),
    ("2019年1月至2020年6月期间，被告人骗取医保基金5000元", "2019年1月至2020年6月期間，被告人騙取醫保基金5000元"),
])
def test_both_scripts_read_alike(simplified: str, traditional: str) -> None:
    one, other = (find_period(s, len(s), D) for s in (simplified, traditional))
    assert one == other and one.kind is not None


def test_a_comparison_base_or_a_boundary_is_not_the_period() -> None:
    # 较去年同期: the base a change is measured against; 10月底前: a deadline; 《2021年…》: a document's name
    for sentence in ("全省追回医保基金3亿元，较去年同期增长20%", "各地要在10月底前完成整改，追回资金1亿元",
                     "印发《2021年医保基金监管工作要点》后，全省追回医保基金6亿元"):
        period = find_period(sentence, len(sentence), D)
        assert (period.start, period.end, period.kind) == (None, None, None), sentence
    # an enforcement clause after a police year is not a case, whatever the suspects did
    sentence = "2021年，全市公安机关抓获犯罪嫌疑人30名，涉嫌骗取医保基金500万元"
    assert find_period(sentence, len(sentence), D).kind == "year"


def test_closed_kinds() -> None:
    assert closed_kind(date(2021, 1, 1), date(2021, 12, 31)) == "year"
    assert closed_kind(date(2021, 7, 1), date(2021, 12, 31)) == "half"
    assert closed_kind(date(2021, 4, 1), date(2021, 6, 30)) == "quarter"
    assert closed_kind(date(2021, 1, 1), date(2021, 8, 31)) == "year_to_date"
    assert closed_kind(date(2021, 3, 1), date(2021, 5, 31)) == "span"
    assert closed_kind(date(2018, 1, 1), date(2021, 10, 31)) == "span"


def rows(text: str, **kwargs) -> dict[str, object]:
    return {r.raw_text: r for r in extract_metrics(text, **kwargs)}


def test_the_figures_of_one_clause_share_its_period() -> None:
    # 累计 stated for the last figure makes the whole span's figures running totals (seed 000, gold)
    found = rows("2018年至2021年10月共检查定点医药机构约234万家次，处理约100万家次，累计追回医保基金约506亿元。",
                 published_on=date(2021, 12, 8))
    assert {(r.period_kind, r.period_start, r.period_end, r.cumulative) for r in found.values()} == \
        {("span", date(2018, 1, 1), date(2021, 10, 31), True)}
    # a new time expression starts a new scope: 今年 is not the running total after it
    found = rows("今年追回医保基金88.12亿元，意味着国家医保局自成立以来，已累计追回医保基金436.87亿元。",
                 published_on=date(2021, 12, 8))
    assert (found["88.12亿元"].period_kind, found["88.12亿元"].cumulative) == ("year_to_date", False)
    assert (found["436.87亿元"].period_kind, found["436.87亿元"].period_start, found["436.87亿元"].cumulative) == \
        ("cumulative_since", None, True)
    found = rows("2021年，全省追回医保基金1亿元，其中上半年追回医保基金4000万元。", published_on=D)
    assert found["1亿元"].period_kind == "year" and found["4000万元"].period_kind == "half"


def test_a_figure_without_time_words_takes_the_period_opening_its_paragraph() -> None:
    text = ("2021年，全市医保部门检查定点医药机构1200家。追回医保基金3000万元。\n"
            "下一步，全市将继续检查定点医药机构500家。")
    found = rows(text, published_on=date(2022, 1, 10))
    assert (found["3000万元"].period_kind, found["3000万元"].period_start) == ("year", date(2021, 1, 1))
    assert found["500家"].period_kind is None  # another paragraph, and the document states no frame
    # a time in the middle of an earlier sentence is that sentence's business
    found = rows("全市医保部门介绍了2020年的情况。追回医保基金3000万元。", published_on=date(2022, 1, 10))
    assert found["3000万元"].period_kind is None


def test_the_document_frame_and_an_as_of_figure_that_takes_its_start() -> None:
    # seed 004's shape: a campaign since April, results 截至目前, a stage's figures with no time words
    body = ("自2025年4月起，我县医疗保障局在全县开展医保基金管理突出问题专项整治。\n"
            "自查自纠阶段，定点医药机构排查出问题13个。\n"
            "截至目前，我县医疗保障局已累计追回医保基金278.95万元。")
    found = rows(body, title="我县医保基金专项整治工作新闻发布会", published_on=date(2025, 10, 28))
    for raw in ("13个", "278.95万元"):
        assert (found[raw].period_start, found[raw].period_end, found[raw].cumulative) == \
            (date(2025, 4, 1), date(2025, 10, 28), True), raw
    # the title's year frames the figures the body does not date (seed 002's shape)
    found = rows("据介绍，公安机关集中侦破非法经营医保药品案件349起。", title="公安部：2021年侦破医保诈骗案1780余起",
                 published_on=date(2022, 1, 14))
    assert (found["349起"].period_kind, found["349起"].period_start, found["349起"].cumulative) == \
        ("year", date(2021, 1, 1), False)
    # no frame for a briefing of many subjects, nor from a title that is only its date
    found = rows("1、股市收涨。\n2、医保基金监管：全市追回医保基金3000万元。",
                 title="财经早餐2024年8月2日星期五", published_on=date(2024, 8, 2))
    assert found["3000万元"].period_kind is None


def test_relative_periods_stay_open_without_the_documents_date() -> None:
    found = rows("今年上半年，全省追回医保基金3亿元。2020年，全省追回医保基金5亿元。")
    assert found["3亿元"].period_kind is None and found["3亿元"].period_end is None
    assert found["5亿元"].period_kind == "year"


def test_the_evidence_is_the_body_sentence_that_states_the_period() -> None:
    # seed 000's shape: the body repeats the headline (原标题：…) before the sentence that dates the figure
    body = ("原标题：国家医保局：累计追回医保基金约506亿元\n"
            "国家医保局成立以来，严厉打击医保领域违法违规行为。2018年至2021年10月共检查定点医药机构约234万家次，"
            "累计追回医保基金约506亿元。")
    [row] = [r for r in extract_metrics(body, title="国家医保局：累计追回医保基金约506亿元",
                                        published_on=date(2021, 12, 8)) if r.raw_text == "约506亿元"]
    assert row.sentence.startswith("2018年至2021年10月") and row.char_start == body.index("约506亿元", 30)
    assert (row.period_kind, row.period_start, row.cumulative) == ("span", date(2018, 1, 1), True)
    # a figure only the title states keeps the title as its evidence
    [row] = extract_metrics("全省持续开展专项整治。", title="2020年全省追回医保基金5亿元", published_on=D)
    assert row.sentence == "2020年全省追回医保基金5亿元" and row.char_start is None and row.period_kind == "year"
