"""Measure words and currencies that make a bare number a reported figure.

A number without one of these is not a metric (years, days, ages, floors, article and document numbers
all go without them), which is what keeps precision high. Order matters in the regex: longer first.
"""

from __future__ import annotations

from functools import cache

from etl.rules import rows

CURRENCIES: dict[str, str] = {row["word"]: row["code"] for row in rows("currencies")}  # currencies.csv

# Measure words of counted things. 个 is not a unit before a duration (3个月) or a percentage point.
COUNT_UNITS = (
    "家次", "人次", "户次", "例次", "家", "人", "名", "位", "个", "件", "处", "条", "项", "例", "起",
    "宗", "所", "户", "份", "张", "批次", "批", "台", "套", "辆", "场", "篇", "次", "盒", "剂", "吨", "公斤",
    "千克", "亩", "平方米", "公里",
    "组次", "倍",
)
PERCENT_UNITS = {"%": "%", "％": "%", "个百分点": "个百分点", "个基点": "个基点"}

_NOT_AFTER_GE = r"(?!月|半月|半小时|工作日|小时|星期|季度|自然日|交易日|年度|百分点|基点)"


# 元 is not yuan in 2022元旦 or 元器件
_WORD_GUARDS = {
    "元": "元(?![旦宵素器件])",
    # a multiple is a figure only as the fine a case imposed (处违规金额2倍罚款), not growth (增长2倍)
    "倍": "倍(?=的?(?:行政)?罚[款金])",
}


def _alternation(words: list[str]) -> str:
    return "|".join(_WORD_GUARDS.get(word, word) for word in sorted(words, key=len, reverse=True))


_count = [w for w in COUNT_UNITS if w != "个"]
UNIT_PATTERN = (
    "(?:"
    + _alternation(list(CURRENCIES))
    + "|个百分点|个基点|%|％"
    + r"|家[（(]人[）)]"
    + "|"
    + _alternation(_count)
    + "|个"
    + _NOT_AFTER_GE
    + ")"
)

# Where the measure word was lost in the text, the noun in front of the number says which one it takes.
NOUN_MEASURE_WORDS: dict[str, str] = {"线索": "条"}


def normalize_unit(unit: str) -> str:
    """'万元' is handled by the multiplier; here '元' -> CNY, '％' -> %, '家（人）' -> 家."""
    if unit in CURRENCIES:
        return CURRENCIES[unit]
    if unit in PERCENT_UNITS:
        return PERCENT_UNITS[unit]
    if unit.startswith("家") and len(unit) > 2:
        return "家"
    return unit


def is_money(unit: str) -> bool:
    """Whether a normalised unit is a currency code."""
    return len(unit) == 3 and unit.isascii() and unit.isupper()


PERSON_UNITS = frozenset({"人", "名", "位", "人次"})
INSTITUTION_UNITS = frozenset({"家", "家次", "个", "所"})
CASE_UNITS = frozenset({"起", "件", "宗", "个", "例"})


@cache
def _outlet_currencies() -> dict[str, str]:
    """Hong Kong and Macau outlets, whose bare 元 is their own currency (etl/rules/outlet_currencies.csv)."""
    return {row["outlet"]: row["currency"] for row in rows("outlet_currencies")}


def local_currency(outlets: tuple[str | None, ...], body_text: str) -> str | None:
    """The currency a page's bare 元 means when it is not renminbi: a Hong Kong or Macau outlet's page that
    never says 人民币 (one that does, 1.4億元人民幣（約1.7億港元）, writes mainland figures in yuan)."""
    table = _outlet_currencies()
    currency = next((table[name] for name in outlets if name in table), None)
    if currency is None or "人民币" in body_text:
        return None
    return currency
