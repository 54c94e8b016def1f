"""How a figure's agency was chosen (agency_basis), and the bare agency mentions that found no place: what the
review queue shows a person."""

from __future__ import annotations

from etl.records import ExtractedDocument
from etl.transform.agencies import attribute_metric, attribution, find_agencies
from etl.transform.unresolved import unresolved_mentions


def doc(body: str, issuers: tuple[str, ...] = (), title: str | None = None) -> ExtractedDocument:
    return ExtractedDocument(format="text", encoding="utf-8", body_text=body, issuers=issuers, title=title)


def test_the_basis_says_whether_the_sentence_or_a_fallback_chose_the_agency() -> None:
    text = "公安部通报，共侦破案件1780余起。全国共排查化解矛盾纠纷605万起。"
    mentions = find_agencies(doc(text))
    assert attribution(text.index("1780"), mentions, text) == ("公安部", "sentence")
    assert attribution(text.index("605万"), mentions, text) == ("公安部", "most_named")
    assert attribution(None, mentions, text) == ("公安部", "most_named")
    notice = "县公安局及时梳理进展情况。共检查定点医药机构736家次。"
    issued = find_agencies(doc(notice, issuers=("云阳县医疗保障局",)))
    assert attribution(notice.index("736"), issued, notice) == ("云阳县医疗保障局", "issuer")
    assert attribution(3, [], "共检查736家次。") == (None, "none")
    assert attribute_metric(notice.index("736"), issued, notice) == "云阳县医疗保障局"  # the name alone, as before


def test_a_bare_mention_with_no_place_is_unresolved_and_a_placed_one_is_not() -> None:
    text = "记者从市医保局获悉，市医保局与县公安局开展检查。"
    assert unresolved_mentions(text, find_agencies(doc(text))) == ("市医保局", "县公安局")
    placed = "北京市医保局通报：市医保局、市公安局联合检查。"
    assert unresolved_mentions(placed, find_agencies(doc(placed))) == ()


def test_levels_and_generic_references_are_not_unresolved_bodies() -> None:
    for text in ("各市医保局要加强监管。", "省、市、县医保局协同推进。", "全市医保局系统开展自查。"):
        assert unresolved_mentions(text, find_agencies(doc(text))) == (), text
    assert unresolved_mentions("由县医保局牵头。", []) == ("县医保局",)
    assert unresolved_mentions("", []) == ()
