"""Money the writer left 元 out of, capital numerals, round multipliers, fine multiples, and the indicators of
court, procuratorate and police stages. Sentences written for these tests in the form such reports take."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.transform.metrics import extract_metrics

# a case report's sentences read as part of a document about the domain
LEAD = "医保基金监管通报。市医疗保障局通报打击欺诈骗保情况。"


def found(text: str) -> dict[str, tuple[Decimal, str, str, str | None]]:
    return {m.raw_text: (m.value, m.unit, m.qualifier, m.indicator)
            for m in extract_metrics(LEAD + text, title="医保局通报欺诈骗保案件")}


@pytest.mark.parametrize(("text", "raw", "expected"), [
    ("对该院处以罚款1800万，并解除医保服务协议。", "1800万", (Decimal(18000000), "CNY", "exact", "fines")),
    ("医保部门追回医保基金共计2.5亿，涉案医院3家。", "2.5亿", (Decimal(250000000), "CNY", "exact", "funds_recovered")),
    ("当局追回医保基金台币47亿（约10.7亿元）。", "台币47亿", (Decimal(4700000000), "TWD", "exact", "funds_recovered")),
    ("法院判处被告人罚金人民币肆拾万元。", "人民币肆拾万元", (Decimal(400000), "CNY", "exact", "fines")),
    ("法院以诈骗罪判处被告人有期徒刑三年，并处罚金壹拾万元。", "壹拾万元", (Decimal(100000), "CNY", "exact", "fines")),
    ("追回医保基金超百万元。", "超百万元", (Decimal(1000000), "CNY", "more_than", "funds_recovered")),
    ("对该药店处违规金额2倍罚款。", "2倍", (Decimal(2), "倍", "exact", "fine_multiple")),
])
def test_money_forms(text: str, raw: str, expected: tuple) -> None:
    assert found(text)[raw] == expected


@pytest.mark.parametrize("text", [
    "医保基金支出同比增长2倍。",  # growth, not a fine
    "医保基金支出1800万人次。",  # a count, its unit is written
    "编号A1800万。",
])
def test_what_bare_money_is_not(text: str) -> None:
    assert not [f for f in found(text).values() if f[1] == "CNY"]


def test_a_multiple_in_a_fine_range_is_a_norm() -> None:
    assert "5倍" not in found("医保部门可处违规金额2倍以上5倍以下罚款。")


@pytest.mark.parametrize(("text", "raw", "code"), [
    ("检察机关办理医保诈骗案件，批准逮捕犯罪嫌疑人12人。", "12人", "arrests_approved"),
    ("检察机关对医保诈骗案件提起公诉20人。", "20人", "prosecutions_filed"),
    ("公安机关侦破骗保案件，移送审查起诉11人。", "11人", "referred_for_prosecution"),
    ("全省法院审结医保诈骗案件23件。", "23件", "court_cases_concluded"),
    ("法院依法判处骗保案被告人13名。", "13名", "defendants_sentenced"),
    ("医保诈骗案中对犯罪嫌疑人取保候审3人。", "3人", "suspects_on_bail"),
    ("国家医保局派出飞行检查组184组次，检查定点医药机构384家。", "184组次", "inspection_teams"),
    ("公安机关抓获骗保犯罪嫌疑人7261人。", "7261人", "suspects_arrested"),
    ("医保部门对违规机构行政处罚5家。", "5家", "institutions_handled"),
])
def test_stage_indicators(text: str, raw: str, code: str) -> None:
    assert found(text)[raw][3] == code


def test_list_items_with_the_same_sum_are_separate_facts() -> None:
    text = ("法院以诈骗罪判处被告人李某有期徒刑十年，并处罚金人民币十万元；被告人张某有期徒刑十年，并处罚金人民币十万元；"
            "被告人赵某有期徒刑四年，并处罚金人民币三万元。")
    fines = [m.value for m in extract_metrics(LEAD + text, title="医保诈骗案") if m.unit == "CNY"]
    assert sorted(fines) == [Decimal(30000), Decimal(100000), Decimal(100000)]


def test_a_headline_repeat_is_one_fact_even_in_another_measure_word() -> None:
    body = "医保局追缴医保基金10.7亿元，约合台币47亿。全年破获案件2682件。他说，医保部门2022年破获2682起案件。"
    rows = extract_metrics(body, title="医保局追缴医保基金超47亿")
    assert sorted((m.value, m.unit) for m in rows) == [
        (Decimal(2682), "件"), (Decimal(1070000000), "CNY"), (Decimal(4700000000), "TWD")]


def test_round_multipliers_after_more_than_words() -> None:
    rows = {m.raw_text: (m.value, m.qualifier) for m in extract_metrics(LEAD + "追回医保基金上亿元，罚款过千万元。")}
    assert rows == {"上亿元": (Decimal(100000000), "more_than"), "过千万元": (Decimal(10000000), "more_than")}
