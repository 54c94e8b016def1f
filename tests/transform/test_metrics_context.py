"""Context rules: indicator by the words around a figure, figure and document topic, period, cumulative.

Sentences are real published text (seeds, ../shared/corpus/news, laws/).
"""

from __future__ import annotations

from datetime import date

import pytest

from etl.transform.metrics import document_on_topic, extract_metrics
from etl.transform.periods import find_period


def indicators(text: str) -> dict[str, str | None]:
    return {m.raw_text: m.indicator for m in extract_metrics(text)}


# --- indicator -----------------------------------------------------------------------------------------

def test_verb_before_the_figure_decides_each_list_item() -> None:
    text = (
        "截至10月底，全国医保部门共查处涉及“三假”案件3970起，暂停医保服务协议142家、解除医保服务协议61家、"
        "暂停参保人医疗费用联网结算196人、移交公安司法机关536家（人）、移交纪检监察机关76家（人），"
        "共计追回医保相关资金1.4亿元。"
    )
    assert indicators(text) == {
        "3970起": "cases_investigated",
        "142家": "agreements_suspended",
        "61家": "agreements_terminated",
        "196人": "settlement_suspended_persons",
        "536家（人）": "referred_to_police",
        "76家（人）": "referred_to_discipline",
        "1.4亿元": "funds_recovered",
    }


def test_counted_noun_after_the_figure_decides_when_no_verb_precedes() -> None:
    text = (
        "2021年全年，处理违规定点医疗机构33家，做出24个行政处罚决定，罚款金额共计117万余元，减少医保基金损失9800余万元。"
    )
    assert indicators(text) == {
        "33家": "institutions_handled",
        "24个": "penalty_decisions",
        "117万余元": "fines",
        "9800余万元": "losses_avoided",
    }


def test_post_posed_verb_and_unit_fit() -> None:
    # 3家 takes the clause's verb 行政处理; 医务人员 cannot count institutions, it is 7名's noun
    text = "案件查处方面:3家医疗机构、7名医务人员违规使用医保基金案件进行行政处理，同时推动建立长效机制。"
    assert indicators(text) == {"3家": "institutions_handled", "7名": "staff_handled"}


def test_specific_referral_beats_the_generic_lead_noun() -> None:
    text = "我们强化部门协作，依法向公安机关移送涉嫌欺诈骗保犯罪线索3向纪检监察机关移送问题线索5案件查处方面"
    assert [m.indicator for m in extract_metrics(text)] == ["referred_to_police", "referred_to_discipline"]


def test_noun_before_the_figure_problems_and_leads() -> None:
    text = (
        "医保经办机构层面:排查出内控制度、基金管理等领域问题13个，并在自查过程中发现违规线索7条，移交监管中心核查。"
    )
    assert indicators(text) == {"13个": "problems_found", "7条": "clues_found"}


def test_money_cue_cannot_classify_a_count() -> None:
    # 行刑衔接 (a referral cue) follows 278.95万元 in the garbled text; a referral is a count, not money
    text = "我们已累计检查定点医疗机构和定点零售药店736家次，累计追回违规使用的医保基金278.95万元行刑衔接方面"
    assert indicators(text) == {"736家次": "institutions_inspected", "278.95万元": "funds_recovered"}


def test_gap_cue_spans_the_figure() -> None:
    text = "截至目前，忻州市、朔州市医保部门已终止5家医院医保服务协议，追回医保基金771.27万元，处行政罚款588.15万元。"
    assert indicators(text) == {
        "5家": "agreements_terminated", "771.27万元": "funds_recovered", "588.15万元": "fines",
    }


def test_unit_picks_among_codes_of_one_cue() -> None:
    # 查处 counts cases in 起 and institutions in 家 (the second sentence is composed in the style of the
    # national bulletins, whose "检查…万家，查处…万家" pattern the seeds do not show)
    assert indicators("全国医保部门共查处涉及“三假”案件3970起。") == {"3970起": "cases_investigated"}
    assert indicators("该省全年检查定点医药机构1.2万家，查处3600家，追回医保资金5.6亿元。") == {
        "1.2万家": "institutions_inspected", "3600家": "institutions_handled", "5.6亿元": "funds_recovered",
    }


def test_verbless_clause_continues_the_previous_figure() -> None:
    # composed in the style of a flight-inspection bulletin
    text = "省医保局开展飞行检查，检查医疗机构9家，医保经办机构3家，查出涉嫌违法违规资金2600万元。"
    assert indicators(text) == {
        "9家": "institutions_inspected", "3家": "institutions_inspected", "2600万元": "funds_involved",
    }


def test_overlapping_cues_are_all_seen() -> None:
    # 并处罚金 holds 处罚 (institutions) and 罚金 (fines); a money figure takes the one that fits
    text = "法院以诈骗罪判处被告人有期徒刑三年，并处罚金3万元，骗保团伙成员另有5人被判刑。"
    assert indicators(text)["3万元"] == "fines"


def test_wrong_doing_cue_yields_to_the_act_against_it() -> None:
    # composed in the style of typical-case bulletins
    assert indicators("经查，参保人李某伪造住院票据骗取医保基金1.27万元。") == {"1.27万元": "funds_involved"}
    assert indicators("医保部门已追回被骗取的医保基金1.27万元。") == {"1.27万元": "funds_recovered"}


def test_a_total_does_not_continue_the_previous_figure() -> None:
    text = "责令其限期整改，中止定点服务协议4个月，追回医保基金5.34万元，核减10.81万元，共计16.15万元。"
    assert indicators(text) == {"5.34万元": "funds_recovered", "10.81万元": "funds_deducted", "16.15万元": None}


def test_enforcement_words_do_not_make_a_bulletin_normative() -> None:
    # 责令 and 予以 report what was done; only 应当/不得/可以/必须 mark a text that lays down rules
    text = (
        "某诊所存在虚构医疗服务的违法行为，涉及医保基金2716元。市医疗保障局对该诊所处理如下：1.责令整改；"
        "2.罚款人民币13580元。"
    )
    assert indicators(text) == {"2716元": "funds_involved", "人民币13580元": "fines"}


def test_no_indicator_where_none_fits() -> None:
    text = "连续参保有激励，对连续参加居民医保满4年的群众，从第5年起每多参保1年可提高大病保险最高支付限额至少1000元。"
    assert indicators(text) == {"至少1000元": None}


# --- figure and document topic ------------------------------------------------------------------------

POLICE_PARAGRAPHS = (
    "据了解，2021年公安部先后挂牌督办22起重大案件，重点打击“假病人”“假病情”“假票据”等犯罪活动。\n"
    "此外，公安部相关负责人还介绍，全国公安派出所共排查化解矛盾纠纷605万起，整治消除风险隐患388万处，"
    "切实确保了辖区稳定、守护了一方平安。\n"
    "全国公安派出所优化办事窗口服务方式，及时劝阻1104万名群众免受电信诈骗，为群众挽回经济损失103亿元。"
)


def test_off_topic_figures_are_flagged_and_get_no_indicator() -> None:
    rows = {m.raw_text: (m.on_topic, m.indicator) for m in extract_metrics(POLICE_PARAGRAPHS, title="诈骗医保基金")}
    assert rows == {
        "22起": (True, "cases_supervised"),
        "605万起": (False, None),
        "388万处": (False, None),
        "1104万名": (False, None),
        "103亿元": (False, None),  # 挽回经济损失 would read as losses_avoided if the topic were not checked
    }


def test_subject_change_ends_the_topic_of_the_previous_sentence() -> None:
    text = (
        "国家医保局成立以来，严厉打击医保领域违法违规行为。此外，全国公安派出所共排查化解矛盾纠纷605万起。"
    )
    assert [m.on_topic for m in extract_metrics(text, title="医保基金监管")] == [False]


def test_document_topic() -> None:
    assert document_on_topic("关于进一步加强打击诈骗医保基金专项整治行动工作的通知", "各乡镇（街道）社保所：")
    assert document_on_topic("北京三年来拒付或追退回不合理医保基金支出2.5亿元", "4月8日，北京市医保局联合市公安局……")
    briefing = (
        "陆家嘴财经早餐2024年8月2日星期五\n1、我国首个基本医保参保长效机制正式公布。连续参加居民医保满4年的群众……\n"
        + "2、美联储按兵不动，三大股指收涨，北向资金净买入，国债收益率下行。\n" * 40
    )
    assert not document_on_topic("陆家嘴财经早餐2024年8月2日星期五", briefing)
    assert not document_on_topic("不动产登记暂行条例", "第一条 为整合不动产登记职责，规范登记行为，制定本条例。")


# --- period and cumulative ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "published_on", "start", "end", "cumulative"),
    [
        ("2018年至2021年10月共检查定点医药机构约234万家次", date(2021, 12, 8), date(2018, 1, 1), date(2021, 10, 31), False),
        ("截至2021年12月25日，共侦破各类诈骗医保基金犯罪案件1780余起", date(2022, 1, 14), None, date(2021, 12, 25), True),
        ("2021年全年，处理违规定点医疗机构33家", date(2022, 4, 8), date(2021, 1, 1), date(2021, 12, 31), False),
        ("截至10月底，全国医保部门共查处涉及“三假”案件3970起", date(2021, 12, 8), None, date(2021, 10, 31), True),
        # a duration back from the date it is stated on: no start is computed back from it (gold, seed 001)
        ("三年来，本市拒付或追退回不合理医保基金支出共计2.5亿元", date(2022, 4, 8), None, date(2022, 4, 8), True),
        ("今年以来，国家医保局共追回医保基金10亿元", date(2024, 8, 18), date(2024, 1, 1), date(2024, 8, 18), True),
        ("自2025年4月起，我县开展专项整治，截至目前，已累计检查定点医疗机构736家次", date(2025, 10, 28),
         date(2025, 4, 1), date(2025, 10, 28), True),
        ("按公告发布日期计算，7 月以来，A 股市场超 700 家公司披露回购进展相关公告", date(2024, 8, 1),
         date(2024, 7, 1), date(2024, 8, 1), True),
        # the next two are composed in bulletin style: months without a year, 以来 after a dated figure
        ("1至6月份，全市共检查定点医药机构860家", date(2023, 7, 20), date(2023, 1, 1), date(2023, 6, 30), False),
        ("今年追回120万元，局成立以来已累计追回医保基金900万元", date(2023, 7, 20), None, date(2023, 7, 20), True),
    ],
)
def test_period_of_a_figure(
    sentence: str, published_on: date, start: date | None, end: date | None, cumulative: bool
) -> None:
    period = find_period(sentence, len(sentence), published_on)
    assert (period.start, period.end, period.cumulative) == (start, end, cumulative)


def test_cumulative_word_without_a_date() -> None:
    [row] = extract_metrics("定点医药机构层面285家定点机构全面完成自查，累计退回违规医保基金59.99万元。")[1:]
    assert row.cumulative and row.period_start is None and row.period_end is None
