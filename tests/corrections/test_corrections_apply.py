"""apply(): corrections on one transformed record, without a database (a pure step between transform and load)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

from etl.api import inspect_file
from etl.corrections.apply import AgencyInfo, Rules, apply
from etl.corrections.files import parse
from etl.corrections.files import to_yaml as yaml_text
from etl.corrections.targets import metric_occurrence

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").iterdir())
BEIJING = SEEDS[1]  # 北京市医保局 … 市医保局始终将 …
NODATE = REPO / "tests" / "fixtures" / "corrections" / "nodate.txt"


def rules(*specs: dict, **kw) -> Rules:
    return Rules(parse(yaml_text(list(specs)), "t.yaml"), **kw)


def record(path: Path):
    return inspect_file(str(path))


def test_a_record_no_correction_concerns_is_passed_through_as_is():
    rec = record(BEIJING)
    out = apply(rec, rules({"kind": "accept", "document": "elsewhere.txt"}))
    assert out.record is rec and out.outcomes == []


def test_the_given_record_is_not_changed():
    rec = record(BEIJING)
    before = copy.deepcopy(rec)
    out = apply(rec, rules({"kind": "suppress_metric", "document": BEIJING.name, "raw_text": "157家"},
                           {"kind": "set_document", "document": BEIJING.name, "title": "新标题"}))
    assert rec == before and out.record != rec
    assert "157家" not in [m.raw_text for m in out.record.metrics] and out.record.extracted.title == "新标题"
    assert json.loads(out.record.extracted_values) == {"title": before.extracted.title}


def test_a_figure_is_found_by_its_text_and_occurrence():
    body = "共追回3起。另查处3起，涉及3起。"
    assert [metric_occurrence(body, "3起", body.index(x)) for x in ("3起。", "3起，", "3起。", )] == [1, 2, 1]
    assert metric_occurrence(body, "3起", body.rindex("3起")) == 3
    assert metric_occurrence(body, "3起", None) == 0  # a figure found only in the title
    rec = record(BEIJING)
    twice = [m for m in rec.metrics if m.raw_text == "2.5亿元"]
    wrong = apply(rec, rules({"kind": "suppress_metric", "document": BEIJING.name, "raw_text": "2.5亿元",
                              "occurrence": 5}))
    assert not wrong.outcomes[0].applied and "read as a figure at occurrence" in wrong.outcomes[0].detail
    assert len(wrong.record.metrics) == len(rec.metrics)
    right = apply(rec, rules({"kind": "suppress_metric", "document": BEIJING.name, "raw_text": "2.5亿元",
                              "occurrence": metric_occurrence(rec.extracted.body_text, "2.5亿元", twice[0].char_start)}))
    assert right.outcomes[0].applied and len(right.record.metrics) == len(rec.metrics) - 1


def test_a_pinned_correction_holds_only_for_those_bytes():
    rec = record(BEIJING)
    spec = {"kind": "set_document", "document": BEIJING.name, "title": "x"}
    assert apply(rec, rules({**spec, "sha256": rec.content_sha256})).outcomes[0].applied
    assert apply(rec, rules({**spec, "sha256": "0" * 64})).outcomes == []
    assert apply(rec, rules({"kind": "set_document", "sha256": rec.content_sha256, "title": "x"})).outcomes


def test_an_alias_takes_the_form_where_it_stands_alone_not_inside_a_longer_name():
    rec = record(BEIJING)
    out = apply(rec, rules({"kind": "agency_alias", "alias": "市医保局", "name": "某市医疗保障局", "level": "prefectural",
                            "region": "某省某市"}))
    mentions = {m.name: m for m in out.record.agencies}
    body = rec.extracted.body_text
    ours = mentions["某市医疗保障局"]
    assert ours.aliases == ("市医保局",) and all(body[s:e] == "市医保局" for s, e in ours.spans)
    assert body.index("北京市医保局") + 2 not in [s for s, _ in ours.spans]
    assert (body.index("北京市医保局"), body.index("北京市医保局") + 6) in mentions["北京市医疗保障局"].spans
    # no figure's sentence names it, and the two bodies are named as often: the figures keep their agency
    assert [m.agency_name for m in out.record.metrics] == [m.agency_name for m in rec.metrics]
    assert all(m.extracted_values is None for m in out.record.metrics)


def test_a_global_alias_reaches_only_records_with_the_form():
    r = rules({"kind": "agency_alias", "alias": "全省医保部门", "name": "测试省医疗保障局", "level": "provincial",
               "region": "测试省"})
    assert apply(record(BEIJING), r).outcomes == []
    out = apply(record(NODATE), r)
    assert out.outcomes[0].applied
    # its figures, which had no agency, now belong to it by their sentence; the extractor's agency is kept
    assert {(m.agency_name, m.agency_basis) for m in out.record.metrics} == {("测试省医疗保障局", "sentence")}
    assert {json.loads(m.extracted_values)["agency"] for m in out.record.metrics} == {None}


def test_merge_and_set_agency():
    seed2 = record(SEEDS[2])
    # the seed prints this paragraph twice; the figure is read where it is said, whichever occurrence that is
    figure = next(m for m in seed2.metrics if m.raw_text == "605万起")
    where = metric_occurrence(seed2.extracted.body_text, "605万起", figure.char_start)
    out = apply(seed2, rules(
        {"kind": "merge_agencies", "agency": "公安部", "into": "中华人民共和国公安部", "level": "national"},
        {"kind": "set_metric", "document": SEEDS[2].name, "raw_text": "605万起", "occurrence": where,
         "agency": "国家医疗保障局"}))
    assert all(o.applied for o in out.outcomes)
    assert "公安部" not in {m.name for m in out.record.agencies}
    by_raw = {m.raw_text: m for m in out.record.metrics}
    assert by_raw["605万起"].agency_name == "国家医疗保障局" and by_raw["605万起"].agency_basis == "correction"
    assert by_raw["4.6亿元"].agency_name == "中华人民共和国公安部"
    unknown = apply(seed2, rules({"kind": "set_metric", "document": SEEDS[2].name, "raw_text": "605万起",
                                  "occurrence": where, "agency": "无此机构"}))
    assert not unknown.outcomes[0].applied and "unknown agency" in unknown.outcomes[0].detail
    known = apply(seed2, rules({"kind": "set_metric", "document": SEEDS[2].name, "raw_text": "605万起",
                                "occurrence": where, "agency": "无此机构"}, agencies={"无此机构": AgencyInfo("无此机构", "national")}))
    assert known.outcomes[0].applied


def test_a_new_date_that_contradicts_the_time_of_day_drops_the_time():
    rec = record(BEIJING)
    assert rec.extracted.published_at is not None
    out = apply(rec, rules({"kind": "set_document", "document": BEIJING.name, "date": "2022-04-01"}))
    doc = out.record.extracted
    assert (doc.published_on, doc.published_at) == (date(2022, 4, 1), None)
    assert json.loads(out.record.extracted_values)["published_at"].startswith("2022-04-08T02:31:01")
    same_day = apply(rec, rules({"kind": "set_document", "document": BEIJING.name, "date": "2022-04-08"}))
    assert same_day.record.extracted.published_at == rec.extracted.published_at
