"""One test per extraction rule (units, qualifiers, ranges, what is not a metric, one row per fact).

Every sentence is real published text: from the seeds, ../shared/corpus/news, laws/ or laws/案例.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from etl.records import MetricRecord
from etl.transform.metrics import extract_metrics

SEED_000 = (
    "蒋成嘉表示，截至10月底，全国医保部门共查处涉及“三假”案件3970起，暂停医保服务协议142家、解除医保服务协议61家、"
    "暂停参保人医疗费用联网结算196人、移交公安司法机关536家（人）、移交纪检监察机关76家（人），共计追回医保相关资金1.4亿元。"
)


def only(text: str, **kwargs: object) -> MetricRecord:
    """The single metric a sentence yields."""
    found = extract_metrics(text, **kwargs)  # type: ignore[arg-type]
    assert len(found) == 1, [m.raw_text for m in found]
    return found[0]


def figures(text: str) -> list[tuple[str, Decimal, str, str]]:
    return [(m.raw_text, m.value, m.unit, m.qualifier) for m in extract_metrics(text)]


# --- units ---------------------------------------------------------------------------------------------

def test_money_in_yuan_is_cny_in_base_units() -> None:
    metric = only("通过开展打击欺诈骗保专项治理工作，三年来，拒付或追退回不合理医保基金支出共计2.5亿元。")
    assert (metric.value, metric.unit, metric.raw_text) == (Decimal(250000000), "CNY", "2.5亿元")


def test_other_currencies_take_their_iso_code() -> None:
    assert figures("截至本公告日期，本公司在二零二一年度已累计回购优先票据本金额12,396万美元。") == [
        ("12,396万美元", Decimal(123960000), "USD", "exact")
    ]
    assert figures("大市成交 1188.67 亿港元。")[0][1:3] == (Decimal(118867000000), "HKD")


def test_percent_keeps_the_value_as_written() -> None:
    assert figures("香港特区政府统计处公布，香港第二季度 GDP 同比上升 3.3%，增幅高于第一季度的 2.8%。") == [
        ("3.3%", Decimal("3.3"), "%", "exact"),
        ("2.8%", Decimal("2.8"), "%", "exact"),
    ]


def test_counts_keep_their_measure_word() -> None:
    units = [m.unit for m in extract_metrics(SEED_000)]
    assert units == ["起", "家", "家", "人", "家", "家", "CNY"]


def test_family_person_bracket_is_kept_in_raw_text_and_dropped_from_unit() -> None:
    metric = extract_metrics(SEED_000)[4]
    assert (metric.raw_text, metric.value, metric.unit) == ("536家（人）", Decimal(536), "家")


def test_lost_measure_word_comes_from_the_noun_lead() -> None:
    text = "我们强化部门协作，依法向公安机关移送涉嫌欺诈骗保犯罪线索3向纪检监察机关移送问题线索5案件查处方面"
    assert [(m.value, m.unit) for m in extract_metrics(text)] == [(Decimal(3), "条"), (Decimal(5), "条")]


def test_man_times_counts_and_multiplier_before_unit() -> None:
    metric = only("2018年至2021年10月共检查定点医药机构约234万家次。")
    assert (metric.value, metric.unit) == (Decimal(2340000), "家次")


# --- qualifiers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "raw", "qualifier"),
    [
        ("累计追回医保基金约506亿元。", "约506亿元", "approx"),
        ("热门股大众公用高开低走，收跌近 23%。", "近 23%", "approx"),
        ("我国生鲜乳的价格长期处在3元左右每公斤。", "3元左右", "approx"),
        ("华尔街投资者预测，美国联邦储备委员会本周降息50个基点的几率为大约64%。", "大约64%", "approx"),
        ("共侦破各类诈骗医保基金犯罪案件1780余起。", "1780余起", "more_than"),
        ("本届跨交会吸引了40多家跨境电商龙头品牌企业参加。", "40多家", "more_than"),
        ("相比去年同期增长逾5000亿元。", "逾5000亿元", "more_than"),
        ("回购金额靠前的还有宁德时代、顺丰控股等，金额均超 2 亿元。", "超 2 亿元", "more_than"),
        ("全国能源重点项目完成投资额超过 1.2 万亿元。", "超过 1.2 万亿元", "more_than"),
        ("核心产业规模达到500亿元以上。", "500亿元以上", "at_least"),
        ("市场成交额不足6600亿元。", "不足6600亿元", "less_than"),
        ("2024年底启动预售，售价在200万元以内。", "200万元以内", "at_most"),
    ],
)
def test_qualifier_words_before_and_after(sentence: str, raw: str, qualifier: str) -> None:
    found = {m.raw_text: m.qualifier for m in extract_metrics(sentence)}
    assert found.get(raw) == qualifier, found


def test_more_than_inside_the_multiplier_in_both_positions() -> None:
    text = "罚款金额共计117万余元，减少医保基金损失9800余万元。"
    assert figures(text) == [
        ("117万余元", Decimal(1170000), "CNY", "more_than"),
        ("9800余万元", Decimal(98000000), "CNY", "more_than"),
    ]


def test_at_most_with_bu_chao_guo() -> None:
    metric = only("单一企业申报车型合计产量不超过5000辆。")
    assert (metric.value, metric.qualifier) == (Decimal(5000), "at_most")


def test_range_is_one_row_with_value_max() -> None:
    metric = only("美联储在 7 月 FOMC 会议上继续按兵不动，将联邦基金利率目标区间维持在 5.25% 至 5.5% 不变。")
    assert (metric.value, metric.value_max, metric.qualifier) == (Decimal("5.25"), Decimal("5.5"), "range")


def test_range_low_end_takes_the_multiplier_of_the_high_end() -> None:
    metric = only("苹果要求供应商为大约8800万至9000万台智能手机准备零部件。")
    assert (metric.value, metric.value_max, metric.unit) == (Decimal(88000000), Decimal(90000000), "台")


# --- not metrics ---------------------------------------------------------------------------------------

def test_year_like_count_is_a_count_not_a_year() -> None:
    # JioNLP and Recognizers-Text read this as the year 1780
    metric = only("公安部：2021年侦破医保诈骗案1780余起")
    assert (metric.value, metric.unit) == (Decimal(1780), "起")


@pytest.mark.parametrize(
    "sentence",
    [
        "2025年10月28日上午9:00,我在县融媒体六楼会议室召开新闻发布会。",  # date, time, floor
        "专项整治行动结束时间由2021年12月底延长至2022年12月底。",  # dates
        "每月上报数据信息，6月底前报送阶段性成效和不足，12月底前全面总结。",  # durations
        "北京三年来拒付或追退回不合理医保基金支出",  # 三年来 without a figure
        "【新闻发布会第27场】歙县医保基金管理突出问题专项整治工作",  # ordinal
        "第一条 为整合不动产登记职责，规范登记行为，制定本条例。",  # article number
        "明确了三大主攻方向，力求做到有的放矢、精准发力。",  # list items in prose
        "一是始终保持严厉打击欺诈骗保和违规使用医保基金行为的高压态势。",
        "稳步推进自查自纠与集中整治两个关键阶段，目前已在多个方面取得了显著的阶段性成果。",
        "构建“医、患、管”三个环节同频同振的综合监管体制。",
        "云医保发〔2022〕6号",  # document number
        "号: 003149652/202510-00075 信息分类: 政府新闻发布会实录",  # index number
        "深入开展“百万警进千万家”活动",  # slogan words, not ten million households
        "一起推进医保基金监管工作",  # 一起 is "together"
        "暂停涉及医疗保障基金使用的医药服务10个半月。",  # a duration
        "恰逢2022元旦假期，医保经办大厅照常办公。",  # 元旦 is not yuan
    ],
)
def test_dates_durations_ordinals_list_items_and_numbers_are_not_metrics(sentence: str) -> None:
    assert extract_metrics(sentence) == []


def test_stock_codes_and_urls_are_not_metrics() -> None:
    text = (
        "融信中国(03301.HK)：公司已回购票据。\n"
        "<http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202201142248444631>\n"
        "重点开展“联合联动+线上线下”宣传活动 https://finance.sina.com.cn/realstock/company/sz300959/nc.shtml"
    )
    assert extract_metrics(text) == []


def test_advertising_comments_are_not_metrics() -> None:
    text = "正文。<!--article_adlist[ 海量资讯尽在新浪财经APP，开户即送100元 ]article_adlist-->"
    assert extract_metrics(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "单位有违反该条规定行为的，处五万元以上二十万元以下罚款。",  # laws/宪法相关法/陆地国界法
        "对单位的罚款金额，为人民币五万元以上一百万元以下。",  # 民事诉讼法 第一百一十八条
        "讯问的时候，侦查人员不得少于二人。",  # 刑事诉讼法
        "逃避缴纳税款数额较大并且占应纳税额百分之十以上的，处三年以下有期徒刑或者拘役，并处罚金。",
        "对单位判处非法募集资金金额百分之二十以上一倍以下罚金。",
        "由医疗保障行政部门责令改正，并处骗取金额2倍以上5倍以下的罚款。",
    ],
)
def test_legal_thresholds_and_fine_ranges_are_not_metrics(sentence: str) -> None:
    assert extract_metrics(sentence) == []


def test_cha_chu_is_not_a_penalty_verb() -> None:
    # 处 before a fine is a norm (处二千元罚款); 查处 before a count is a report (composed, bulletin style)
    assert figures("上半年全市检查定点医药机构860家，查处215家。")[1][:3] == ("215家", Decimal(215), "家")


def test_a_regulation_yields_no_metrics() -> None:
    law = (
        "# 医疗保障基金使用监督管理条例\n\n"
        "第一条 为了加强医疗保障基金使用监督管理，保障基金安全，制定本条例。\n\n"
        "第二条 本条例适用于中华人民共和国境内基本医疗保险基金使用及其监督管理。\n\n"
        "第三十八条 定点医药机构有下列情形之一的，由医疗保障行政部门责令改正，并可以约谈有关负责人；"
        "造成医疗保障基金损失的，责令退回，处造成损失金额1倍以上2倍以下的罚款；拒不改正的，处1万元以上5万元以下的罚款。\n"
    )
    assert extract_metrics(law) == []


# --- one row per fact, evidence --------------------------------------------------------------------------

def test_figure_in_title_and_body_is_one_row_with_body_offsets() -> None:
    body = "国家医保局成立以来，严厉打击医保领域违法违规行为。2018年至2021年10月累计追回医保基金约506亿元。"
    rows = extract_metrics(body, title="国家医保局：累计追回医保基金约506亿元")
    assert len(rows) == 1
    row = rows[0]
    assert body[row.char_start:row.char_end] == row.raw_text == "约506亿元"


def test_figure_stated_twice_in_the_body_is_one_row() -> None:
    body = (
        "据了解，2021年公安部先后挂牌督办22起重大案件，重点打击“假病人”“假病情”“假票据”等犯罪活动。\n"
        "此外，公安部先后挂牌督办22起重大案件，重点打击“假病人”“假病情”“假票据”(三假)等犯罪活动。"
    )
    assert len(extract_metrics(body)) == 1


def test_title_only_figure_has_no_offsets() -> None:
    rows = extract_metrics("正文没有数字。", title="公安部：2021年侦破医保诈骗案1780余起 追缴医保基金4.6亿元")
    assert [(m.raw_text, m.char_start, m.char_end) for m in rows] == [
        ("1780余起", None, None), ("4.6亿元", None, None)
    ]


def test_sentence_is_the_one_the_figure_came_from() -> None:
    body = "医保基金是人民群众的“保命钱”。2021年全年，处理违规定点医疗机构33家。"
    assert only(body).sentence == "2021年全年，处理违规定点医疗机构33家"
