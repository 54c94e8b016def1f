"""Numerals as published texts write them; each case is taken from a real document of the corpus or seeds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.transform.numbers import parse_chinese, parse_number


@pytest.mark.parametrize(
    ("text", "multiplier", "expected"),
    [
        ("11,910,000", None, Decimal(11910000)),  # 融信中国 … 本金额11,910,000美元
        ("59.99", "万", Decimal(599900)),  # 累计退回违规医保基金59.99万元
        ("278.95", "万", Decimal(2789500)),
        ("1.4", "亿", Decimal(140000000)),  # 共计追回医保相关资金1.4亿元
        ("1.2", "万亿", Decimal(1200000000000)),  # 完成投资额超过 1.2 万亿元
        ("9800", "万", Decimal(98000000)),  # 减少医保基金损失9800余万元
        ("138 000", None, Decimal(138000)),  # 价格138 000元 (a space as thousands separator)
        ("５９．９９", "万", Decimal(599900)),  # full-width digits and point
    ],
)
def test_arabic_and_mixed_numbers(text: str, multiplier: str | None, expected: Decimal) -> None:
    assert parse_number(text, multiplier) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("十二万四千二百", 124200),  # 判决 … 十二万四千二百元
        ("一百二十三", 123),
        ("两千", 2000),  # 处两千元
        ("三百五十", 350),  # 代表名额基数为三百五十名
        ("十五", 15),
        ("一万亿", 10**12),
        ("二〇一二", 2012),  # 二〇一二年选举第四任行政长官 (digit by digit, with 〇)
    ],
)
def test_chinese_numerals(text: str, expected: int) -> None:
    assert parse_chinese(text) == expected


def test_multiplier_words_alone_are_not_quantities() -> None:
    # 深入开展"百万警进千万家"活动: 千万 has no digit, so it is a word, not ten million
    assert parse_number("千万") is None
    assert parse_number("百万") is None


def test_value_has_no_exponent_so_equal_figures_hash_alike() -> None:
    assert str(parse_number("59.99", "万")) == "599900"
    assert str(parse_number("4.6", "亿")) == "460000000"
