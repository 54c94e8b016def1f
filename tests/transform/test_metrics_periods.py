"""Periods that cannot be a reported period are dropped rather than stored inverted."""

from __future__ import annotations

from datetime import date

from etl.transform.periods import find_period


def test_a_rule_taking_effect_after_publication_is_no_period() -> None:
    # daily briefing of 2024-09-13 (../shared/corpus/news): a tariff rule from 1 December
    sentence = "国务院关税税则委员会公告，自2024年12月1日起，对原产于同中国建交的最不发达国家100%"
    period = find_period(sentence, len(sentence), date(2024, 9, 13))
    assert (period.start, period.end) == (None, None)


def test_since_a_past_date_is_a_period_up_to_publication() -> None:
    sentence = "自2025年4月起，累计追回违规使用的医保基金278.95万元"
    period = find_period(sentence, sentence.index("278"), date(2025, 10, 28))
    assert (period.start, period.end, period.cumulative) == (date(2025, 4, 1), date(2025, 10, 28), True)
