"""Agency recognition: each alias and each context rule on a real sentence (seeds and real notices)."""

from __future__ import annotations

import pytest

from etl.records import AgencyMention, ExtractedDocument, SourceRef
from etl.rules import rows
from etl.transform.agencies import attribute_metric, find_agencies


def doc(body: str, **kw) -> ExtractedDocument:
    return ExtractedDocument(format="text", encoding="utf-8", body_text=body, **kw)


def names(mentions: list[AgencyMention]) -> dict[str, AgencyMention]:
    return {m.name: m for m in mentions}


# ---- national bodies: official names and short forms ---------------------------------------------------

SEED000 = (
    "国家医保局基金监管司司长蒋成嘉8日在媒体通气会上介绍，国家医保局成立以来，严厉打击医保领域违法违规行为。"
    "据悉，今年打击欺诈骗保专项整治行动开展以来，国家医保局联合公安部、国家卫生健康委等部门，重拳出击。"
)


def test_national_short_forms_resolve_to_one_canonical_name() -> None:
    found = names(find_agencies(doc(SEED000)))
    assert set(found) == {"国家医疗保障局", "公安部", "国家卫生健康委员会"}
    assert found["国家医疗保障局"].mention_count == 3
    assert found["国家医疗保障局"].aliases == ("国家医保局",)
    assert found["国家医疗保障局"].level == "national" and found["国家医疗保障局"].region is None


def test_internal_department_folds_into_its_body() -> None:
    found = find_agencies(doc("国家医保局基金监管司司长蒋成嘉8日在媒体通气会上介绍。"))
    assert [m.name for m in found] == ["国家医疗保障局"]
    assert found[0].spans == ((0, 5),)


def _national_rows() -> list[tuple[str, str]]:
    out = []
    for row in rows("national_agencies"):
        out.append((row["name"], row["name"]))
        out += [(a, row["name"]) for a in row["aliases"].split("|") if a]
    return out


@pytest.mark.parametrize(("alias", "canonical"), _national_rows())
def test_every_national_alias(alias: str, canonical: str) -> None:
    # the frame of seed 002: "《中国经营报》记者1月11日从公安部了解到，…"
    text = f"《中国经营报》记者1月11日从{alias}了解到，全国打击诈骗医保基金犯罪取得阶段性显著成效。"
    assert [m.name for m in find_agencies(doc(text))] == [canonical]


@pytest.mark.parametrize(
    ("sentence", "canonical"),
    [
        (
            "2021年4月9日，公安部会同国家医保局、国家卫健委等部门联合部署开展依法打击欺诈骗保专项整治行动。",
            "国家卫生健康委员会",
        ),
        ("国家医保局联合公安部、国家卫生健康委等部门，重拳出击、精准打击。", "国家卫生健康委员会"),
        (
            "国家医疗保障局、国家卫生健康委员会联合印发《关于做好基本医疗保险医用耗材支付管理有关工作的通知》。",
            "国家医疗保障局",
        ),
        (
            "市场监管总局、国家药监局、国家知识产权局发布2023年全国知识产权行政保护工作方案。",
            "国家市场监督管理总局",
        ),
        ("最高法、最高检、公安部联合印发《关于办理医保骗保刑事案件若干问题的指导意见》。", "最高人民检察院"),
        (
            "人社部、财政部、国家税务总局联合发布《关于阶段性减免企业社会保险费的通知》。",
            "人力资源和社会保障部",
        ),
    ],
)
def test_national_short_forms_in_real_sentences(sentence: str, canonical: str) -> None:
    assert canonical in names(find_agencies(doc(sentence)))


# ---- not bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "蒋成嘉表示，截至10月底，全国医保部门共查处涉及“三假”案件3970起，移交公安司法机关536家（人）、移交纪检监察机关76家（人）。",
        "专项整治行动中，各地公安机关严厉打击幕后组织操纵者、骨干成员，斩断非法利益链条。",
        "充分发挥医疗保障、卫生健康部门作用，进一步提升日常监管能力。公安部门运用刑事和行政执法手段。",
        "推动卫生健康、市场监管等相关行业主管部门落实行业监管职责，财政部门按规定安排工作经费。",
        "国务院政策例行吹风会上，国家医保局副局长介绍了有关情况。",  # the event is not 国务院; 国家医保局 is
        "县级以上人民政府应当加强对医疗保障基金使用监督管理工作的领导。",
        "省、自治区、直辖市人民政府可以根据本地实际制定具体办法。",
        "设区的市级以上人民政府医疗保障行政部门应当建立信用管理制度。",
        "各市医保局要在6月底前报送阶段性成效。",
        "对涉嫌犯罪的，依法移送公安机关；向人民法院提起诉讼。",
        "加大中央行政事业单位资产管理力度。",
    ],
)
def test_generic_references_are_not_bodies(sentence: str) -> None:
    found = names(find_agencies(doc(sentence)))
    assert set(found) <= {"国家医疗保障局"}


# ---- local bodies: {place}{suffix} ---------------------------------------------------------------------

SEED003_HEAD = (
    "云阳县医疗保障局、云阳县公安局、云阳县卫生健康委员会《关于印发〈2021年开展打击欺诈骗保专项整治行动方案〉的通知》"
    "下发后，各乡镇（街道）和相关部门积极落实。按照重庆市医疗保障局、重庆市公安局、重庆市卫生健康委员会"
    "《关于进一步加强打击诈骗医保基金专项整治行动工作的通知》（渝医保发〔2022〕2号）要求，持续保持高压态势。"
)


def test_full_local_names_with_levels_regions_and_codes() -> None:
    found = names(find_agencies(doc(SEED003_HEAD)))
    assert found["云阳县医疗保障局"].level == "county"
    assert found["云阳县医疗保障局"].region == "重庆市云阳县"
    assert found["云阳县医疗保障局"].region_code == "500235"
    assert found["重庆市卫生健康委员会"].level == "provincial"  # 直辖市 bodies are provincial
    assert found["重庆市卫生健康委员会"].region == "重庆市"
    assert len(found) == 6


@pytest.mark.parametrize(
    ("sentence", "canonical"),
    [
        ("歙县医保局党组成员吴炳学作发布并答记者问。", "歙县医疗保障局"),
        ("4月8日，北京市医保局联合市公安局召开动员会。", "北京市医疗保障局"),
        ("云阳县卫健委及时梳理专项整治进展情况。", "云阳县卫生健康委员会"),
        ("云阳县卫生健康委及时梳理专项整治进展情况。", "云阳县卫生健康委员会"),
        ("黄山市市场监管局开展药品安全专项检查。", "黄山市市场监督管理局"),
        ("黄山市药监局开展药品安全专项检查。", "黄山市药品监督管理局"),
        ("黄山市人社局发布2024年就业补贴公示。", "黄山市人力资源和社会保障局"),
        ("安徽省人社厅发布2024年就业补贴公示。", "安徽省人力资源和社会保障厅"),
        ("歙县法院审结一起诈骗医保基金案。", "歙县人民法院"),
        ("歙县检察院依法对犯罪嫌疑人提起公诉。", "歙县人民检察院"),
        ("黄山市中院二审维持原判。", "黄山市中级人民法院"),
        ("北京市第一中级人民法院二审维持原判。", "北京市第一中级人民法院"),
        ("安徽高院发布医保诈骗典型案例。", "安徽省高级人民法院"),
        ("歙县纪委监委通报3起典型问题。", "歙县纪委监委"),
        ("中共歙县纪委通报3起典型问题。", "歙县纪委监委"),
        ("歙县政府办印发整治工作方案。", "歙县人民政府办公室"),
        ("黄山市政府召开常务会议研究医保工作。", "黄山市人民政府"),
        ("广西医保局通报5起欺诈骗保典型案例。", "广西壮族自治区医疗保障局"),
        ("恩施州医保局通报5起欺诈骗保典型案例。", "恩施土家族苗族自治州医疗保障局"),
        ("安徽省黄山市歙县医保局开展专项检查。", "歙县医疗保障局"),
        ("北京市海淀区人民法院审结一起医保诈骗案。", "海淀区人民法院"),
        ("江苏省南通市通州区医保局开展专项检查。", "南通市通州区医疗保障局"),
        ("北京市通州区医保局开展专项检查。", "北京市通州区医疗保障局"),
        ("歙县医保基金监管中心对线索逐一核查。", "歙县医疗保障基金监管中心"),
    ],
)
def test_local_aliases(sentence: str, canonical: str) -> None:
    assert canonical in names(find_agencies(doc(sentence)))


def test_county_region_path_and_code() -> None:
    found = names(find_agencies(doc("歙县医保局党组成员吴炳学作发布并答记者问。")))
    m = found["歙县医疗保障局"]
    assert (m.level, m.region, m.region_code) == ("county", "安徽省黄山市歙县", "341021")
    assert m.aliases == ("歙县医保局",)


def test_ambiguous_district_without_context_is_not_guessed() -> None:
    assert find_agencies(doc("朝阳区医保局开展专项检查。")) == []


# ---- context: bare 市/县/区 prefixes ---------------------------------------------------------------------

SEED001 = (
    "4月8日，北京市医保局联合市公安局、市卫健委、市人社局、市市场监管局、市药监局，在北京天坛医院举行了启动动员会。"
    "会上，市医疗保障局党组书记、局长马继业表示，市区医保部门要通过开展全覆盖监督检查。"
    "市医保局始终将“严厉打击欺诈骗保”作为首要政治任务。"
)


def test_bare_city_prefix_takes_the_place_named_earlier_in_the_sentence() -> None:
    found = names(find_agencies(doc(SEED001, title="北京三年来拒付或追退回不合理医保基金支出2.5亿元")))
    assert set(found) == {
        "北京市医疗保障局",
        "北京市公安局",
        "北京市卫生健康委员会",
        "北京市人力资源和社会保障局",
        "北京市市场监督管理局",
        "北京市药品监督管理局",
    }
    assert found["北京市公安局"].level == "provincial"
    assert found["北京市医疗保障局"].mention_count == 3
    assert set(found["北京市医疗保障局"].aliases) == {"北京市医保局", "市医疗保障局", "市医保局"}


def test_bare_city_prefix_without_place_in_sentence_uses_the_title() -> None:
    found = find_agencies(
        doc("市医保局始终将“严厉打击欺诈骗保”作为首要政治任务。", title="北京三年来拒付医保基金支出2.5亿元")
    )
    assert [m.name for m in found] == ["北京市医疗保障局"]


def test_bare_city_prefix_uses_the_dateline() -> None:
    found = find_agencies(doc("市公安局通报了一批诈骗医保基金案件。", dateline="北京"))
    assert [m.name for m in found] == ["北京市公安局"]


def test_bare_prefix_without_any_context_is_dropped() -> None:
    assert find_agencies(doc("市公安局通报了一批诈骗医保基金案件。")) == []


def test_county_notice_city_prefix_is_its_city() -> None:
    d = doc(
        "（四）及时分析汇总。县医疗保障局、县公安局、县卫健委及时梳理专项整治进展情况。",
        issuers=("云阳县医疗保障局", "云阳县公安局", "云阳县卫生健康委员会"),
        cc=("市医疗保障局",),
    )
    found = names(find_agencies(d))
    assert found["重庆市医疗保障局"].role == "mentioned"
    assert found["重庆市医疗保障局"].level == "provincial"
    assert found["云阳县公安局"].role == "issuer"
    assert "县公安局" in found["云阳县公安局"].aliases


def test_county_city_prefix_in_a_prefecture() -> None:
    d = doc("抄送：市医疗保障局。", publisher_agency="歙县医保局")
    assert names(find_agencies(d))["黄山市医疗保障局"].region == "安徽省黄山市"


def test_government_source_gives_the_place() -> None:
    d = doc("由县医保局党组成员吴炳学作发布并答记者问。", source=SourceRef("歙县政府办", "government"))
    assert [m.name for m in find_agencies(d)] == ["歙县医疗保障局"]


def test_our_county_prefix() -> None:
    d = doc("在此，我县医疗保障局联合县人民法院开展专项整治。", title="歙县医保基金管理突出问题专项整治工作")
    found = names(find_agencies(d))
    assert set(found) == {"歙县医疗保障局", "歙县人民法院"}
    assert "我县医疗保障局" in found["歙县医疗保障局"].aliases


def test_function_word_plus_county_is_not_another_county() -> None:
    # 和县 is a county in 马鞍山; here 和 joins two bodies of 歙县
    d = doc(
        "在县委、县政府的坚强领导和县纪委监委的有力指导下，我县开展专项整治。",
        title="歙县医保基金管理突出问题专项整治工作",
    )
    found = names(find_agencies(d))
    assert "歙县纪委监委" in found
    assert not any(n.startswith("和县") for n in found)


def test_named_county_with_function_character_is_kept_in_its_own_city() -> None:
    d = doc("和县医保局开展专项检查。", title="马鞍山市医保基金监管工作动态")
    assert "和县医疗保障局" in names(find_agencies(d))


def test_enumeration_carries_the_prefix() -> None:
    d = doc(
        "迅速成立了由县医保局牵头，县法院、检察院、公安局、财政局、卫生健康委(中医药管理局)、市场监管局等关键部门共同参与的工作专班。",
        title="歙县医保基金管理突出问题专项整治工作",
    )
    found = names(find_agencies(d))
    for n in (
        "歙县医疗保障局",
        "歙县人民法院",
        "歙县人民检察院",
        "歙县公安局",
        "歙县财政局",
        "歙县卫生健康委员会",
        "歙县市场监督管理局",
    ):
        assert n in found, n
    assert found["歙县人民检察院"].aliases == ("检察院",)


def test_bare_suffix_outside_an_enumeration_is_not_a_body() -> None:
    d = doc("完善医疗保障局、公安局、卫健委等部门间的线索通报机制。", issuers=("云阳县医疗保障局",))
    assert [m.name for m in find_agencies(d)] == ["云阳县医疗保障局"]


def test_list_of_levels_is_generic() -> None:
    d = doc("省、市、县医保局要加强协作。", title="歙县医保基金管理突出问题专项整治工作")
    assert find_agencies(d) == []


# ---- roles -------------------------------------------------------------------------------------------


def test_roles_issuer_publisher_mentioned() -> None:
    d = doc(
        "大家上午好！在此，我谨代表歙县医疗保障局，向各位媒体朋友表示感谢。县公安局、县财政局共同参与。",
        publisher_agency="歙县医保局",
        issuers=(),
    )
    found = find_agencies(d)
    roles = {(m.name, m.role) for m in found}
    assert ("歙县医疗保障局", "publisher") in roles
    assert ("歙县医疗保障局", "mentioned") not in roles
    assert ("歙县公安局", "mentioned") in roles


def test_issuer_is_not_also_mentioned_and_counts_body_mentions() -> None:
    d = doc(SEED003_HEAD, issuers=("云阳县医疗保障局",))
    found = [m for m in find_agencies(d) if m.name == "云阳县医疗保障局"]
    assert [m.role for m in found] == ["issuer"]
    assert found[0].mention_count == 1
    assert SEED003_HEAD[slice(*found[0].spans[0])] == "云阳县医疗保障局"


def test_title_only_mention_has_no_span() -> None:
    found = find_agencies(
        doc("医保基金是人民群众的“保命钱”。", title="国家医保局：累计追回医保基金约506亿元")
    )
    assert [(m.name, m.spans, m.mention_count) for m in found] == [("国家医疗保障局", (), 1)]


# ---- metric attribution ------------------------------------------------------------------------------

SEED002 = (
    "据公安部相关负责人介绍，截至2021年12月25日，共侦破各类诈骗医保基金犯罪案件1780余起。"
    "据了解，2021年公安部先后挂牌督办22起重大案件。"
    "2021年4月9日，公安部会同国家医保局、国家卫健委等部门联合部署开展专项整治行动，查处3起。"
    "全国公安派出所共排查化解矛盾纠纷605万起。"
)


def test_metric_belongs_to_the_subject_of_its_clause() -> None:
    mentions = find_agencies(doc(SEED002))
    assert attribute_metric(SEED002.index("22起"), mentions, SEED002) == "公安部"
    assert attribute_metric(SEED002.index("1780"), mentions, SEED002) == "公安部"
    assert attribute_metric(SEED002.index("3起"), mentions, SEED002) == "公安部"


def test_metric_clause_subject_when_several_bodies_in_a_sentence() -> None:
    text = "国家医保局通报，北京市医保局处理违规定点医疗机构33家。"
    mentions = find_agencies(doc(text))
    assert attribute_metric(text.index("33家"), mentions, text) == "北京市医疗保障局"


def test_metric_without_a_body_in_its_sentence_goes_to_the_main_agency() -> None:
    mentions = find_agencies(doc(SEED002))
    assert attribute_metric(SEED002.index("605万"), mentions, SEED002) == "公安部"
    assert attribute_metric(None, mentions, SEED002) == "公安部"


def test_metric_main_agency_prefers_the_issuer() -> None:
    text = "县公安局、县卫健委及时梳理专项整治进展情况。共检查定点医药机构736家次。"
    mentions = find_agencies(doc(text, issuers=("云阳县医疗保障局",)))
    assert attribute_metric(text.index("736"), mentions, text) == "云阳县医疗保障局"


def test_metric_with_no_agencies() -> None:
    assert attribute_metric(3, [], "共检查736家次。") is None


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        # 上海市优化营商环境条例: "本市人民法院" are the city's courts, not one court
        ("本市人民法院应当依法公正高效审理涉及市场主体的案件。", "上海市优化营商环境条例"),
        # 上海市人民代表大会常务委员会议事规则: a 直辖市 has numbered 中级人民法院s only
        (
            "市中级人民法院院长由市人民代表大会常务委员会主任会议提请任免。",
            "上海市人民代表大会常务委员会议事规则",
        ),
        # 上海市外商投资企业审批条例: "区和县" lists levels; it is not 和县 in 马鞍山
        ("区和县人民政府应当为外商投资企业提供服务。", "上海市外商投资企业审批条例"),
    ],
)
def test_court_systems_and_level_lists_are_not_bodies(sentence: str, title: str) -> None:
    found = names(find_agencies(doc(sentence, title=title)))
    assert not any("法院" in n or n.startswith("和县") for n in found), found


@pytest.mark.parametrize(
    "sentence",
    [
        # 杭州市生态文明建设促进条例: 新建 is "newly built", not 南昌市新建区
        "新建政府投资建筑项目、大型公共建筑、保障性住房项目等，应当按照绿色建筑相应标准进行建设。",
        "市政府采购中心负责组织实施集中采购。",
    ],
)
def test_government_as_a_modifier_is_not_a_body(sentence: str) -> None:
    assert find_agencies(doc(sentence, title="杭州市生态文明建设促进条例")) == []


def test_short_province_form_before_bare_government() -> None:
    # a full name before 政府 is a body: 河南省政府 -> 河南省人民政府
    found = find_agencies(doc("河南省政府办公厅日前印发通知。"))
    assert [m.name for m in found] == ["河南省人民政府办公厅"]
