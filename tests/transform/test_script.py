"""Traditional-script documents are read like simplified ones; evidence stays as written.

The documents are written for these tests (a simplified text and its OpenCC s2hk / s2tw conversion).
"""

from __future__ import annotations

from decimal import Decimal

import opencc

from etl.transform import transform_document
from etl.transform.script import has_traditional, to_simplified

SIMPLIFIED = (
    "国家医保局：前10月追回医保基金1.4亿元\n\n"
    "国家医疗保障局12月8日通报，2021年1至10月，全国医保部门共查处欺诈骗保案件3970宗，"
    "追回医保基金1.4亿元，暂停医保服务协议142家，解除协议61家，公安机关抓获犯罪嫌疑人3万余人。\n"
)


def _facts(text: str) -> list[tuple[Decimal, str, str | None, str | None]]:
    record = transform_document(text.encode("utf-8"), "doc.txt")
    return sorted((m.value, m.unit, m.indicator, m.agency_name) for m in record.metrics)


def test_the_check_finds_traditional_characters_only() -> None:
    assert not has_traditional(SIMPLIFIED)
    assert has_traditional("追回醫保基金1.4億元")
    assert not has_traditional("") and not has_traditional(None)


def test_simplified_text_is_returned_untouched() -> None:
    assert to_simplified(SIMPLIFIED) is SIMPLIFIED


def test_conversion_keeps_every_character_in_place() -> None:
    traditional = opencc.OpenCC("s2hk").convert(SIMPLIFIED)
    converted = to_simplified(traditional)
    assert len(converted) == len(traditional)
    assert "國家醫保局" in traditional and "国家医保局" in converted


def test_hong_kong_and_taiwan_forms_give_the_simplified_facts() -> None:
    expected = _facts(SIMPLIFIED)
    assert len(expected) == 5
    for config in ("s2hk", "s2tw", "s2t"):
        assert _facts(opencc.OpenCC(config).convert(SIMPLIFIED)) == expected, config


def test_evidence_and_aliases_stay_as_written() -> None:
    traditional = opencc.OpenCC("s2hk").convert(SIMPLIFIED)
    record = transform_document(traditional.encode("utf-8"), "doc.txt")
    body = record.extracted.body_text
    assert record.extracted.title == traditional.splitlines()[0]
    for metric in record.metrics:
        assert metric.char_start is not None and metric.char_end is not None
        assert body[metric.char_start:metric.char_end] == metric.raw_text
        assert metric.sentence in body
    by_name = {a.name: a for a in record.agencies}
    assert "國家醫療保障局" in by_name["国家医疗保障局"].aliases
    assert any(m.raw_text == "3萬餘人" for m in record.metrics)
