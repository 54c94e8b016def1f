"""Correction files are checked before a run uses them: every mistake names its file and line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from etl.corrections import CorrectionError, load_corrections
from etl.corrections.files import append, load_folder, parse, resolve_folder

GOOD = """\
# a comment
- kind: set_metric
  document: a.txt
  raw_text: 2.5亿元
  indicator: funds_recovered
  value: 250000000
  period_end: 2022-04-08
- kind: suppress_metric
  sha256: %s
  raw_text: 33家
  occurrence: 2
""" % ("ab" * 32)


def test_a_good_file_reads_with_its_lines_and_typed_values():
    first, second = parse(GOOD, "x.yaml")
    assert (first.where, first.get("value"), first.get("period_end"), first.occurrence) == (
        "x.yaml:2", Decimal(250000000), date(2022, 4, 8), 1)
    assert (second.where, second.sha256, second.document, second.occurrence) == ("x.yaml:8", "ab" * 32, None, 2)


@pytest.mark.parametrize("text,where,words", [
    ("- kind: set_metrc\n  document: a\n", "x.yaml:1", "unknown kind 'set_metrc'"),
    ("- document: a\n", "x.yaml:1", "no kind"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n  indicater: fines\n", "x.yaml:4", "no field 'indicater'"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n  indicator: nope\n", "x.yaml:4", "unknown indicator"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n\n  value: lots\n", "x.yaml:5", "a number"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n  value: -3\n", "x.yaml:4", "≥ 0"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n  qualifier: about\n", "x.yaml:4", "unknown qualifier"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n  period_end: 2022-13-01\n", "x.yaml:4", "YYYY-MM-DD"),
    ("- kind: set_metric\n  document: a\n  raw_text: 1起\n", "x.yaml:1", "sets nothing"),
    ("- kind: set_metric\n  raw_text: 1起\n  unit: 起\n", "x.yaml:1", "needs its document"),
    ("- kind: suppress_metric\n  document: a\n", "x.yaml:1", "needs raw_text"),
    ("- kind: suppress_metric\n  sha256: abc\n  raw_text: 1起\n", "x.yaml:2", "64 hex digits"),
    ("- kind: suppress_metric\n  document: a\n  raw_text: 1起\n  occurrence: first\n", "x.yaml:4", "whole number"),
    ("- kind: set_document\n  document: a\n  on_topic: maybe\n", "x.yaml:3", "true or false"),
    ("- kind: agency_alias\n  alias: 市医保局\n  name: 某市医疗保障局\n  level: city\n", "x.yaml:4", "unknown level"),
    ("- kind: agency_alias\n  alias: 市医保局\n  name: 某市医疗保障局\n  level: prefectural\n", "x.yaml:1",
     "needs its region"),
    ("- kind: merge_agencies\n  agency: 甲\n  into: 甲\n", "x.yaml:1", "the same"),
    ("- kind: link_duplicate\n  document: a\n", "x.yaml:1", "needs the copy"),
    ("kind: accept\n", "x.yaml:1", "is a list"),
    ("- [a, b]\n", "x.yaml:1", "a mapping"),
    ("- kind: accept\n  document: [a\n", "x.yaml:3", "not valid YAML"),
])
def test_mistakes_name_file_and_line(text, where, words):
    with pytest.raises(CorrectionError) as caught:
        parse(text, "x.yaml")
    assert caught.value.where == where and words in caught.value.message, str(caught.value)


def test_mistakes_between_corrections_name_the_later_one(tmp_path: Path):
    (tmp_path / "a.yaml").write_text("- kind: accept\n  document: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("- kind: accept\n  document: a\n  note: again\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"b\.yaml:1: the same correction as a\.yaml:1"):
        load_folder(tmp_path)
    (tmp_path / "b.yaml").write_text(
        "- kind: set_metric\n  document: a\n  raw_text: 1起\n  unit: 起\n"
        "- kind: set_metric\n  document: a\n  raw_text: 1起\n  unit: 件\n", encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"b\.yaml:5: unit is set to '起' by b\.yaml:1"):
        load_folder(tmp_path)
    (tmp_path / "b.yaml").write_text(
        "- kind: merge_agencies\n  agency: 甲\n  into: 乙\n- kind: merge_agencies\n  agency: 乙\n  into: 丙\n",
        encoding="utf-8")
    with pytest.raises(CorrectionError, match=r"b\.yaml:1: 乙 is itself merged into 丙"):
        load_folder(tmp_path)


def test_key_is_what_it_says_not_where_or_why():
    a, = parse("- kind: accept\n  document: a\n  note: one\n", "x.yaml")
    b, = parse("\n\n- kind: accept\n  document: a\n  note: two\n", "y.yaml")
    c, = parse("- kind: accept\n  document: b\n", "x.yaml")
    assert a.key == b.key != c.key


def test_folder_rule(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ETL_CORRECTIONS_DIR", raising=False)
    assert resolve_folder() is None and not load_corrections()
    (tmp_path / "corrections").mkdir()
    assert resolve_folder() == Path("corrections")
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv("ETL_CORRECTIONS_DIR", str(other))
    assert resolve_folder() == other
    assert resolve_folder(tmp_path / "corrections") == tmp_path / "corrections"
    with pytest.raises(CorrectionError, match="no such corrections folder"):
        resolve_folder(tmp_path / "missing")


def test_append_adds_what_is_new_and_keeps_the_file_valid(tmp_path: Path):
    folder = tmp_path / "corrections"
    path, added = append(folder, [{"kind": "accept", "document": "a.txt", "raw_text": "3起"}])
    assert len(added) == 1 and added[0].where == "corrections.yaml:1"
    with path.open("a", encoding="utf-8") as fh:
        fh.write("# kept as written")
    _, again = append(folder, [{"kind": "accept", "document": "a.txt", "raw_text": "3起"},
                               {"kind": "set_document", "document": "a.txt", "title": "新的标题"}])
    assert [c.kind for c in again] == ["set_document"] and again[0].line > 2
    text = path.read_text(encoding="utf-8")
    assert "# kept as written" in text and "新的标题" in text
    assert len(load_folder(folder).items) == 2
    with pytest.raises(CorrectionError, match="new correction: indicator"):
        append(folder, [{"kind": "set_metric", "document": "a.txt", "raw_text": "3起", "indicator": "x"}])
    assert path.read_text(encoding="utf-8") == text  # nothing written


def test_the_examples_in_the_readme_and_the_guide_are_valid_corrections_of_every_kind():
    from etl.corrections.model import KINDS

    repo = Path(__file__).resolve().parents[2]
    for doc in (repo / "README.md", repo / "docs" / "corrections.md"):
        blocks = doc.read_text(encoding="utf-8").split("```yaml\n")[1:]
        assert blocks, doc
        found = [c for block in blocks for c in parse(block.split("```")[0], doc.name)]
        if doc.name == "README.md":
            assert sorted({c.kind for c in found}) == sorted(KINDS)
