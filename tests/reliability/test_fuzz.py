"""Property tests: whatever bytes land in the input folder, a stage either gives a result or raises
StageError, and the worker never raises at all.

Example counts stay modest (the suite runs on 2 CI cores); the strategies bias towards the shapes the
extractors branch on (front matter, HTML, notices, GBK) so the examples reach past the decoder.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.extract import extract_document
from etl.records import (
    DocumentRecord,
    ExtractedDocument,
    Failed,
    FileRef,
    StageError,
    Task,
    Transformed,
    Unchanged,
)
from etl.transform import transform_document
from etl.transform.agencies import find_agencies
from etl.transform.metrics import extract_metrics
from etl.work import process

FUZZ = settings(max_examples=int(os.environ.get("ETL_FUZZ_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

PREFIXES = [
    "", "---\n", "---\ntitle: 医保\ndate: 2021-12-08 14:00:30\n---\n", "+++\ntitle = '医保'\n+++\n",
    "<!DOCTYPE html><html><head><title>医保</title></head><body>", "<div><p>", "<!--", "# 标题\n\n",
    "索引号：11340000-2022-0001\n发布机构：国家医疗保障局\n", "云医保发〔2022〕6号\n", "---\n&a [1]\n---\n",
    "---\n!!python/object/apply:os.system ['true']\n---\n", "\ufeff", "2021年12月8日 ",
]
CHINESE = st.text(alphabet=st.sampled_from(
    list("国家医疗保障局安徽省黄山市歙县公安追回基金万亿元起家人名欺诈骗保专项检查处理约余多以上不到〔〕号年月日：，。")
    + list("0123456789.%<>/-:\n 　\t\"'&;#")), max_size=300)
RAW = st.binary(max_size=2_000)
TEXT = st.text(max_size=400)


@st.composite
def document_bytes(draw: st.DrawFn) -> bytes:
    """Arbitrary bytes, or a document-like head followed by text, random bytes or both."""
    kind = draw(st.sampled_from(["raw", "text", "shaped"]))
    if kind == "raw":
        return draw(RAW)
    if kind == "text":
        return draw(TEXT).encode(draw(st.sampled_from(["utf-8", "utf-16", "gb18030"])), errors="replace")
    head = draw(st.sampled_from(PREFIXES))
    body = draw(CHINESE)
    encoding = draw(st.sampled_from(["utf-8", "gbk", "utf-8"]))
    return (head + body).encode(encoding, errors="replace") + draw(st.binary(max_size=64))


@FUZZ
@given(data=document_bytes())
def test_extract_gives_a_document_or_stage_error(data: bytes) -> None:
    """extract_document raises nothing but StageError."""
    try:
        result = extract_document(data, "fuzz.md")
    except StageError as exc:
        assert exc.reason and "\n" not in exc.reason, f"reason must be one line: {exc.reason!r}"
        return
    assert isinstance(result, ExtractedDocument)


@FUZZ
@given(data=document_bytes())
def test_transform_gives_a_record_or_stage_error(data: bytes) -> None:
    """transform_document raises nothing but StageError."""
    try:
        record = transform_document(data, "fuzz.md")
    except StageError:
        return
    assert isinstance(record, DocumentRecord)
    assert record.size_bytes == len(data)


@FUZZ
@given(text=st.one_of(TEXT, CHINESE), title=st.one_of(st.none(), CHINESE))
def test_extract_metrics_never_raises(text: str, title: str | None) -> None:
    """Arbitrary text into the metric extractor: a list, never an exception."""
    assert isinstance(extract_metrics(text, title=title), list)


@FUZZ
@given(body=st.one_of(TEXT, CHINESE), title=st.one_of(st.none(), CHINESE))
def test_find_agencies_never_raises(body: str, title: str | None) -> None:
    """Arbitrary text as a document's body and title into agency resolution: a list, never an exception."""
    doc = ExtractedDocument(format="text", encoding="utf-8", title=title, body_text=body)
    assert isinstance(find_agencies(doc), list)


@settings(FUZZ, max_examples=max(FUZZ.max_examples // 3, 20))
@given(data=document_bytes())
def test_worker_never_raises(tmp_path_factory, data: bytes) -> None:
    """etl.work.process on a real file with arbitrary content: an outcome, never an exception."""
    path = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.md"
    path.write_bytes(data)
    task = Task(FileRef(str(path), "fuzz.md", len(data), 0), None, None, False)
    outcome = process(task, 1_000_000)
    assert isinstance(outcome, Transformed | Failed | Unchanged)
    if isinstance(outcome, Failed):
        assert outcome.failure.reason and "\n" not in outcome.failure.reason
