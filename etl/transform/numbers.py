"""Numerals as Chinese news and notices write them -> Decimal.

Covers Arabic digits with thousands separators and decimals (59.99, 1,234), full-width digits (１２３),
Chinese numerals (一百二十三, 两千, 〇) and mixed forms with a multiplier (3.5万, 1.2亿, 9800余万).
The regex fragments here are shared with the metrics master regex so that both agree on what a number is.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Arabic digits, ASCII or full-width; a thousands separator (comma, or a space as in "138 000元") only
# when exactly three digits follow it
ARABIC_PATTERN = r"[0-9０-９]+(?:[, \u2009][0-9]{3}(?![0-9]))*(?:[.．][0-9０-９]+)?"
# A run of Chinese numeral characters (multipliers inside the run are part of the numeral: 三万五千)
# (with the financial capitals of court judgments and receipts: 肆拾万元, 壹拾万元, 贰仟元)
CHINESE_PATTERN = r"[零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]+"
NUMBER_PATTERN = rf"(?:{ARABIC_PATTERN}|{CHINESE_PATTERN})"
# Multipliers written after Arabic digits (3.5万, 1.2亿, 5千万); longest first so 万亿 beats 万
MULTIPLIER_PATTERN = r"(?:万亿|千万|百万|亿|万|千|百)"

MULTIPLIERS: dict[str, Decimal] = {
    "百": Decimal(100),
    "千": Decimal(1000),
    "万": Decimal(10) ** 4,
    "百万": Decimal(10) ** 6,
    "千万": Decimal(10) ** 7,
    "亿": Decimal(10) ** 8,
    "万亿": Decimal(10) ** 12,
}

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000, "拾": 10, "佰": 100, "仟": 1000}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def parse_arabic(text: str) -> Decimal:
    """'1,234.5' / '１２３' -> Decimal; separators dropped, full-width digits folded."""
    return Decimal(text.translate(_FULL_WIDTH).replace(",", "").replace(" ", "").replace("\u2009", ""))


def parse_chinese(text: str) -> int | None:
    """'一百二十三' -> 123, '两千' -> 2000, '三万五千' -> 35000, '二〇二一' -> 2021.

    None when the run holds no digit at all (千万家, 百万警 are words, not quantities).
    """
    if not any(ch in CHINESE_DIGITS or ch in "十拾" for ch in text):
        return None
    if not any(ch in _SMALL_UNITS or ch in "万亿" for ch in text):
        # digit-by-digit form, as in years: 二〇二一
        return int("".join(str(CHINESE_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    for ch in text:
        if ch in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[ch]
            digit = 0
        elif ch == "万":
            section = (section + digit) * 10**4
            digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
    return total + section + digit


def is_chinese_numeral(text: str) -> bool:
    """Whether a numeral run is written in Chinese characters rather than digits."""
    return bool(text) and text[0] not in "0123456789０１２３４５６７８９"


def parse_number(text: str, multiplier: str | None = None) -> Decimal | None:
    """Any numeral this module knows, times an optional written multiplier; None if it is not a quantity."""
    if is_chinese_numeral(text):
        value = parse_chinese(text)
        if value is None:
            return None
        number = Decimal(value)
    else:
        try:
            number = parse_arabic(text)
        except InvalidOperation:
            return None
    if multiplier:
        number *= MULTIPLIERS[multiplier]
    return normalize(number)


def normalize(value: Decimal) -> Decimal:
    """Drop a trailing exponent so 5.99E+5 prints as 599000 and equal values compare and hash alike."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
