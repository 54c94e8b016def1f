"""Corrections hold through every kind of re-run, on a real SQLite file and a real PostgreSQL database.

One correction of each kind on the seeds plus documents written for these tests; each stage (a first load, a
re-run, --reprocess, a new extractor version, changed file bytes) is followed by the same checks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import etl.pipeline
import etl.transform.document
from etl.api import inspect_file, run
from etl.corrections.files import to_yaml
from etl.corrections.targets import metric_occurrence
from etl.load.db import make_engine
from etl.reporting.checks import run_checks
from tests.helpers import query

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
FIXTURES = REPO / "tests" / "fixtures" / "corrections"
COPY_OF_000 = REPO / "tests" / "fixtures" / "reporting" / "extra" / "renmin_copy_of_000.txt"
S000, S001, S002, S003, S004 = sorted(p.name for p in SEEDS.iterdir())


def one(url: str, sql: str, **params):
    rows = query(url, sql, **params)
    assert len(rows) == 1, rows
    return rows[0] if len(rows[0]) > 1 else rows[0][0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    shutil.copy(COPY_OF_000, folder)
    for name in ("unresolved.md", "nodate.txt"):
        shutil.copy(FIXTURES / name, folder)
    return folder


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(folder: Path, specs: list[dict], name: str = "fixes.yaml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(to_yaml(specs), encoding="utf-8")
    return folder


def occurrence(path: Path, raw_text: str) -> int:
    """Which occurrence of raw_text the extractor reads as the figure, as `etl correct` writes it."""
    record = inspect_file(str(path))
    figure = next(m for m in record.metrics if m.raw_text == raw_text)
    return metric_occurrence(record.extracted.body_text, raw_text, figure.char_start)


def every_kind(corpus: Path) -> list[dict]:
    return [
        {"kind": "suppress_metric", "document": S001, "raw_text": "157家", "note": "path only: holds across edits"},
        {"kind": "set_metric", "document": S002, "raw_text": "605万起",
         "occurrence": occurrence(corpus / S002, "605万起"), "indicator": "cases_investigated",
         "agency": "国家医疗保障局", "value": 6050001, "qualifier": "approx", "period_start": "2021-01-01",
         "period_end": "2021-12-31"},
        {"kind": "set_document", "document": S003, "sha256": sha(corpus / S003), "date": "2022-03-01",
         "source": "云阳县人民政府", "source_kind": "government", "note": "pinned to these bytes"},
        {"kind": "agency_alias", "document": "unresolved.md", "alias": "市医保局", "name": "测试市医疗保障局",
         "level": "prefectural", "region": "测试省测试市"},
        {"kind": "merge_agencies", "agency": "公安部", "into": "中华人民共和国公安部", "level": "national"},
        {"kind": "link_duplicate", "document": "nodate.txt", "duplicate_of": "unresolved.md"},
        {"kind": "unlink_duplicate", "document": COPY_OF_000.name},
        {"kind": "accept", "document": S004, "raw_text": "285家"},
    ]


def metric(url: str, path: str, raw: str) -> tuple:
    return one(url, "SELECT m.indicator, a.name, m.value, m.qualifier, m.period_start, m.period_end, m.corrected, "
                    "m.agency_basis, m.extracted_values FROM metrics m JOIN documents d ON d.id = m.document_id "
                    "LEFT JOIN agencies a ON a.id = m.agency_id WHERE d.source_path = :p AND m.raw_text = :r",
               p=path, r=raw)


def doc_id(url: str, path: str) -> int:
    return one(url, "SELECT id FROM documents WHERE source_path = :p", p=path)


def check_all_hold(url: str, pinned_holds: bool = True) -> None:
    # suppress: the figure is gone, its neighbours are not
    assert query(url, "SELECT 1 FROM metrics m JOIN documents d ON d.id = m.document_id "
                      "WHERE d.source_path = :p AND m.raw_text = '157家'", p=S001) == []
    assert metric(url, S001, "4.18亿元")[6] in (False, 0)
    # set_metric: every field, the extractor's values kept
    indicator, agency, value, qualifier, start, end, corrected, basis, was = metric(url, S002, "605万起")
    assert (indicator, agency, int(value), qualifier, str(start), str(end)) == (
        "cases_investigated", "国家医疗保障局", 6050001, "approx", "2021-01-01", "2021-12-31")
    assert corrected and basis == "correction"
    assert json.loads(was)["indicator"] is None and json.loads(was)["value"] == "6050000"
    # set_document (pinned to the file's bytes)
    published_on, source, corrected = one(url, "SELECT d.published_on, s.name, d.corrected FROM documents d "
                                               "LEFT JOIN sources s ON s.id = d.source_id WHERE d.source_path = :p",
                                          p=S003)
    if pinned_holds:
        assert (str(published_on), source, bool(corrected)) == ("2022-03-01", "云阳县人民政府", True)
    else:
        assert published_on is None and source != "云阳县人民政府" and not corrected
    # agency_alias: the mention is placed, its figures attributed by their sentence, the queue item gone
    for raw in ("350家", "1200万元"):
        _, agency, *_, basis, _ = metric(url, "unresolved.md", raw)
        assert (agency, basis) == ("测试市医疗保障局", "sentence")
    assert one(url, "SELECT level || ' ' || region FROM agencies WHERE name = '测试市医疗保障局'") == "prefectural 测试省测试市"
    assert one(url, "SELECT unresolved_agencies FROM documents WHERE source_path = 'unresolved.md'") is None
    assert one(url, "SELECT COUNT(*) FROM agency_aliases al JOIN agencies a ON a.id = al.agency_id "
                    "WHERE a.name = '测试市医疗保障局' AND al.alias = '市医保局'") == 1
    # merge_agencies: no row left for the old name, which is now an alias of the new one
    assert query(url, "SELECT id FROM agencies WHERE name = '公安部'") == []
    assert metric(url, S002, "4.6亿元")[1] == "中华人民共和国公安部"
    assert one(url, "SELECT COUNT(*) FROM agency_aliases al JOIN agencies a ON a.id = al.agency_id "
                    "WHERE a.name = '中华人民共和国公安部' AND al.alias = '公安部'") == 1
    # link / unlink duplicates
    assert one(url, "SELECT duplicate_of_id FROM documents WHERE source_path = 'nodate.txt'") == doc_id(url, "unresolved.md")
    assert one(url, "SELECT duplicate_of_id FROM documents WHERE source_path = :p", p=COPY_OF_000.name) is None
    # accept: unchanged, marked reviewed
    _, agency, *_, corrected, basis, was = metric(url, S004, "285家")
    assert corrected and was == "{}" and basis == "publisher"
    # lineage
    statuses = dict(query(url, "SELECT kind, status FROM corrections"))
    expected = {k: "applied" for k in ("suppress_metric", "set_metric", "set_document", "agency_alias",
                                        "merge_agencies", "link_duplicate", "unlink_duplicate", "accept")}
    if not pinned_holds:
        expected["set_document"] = "orphaned"
    assert statuses == expected
    assert one(url, "SELECT COUNT(*) FROM correction_documents cd JOIN corrections c ON c.id = cd.correction_id "
                    "WHERE c.kind = 'merge_agencies'") >= 1


@pytest.mark.slow
def test_every_kind_holds_through_reruns_reprocess_upgrade_and_edits(db_url, corpus, tmp_path, monkeypatch):
    folder = write(tmp_path / "corrections", every_kind(corpus))
    options = {"workers": 1, "corrections": str(folder)}

    first = run([str(corpus)], db_url, **options)
    assert (first.status, first.corrections_applied, first.corrections_orphaned) == ("succeeded", 8, 0)
    check_all_hold(db_url)
    version = first.corrections_version
    assert one(db_url, "SELECT corrections_sha256 FROM etl_runs WHERE id = :i", i=first.run_id) == version

    again = run([str(corpus)], db_url, **options)
    assert (again.files_unchanged, again.metrics_written, again.corrections_applied) == (8, 0, 8)
    check_all_hold(db_url)

    reprocessed = run([str(corpus)], db_url, reprocess=True, **options)
    assert reprocessed.files_reprocessed == 8
    check_all_hold(db_url)

    # a new extractor: every document is transformed again, the corrections with it
    monkeypatch.setattr(etl.pipeline, "extractor_version", lambda: "9.9.9+upgraded")
    monkeypatch.setattr(etl.transform.document, "extractor_version", lambda: "9.9.9+upgraded")
    upgraded = run([str(corpus)], db_url, **options)
    assert upgraded.files_reprocessed == 8
    assert query(db_url, "SELECT DISTINCT extractor_version FROM documents") == [("9.9.9+upgraded",)]
    check_all_hold(db_url)

    # every corrected file changes: a correction by path applies again, the one pinned to the old bytes is
    # orphaned (the copy of seed 000 is still a near-duplicate: the run links it again, the correction unlinks it)
    for name, line in ((S001, "<p>本文有更新。</p>"), (S002, "<p>本文有更新。</p>"), (S003, "附件：无"),
                       (S004, "<p>本文有更新。</p>"), ("unresolved.md", "（完）"), ("nodate.txt", "（完）"),
                       (COPY_OF_000.name, "<p>本文有更新。</p>")):
        with (corpus / name).open("a", encoding="utf-8") as fh:
            fh.write(f"\n{line}\n")
    edited = run([str(corpus)], db_url, **options)
    assert (edited.files_changed, edited.corrections_applied, edited.corrections_orphaned) == (7, 7, 1)
    where, kind, _, why = edited.orphaned[0]
    line = (folder / "fixes.yaml").read_text(encoding="utf-8").splitlines().index("- kind: set_document") + 1
    assert (where, kind) == (f"fixes.yaml:{line}", "set_document") and "changed since" in why
    check_all_hold(db_url, pinned_holds=False)
    engine = make_engine(db_url)
    try:
        failing = [o.check.name for o in run_checks(engine) if not o.passed]
    finally:
        engine.dispose()
    assert failing == ["corrections_orphaned"]


def _figures(url: str) -> list[tuple]:
    return query(url, "SELECT d.source_path, m.raw_text, m.indicator, m.agency_id, m.value, m.unit, m.qualifier, "
                      "m.period_start, m.period_end, m.corrected, m.agency_basis FROM metrics m "
                      "JOIN documents d ON d.id = m.document_id ORDER BY d.source_path, m.char_start, m.raw_text")


@pytest.mark.slow
def test_a_change_to_the_corrections_alone_rereads_only_the_documents_it_concerns(db_url, corpus, tmp_path):
    folder = tmp_path / "corrections"
    folder.mkdir()
    plain = run([str(corpus)], db_url, workers=1, corrections=str(folder))
    assert plain.corrections_version is not None and plain.corrections_applied == 0
    before = _figures(db_url)
    s002_figures = one(db_url, "SELECT COUNT(*) FROM metrics m JOIN documents d ON d.id = m.document_id "
                               "WHERE d.source_path = :p", p=S002)

    write(folder, [{"kind": "set_metric", "document": S002, "raw_text": "388万处", "indicator": "problems_found"}])
    added = run([str(corpus)], db_url, workers=1, corrections=str(folder))
    assert (added.files_reprocessed, added.files_unchanged, added.metrics_written) == (1, 7, s002_figures)
    assert added.corrections_version != plain.corrections_version
    assert metric(db_url, S002, "388万处")[0] == "problems_found"

    # a global alias reaches every document whose text has the form, and only those
    write(folder, [{"kind": "agency_alias", "alias": "全省医保部门", "name": "测试省医疗保障局", "level": "provincial",
                    "region": "测试省"}], "alias.yaml")
    aliased = run([str(corpus)], db_url, workers=1, corrections=str(folder))
    assert aliased.files_reprocessed == 1  # nodate.txt
    assert metric(db_url, "nodate.txt", "3.4亿元")[1] == "测试省医疗保障局"

    (folder / "fixes.yaml").unlink()
    (folder / "alias.yaml").unlink()
    withdrawn = run([str(corpus)], db_url, workers=1, corrections=str(folder))
    assert withdrawn.files_reprocessed == 2
    assert _figures(db_url) == before  # the extractor's own values, exactly
    assert query(db_url, "SELECT COUNT(*) FROM corrections") == [(0,)]
    versions = [v for (v,) in query(db_url, "SELECT corrections_sha256 FROM etl_runs ORDER BY id")]
    assert len(set(versions)) == 3 and versions[0] == versions[-1]  # an empty folder each time


def test_without_a_folder_a_run_keeps_applying_what_the_database_holds(db_url, corpus, tmp_path, monkeypatch):
    folder = write(tmp_path / "corrections", [{"kind": "suppress_metric", "document": S001, "raw_text": "157家"}])
    run([str(corpus)], db_url, workers=1, corrections=str(folder))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no ./corrections here
    monkeypatch.delenv("ETL_CORRECTIONS_DIR", raising=False)
    again = run([str(corpus)], db_url, workers=1, reprocess=True)
    assert (again.corrections_applied, again.corrections_version) == (1, run_version(db_url, 1))
    assert query(db_url, "SELECT 1 FROM metrics WHERE raw_text = '157家'") == []


def run_version(url: str, run_id: int) -> str:
    return one(url, "SELECT corrections_sha256 FROM etl_runs WHERE id = :i", i=run_id)


def test_a_correction_that_fails_to_apply_costs_its_document_the_corrections_not_the_run(
        sqlite_url, corpus, tmp_path, monkeypatch):
    import etl.corrections.store as store

    folder = write(tmp_path / "corrections", [
        {"kind": "suppress_metric", "document": S001, "raw_text": "157家"},
        {"kind": "suppress_metric", "document": S002, "raw_text": "388万处"},
    ])
    real = store.apply

    def broken(record, rules):
        if record.source_path == S002:
            raise KeyError("injected")
        return real(record, rules)

    monkeypatch.setattr(store, "apply", broken)
    summary = run([str(corpus)], sqlite_url, workers=1, corrections=str(folder))
    assert (summary.status, summary.corrections_applied, summary.corrections_orphaned) == ("succeeded", 1, 1)
    assert "could not be applied: KeyError" in summary.orphaned[0][3]
    assert query(sqlite_url, "SELECT COUNT(*) FROM metrics WHERE raw_text = '388万处'") == [(1,)]  # as extracted
    assert query(sqlite_url, "SELECT COUNT(*) FROM metrics WHERE raw_text = '157家'") == [(0,)]
