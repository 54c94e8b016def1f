"""Whose figure it is: a named place's 医保部门/公安机关, 当地医保部门, a police bureau's district branch, a foreign
body; and which currency a Hong Kong outlet's bare 元 is. Documents written for these tests."""

from __future__ import annotations

from etl.records import ExtractedDocument
from etl.transform import transform_document
from etl.transform.agencies import attribution, find_agencies
from etl.transform.units import local_currency


def doc(body: str) -> ExtractedDocument:
    return ExtractedDocument(format="text", encoding="utf-8", body_text=body)


def agency_of(text: str, figure: str) -> tuple[str | None, str]:
    return attribution(text.index(figure), find_agencies(doc(text)), text)


def test_a_named_places_bureau_word_is_that_places_bureau() -> None:
    text = ("广东省医疗保障局公布典型案例。\n"
            "广州市医保部门根据举报线索，查实某门诊部违规，涉及医保基金7.7万元。\n"
            "深圳市医保部门调查发现胡某套刷医保卡，涉及医保基金2.6万元。")
    assert agency_of(text, "7.7万元") == ("广州市医疗保障局", "sentence")
    assert agency_of(text, "2.6万元") == ("深圳市医疗保障局", "sentence")


def test_the_local_bureau_is_the_one_named_before() -> None:
    text = ("广东省医疗保障局公布典型案例。\n广州市医保部门根据举报线索查实某门诊部违规。\n"
            "依据有关规定，当地医保部门作出处理：退回医保基金7.7万元。")
    assert agency_of(text, "7.7万元") == ("广州市医疗保障局", "sentence")


def test_a_district_branch_of_a_city_police_bureau_is_its_own_body() -> None:
    text = "上海市公安局长宁分局破获一起诈骗医保基金案，抓获犯罪嫌疑人35名。"
    mentions = {m.name: m for m in find_agencies(doc(text))}
    branch = mentions["上海市公安局长宁分局"]
    assert (branch.level, branch.region) == ("county", "上海市长宁区")
    assert agency_of(text, "35名") == ("上海市公安局长宁分局", "sentence")


def test_a_foreign_body_is_never_chinas() -> None:
    text = "财政部发布数据。\n韩国企划财政部向国会提交的报告显示，韩国明年债务将达883.4万亿韩元。"
    assert "财政部" in {m.name for m in find_agencies(doc(text))}  # China's, named in the first line
    assert agency_of(text, "883.4") == (None, "none")


def test_a_hong_kong_outlets_bare_yuan_is_hkd_unless_the_page_says_renminbi() -> None:
    assert local_currency(("大公報",), "长者的医疗券上限5000元") == "HKD"
    assert local_currency(("大公報",), "追回医保资金1.4亿元人民币（约1.7亿港元）") is None
    assert local_currency(("新华社",), "追回5000元") is None


def test_a_sum_restated_in_another_currency_takes_the_first_ones_indicator() -> None:
    text = ("國家醫保局：追回醫保資金\n\n國家醫療保障局表示，今年截至10月底，全國醫保部門追回醫保相關資金"
            "1.4億元人民幣（下同，約1.7億港元），向紀檢監察機關移交76個。")
    record = transform_document(text.encode("utf-8"), "hk.txt")
    by_unit = {m.unit: m for m in record.metrics if m.unit in ("CNY", "HKD")}
    assert by_unit["CNY"].indicator == by_unit["HKD"].indicator == "funds_recovered"
    assert by_unit["HKD"].raw_text == "約1.7億港元"


def test_outlet_currency_applies_in_the_transform() -> None:
    text = "醫療券被濫用\n\n來源：大公報\n\n長者醫療券上限5000元，當局追回醫療券款項3萬元。"
    record = transform_document(text.encode("utf-8"), "hk.txt")
    assert record.extracted.source is not None and record.extracted.source.name == "大公報"
    assert sorted((m.raw_text, m.unit) for m in record.metrics) == [("3萬元", "HKD"), ("5000元", "HKD")]


def test_a_provinces_police_is_its_public_security_department() -> None:
    text = ("浙江省公安机关会同医保部门开展专项行动，抓获犯罪嫌疑人120名。\n"
            "重庆市公安机关侦破诈骗医保基金案件35起。\n杭州市公安机关抓获犯罪嫌疑人8名。")
    assert agency_of(text, "120名")[0] == "浙江省公安厅"
    assert agency_of(text, "35起")[0] == "重庆市公安局"  # a 直辖市's police is a 公安局
    assert agency_of(text, "8名")[0] == "杭州市公安局"
