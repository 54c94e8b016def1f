"""Traditional-script text -> simplified, for the rules to read; same length, so offsets still fit.

The rules (numbers, units, cues, agency names, period words) are written in simplified characters. Hong
Kong, Macau and Taiwan outlets and big5 mirrors of mainland sites write the same facts in traditional ones
(億, 萬, 個, 國家醫保局). Rather than doubling every table, the text the rules read is converted with OpenCC
(t2s), and only where traditional characters appear: a single regex search over a class of the characters
t2s changes decides, so a simplified document costs one linear scan and no conversion.

`body_text` stays as written. Figures' offsets and evidence must point into it, so the converted text has to
keep every character where it was: t2s is character-for-character for almost all text; where a phrase rule
changes the length of a line, that line is converted character by character instead.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

try:  # an installation without the converter still runs; traditional pages are then read as written
    import opencc
except ImportError:  # pragma: no cover - opencc is a declared dependency
    opencc = None

# The blocks where t2s changes characters: CJK Unified Ideographs, Extension A and the compatibility block.
_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


@cache
def _converter() -> opencc.OpenCC | None:
    return opencc.OpenCC("t2s") if opencc is not None else None


@cache
def _traditional_regex() -> re.Pattern[str] | None:
    """A class of every character t2s changes, built from the converter itself (a few milliseconds)."""
    converter = _converter()
    if converter is None:
        return None
    chars = [chr(code) for low, high in _BLOCKS for code in range(low, high)]
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # cannot happen with a per-line conversion; be safe rather than wrong
        converted = [converter.convert(ch) for ch in chars]
    changed = "".join(ch for ch, out in zip(chars, converted, strict=True) if out != ch)
    return re.compile("[" + re.escape(changed) + "]") if changed else None


def has_traditional(text: str | None) -> bool:
    """Whether text holds any character that t2s would change (the cheap check)."""
    regex = _traditional_regex()
    return bool(text) and regex is not None and regex.search(text) is not None


def _same_length(converter: opencc.OpenCC, text: str) -> str:
    """t2s of text with every character kept in place: lines whose length changed go char by char."""
    out = converter.convert(text)
    if len(out) == len(text):
        return out
    lines = text.split("\n")
    fixed = []
    for line in lines:
        converted = converter.convert(line)
        if len(converted) != len(line):
            converted = "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in line)
        fixed.append(converted)
    return "\n".join(fixed)


@lru_cache(maxsize=8)
def to_simplified(text: str | None) -> str | None:
    """text in simplified characters, same length; the very same string when it has no traditional ones."""
    if not text or not has_traditional(text):
        return text
    converter = _converter()
    return _same_length(converter, text) if converter is not None else text
