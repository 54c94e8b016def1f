"""The review queue and its round trip, as a user does it: `etl review --export`, edit the CSV,
`etl review --import`, `etl run`, `etl check` (real subprocesses, both databases)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from etl.reporting.review import CSV_COLUMNS, ISSUES
from tests.helpers import query, run_etl

REPO = Path(__file__).resolve().parents[2]
EXTRA = REPO / "tests" / "fixtures" / "reporting" / "extra"
FIXTURES = REPO / "tests" / "fixtures" / "corrections"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(REPO / "seeds", folder)
    shutil.copy(EXTRA / "conflict_507.md", folder)  # 507亿 for the period of seed 000's 506亿
    for name in ("unresolved.md", "nodate.txt"):
        shutil.copy(FIXTURES / name, folder)
    return folder


def queue(etl_bin, url: str, cwd: Path) -> list[dict]:
    done = run_etl(etl_bin, "review", "--db", url, "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def edit(path: Path, changes: dict[tuple[str, str, str], dict[str, str]]) -> None:
    """Fill in fix columns of the rows keyed (issue, document, raw_text or form)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    found = set()
    for row in rows:
        key = (row["issue"], row["document"], row["raw_text"] or row["form"])
        if key in changes:
            row.update(changes[key])
            found.add(key)
    assert found == set(changes), set(changes) - found
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_export_edit_import_run_check(db_url, corpus, tmp_path, etl_bin):
    work = tmp_path / "work"  # the user's folder: ./corrections is made here and found by the next run
    work.mkdir()
    loaded = run_etl(etl_bin, "run", str(corpus), "--db", db_url, "-q", "--workers", "1", cwd=work)
    assert loaded.returncode == 0, loaded.stderr
    before = queue(etl_bin, db_url, work)
    assert {item["issue"] for item in before} == set(ISSUES)
    assert [i["priority"] for i in before] == sorted(i["priority"] for i in before)

    exported = run_etl(etl_bin, "review", "--db", db_url, "--export", "queue.csv", cwd=work)
    assert exported.returncode == 0 and f"wrote {len(before)} items" in exported.stdout, exported.stderr
    with (work / "queue.csv").open(encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == list(CSV_COLUMNS)
    edit(work / "queue.csv", {
        ("conflicting_figure", "conflict_507.md", "约507亿元"): {"suppress": "yes"},
        ("missing_indicator", "unresolved.md", "2万余份"): {"set_indicator": "cases_publicized", "set_unit": "份"},
        ("unresolved_agency", "unresolved.md", "市医保局"): {
            "alias_name": "测试市医疗保障局", "alias_level": "prefectural", "alias_region": "测试省测试市"},
        ("missing_date", "nodate.txt", ""): {"set_date": "2024-01-02", "set_source": "测试日报"},
        ("missing_date", "003_23e258d63c87803a.txt", ""): {"accept": "yes"},
    })
    imported = run_etl(etl_bin, "review", "--import", "queue.csv", cwd=work)
    assert imported.returncode == 0 and "5 corrections added to corrections/queue.yaml" in imported.stdout, \
        imported.stdout + imported.stderr

    rerun = run_etl(etl_bin, "run", str(corpus), "--db", db_url, "--workers", "1", cwd=work)
    assert rerun.returncode == 0, rerun.stderr
    assert "corrections  5 applied, 0 orphaned, 0 pending" in rerun.stdout
    assert "reprocessed 4" in rerun.stdout  # the four documents the corrections name, no others

    assert query(db_url, "SELECT COUNT(*) FROM metrics WHERE raw_text = '约507亿元'") == [(0,)]
    assert query(db_url, "SELECT indicator, unit, corrected FROM metrics WHERE raw_text = '2万余份'") == [
        ("cases_publicized", "份", True)]
    assert query(db_url, "SELECT DISTINCT a.name FROM metrics m JOIN agencies a ON a.id = m.agency_id "
                         "JOIN documents d ON d.id = m.document_id WHERE d.source_path = 'unresolved.md' "
                         "AND m.raw_text IN ('350家', '1200万元')") == [("测试市医疗保障局",)]
    assert query(db_url, "SELECT CAST(d.published_on AS VARCHAR(10)), s.name FROM documents d "
                         "JOIN sources s ON s.id = d.source_id WHERE d.source_path = 'nodate.txt'") == [
        ("2024-01-02", "测试日报")]
    checked = run_etl(etl_bin, "check", "--db", db_url, cwd=work)
    assert checked.returncode == 0, checked.stdout

    after = {(i["issue"], i["document"], i["raw_text"]) for i in queue(etl_bin, db_url, work)}
    assert not {k for k in after if k[0] in ("conflicting_figure", "unresolved_agency", "missing_date")}
    assert ("missing_indicator", "unresolved.md", "2万余份") not in after
    assert ("missing_source", "nodate.txt", None) not in after


@pytest.mark.slow
def test_a_mistake_in_the_csv_names_its_line_and_writes_nothing(sqlite_url, corpus, tmp_path, etl_bin):
    work = tmp_path / "work"
    work.mkdir()
    assert run_etl(etl_bin, "run", str(corpus), "--db", sqlite_url, "-q", "--workers", "1", cwd=work).returncode == 0
    assert run_etl(etl_bin, "review", "--db", sqlite_url, "--export", "q.csv", cwd=work).returncode == 0
    with (work / "q.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["set_agency"] = "国家医疗保障局"
    rows[2]["set_qualifier"] = "roughly"
    with (work / "q.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = run_etl(etl_bin, "review", "--import", "q.csv", cwd=work)
    assert done.returncode == 2 and "q.csv:4: qualifier: unknown qualifier 'roughly'" in done.stderr, done.stderr
    assert not (work / "corrections").exists()


def test_a_mistake_in_a_corrections_file_stops_the_run_before_it_writes(tmp_path, corpus, etl_bin):
    work = tmp_path / "work"
    (work / "corrections").mkdir(parents=True)
    (work / "corrections" / "a.yaml").write_text(
        "- kind: suppress_metric\n  document: x.txt\n  raw_text: 3起\n- kind: set_metric\n  document: x.txt\n"
        "  raw_text: 3起\n  valeu: 3\n", encoding="utf-8")
    db = tmp_path / "etl.db"
    done = run_etl(etl_bin, "run", str(corpus), "--db", str(db), "-q", cwd=work)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "etl run: corrections/a.yaml:7: set_metric has no field 'valeu'; its fields are document, sha256, raw_text, "
        "occurrence, indicator, agency, value, value_max, unit, qualifier, period_start, period_end, cumulative, "
        "on_topic, note (nothing was written)"]
    assert not db.exists()
    missing = run_etl(etl_bin, "run", str(corpus), "--db", str(db), "--corrections", "nowhere", cwd=work)
    assert missing.returncode == 2 and "nowhere: no such corrections folder" in missing.stderr
    assert not db.exists()


@pytest.mark.slow
def test_correct_commands_write_what_a_run_applies(sqlite_url, corpus, tmp_path, etl_bin):
    work = tmp_path / "work"
    work.mkdir()
    assert run_etl(etl_bin, "run", str(corpus), "--db", sqlite_url, "-q", "--workers", "1", cwd=work).returncode == 0
    (doc_id,) = query(sqlite_url, "SELECT id FROM documents WHERE source_path = '002_17d52a4c04d940ef.txt'")[0]
    commands = [
        ["set-metric", str(doc_id), "605万起", "--occurrence", "2", "--indicator", "cases_investigated", "--note", "the ministry's count"],
        ["suppress-metric", "002_17d52a4c04d940ef.txt", "388万处"],
        ["set-document", "nodate.txt", "--date", "2024-01-02", "--any-version"],
        ["alias", "全省医保部门", "测试省医疗保障局", "--level", "provincial", "--region", "测试省"],
        ["merge", "公安部", "中华人民共和国公安部", "--level", "national"],
        ["link", "nodate.txt", "unresolved.md"],
        ["unlink", "nodate.txt", "unresolved.md", "--file", "later.yaml"],
        ["accept", "004_a61e73850b0e2bb9.txt", "285家"],
    ]
    for args in commands:
        done = run_etl(etl_bin, "correct", *args, "--db", sqlite_url, cwd=work)
        assert done.returncode == 0 and "added to corrections/" in done.stdout, (args, done.stderr)
    again = run_etl(etl_bin, "correct", *commands[1], "--db", sqlite_url, cwd=work)
    assert "nothing added" in again.stdout
    bad = run_etl(etl_bin, "correct", "set-metric", "nodate.txt", "3.4亿元", "--qualifier", "lots", cwd=work)
    assert bad.returncode == 2 and "unknown qualifier" in bad.stderr
    written = (work / "corrections" / "corrections.yaml").read_text(encoding="utf-8")
    assert "sha256:" in written and "note: the ministry's count" in written
    assert "document: 002_17d52a4c04d940ef.txt" in written  # the id, written as the path and bytes
    listed = run_etl(etl_bin, "correct", "list", cwd=work)
    assert listed.returncode == 0 and "8 corrections" in listed.stdout
    rerun = run_etl(etl_bin, "run", str(corpus), "--db", sqlite_url, "--workers", "1", cwd=work)
    assert rerun.returncode == 0 and "corrections  8 applied, 0 orphaned" in rerun.stdout, rerun.stdout
    assert query(sqlite_url, "SELECT indicator FROM metrics WHERE raw_text = '605万起'") == [("cases_investigated",)]
    assert query(sqlite_url, "SELECT duplicate_of_id FROM documents WHERE source_path = 'nodate.txt'") == [(None,)]
    assert "[applied]" in run_etl(etl_bin, "correct", "list", "--db", sqlite_url, cwd=work).stdout


def test_the_queue_and_the_orphans_check_are_datasette_canned_queries():
    from etl.reporting.datasette import build_metadata

    database = build_metadata("etl")["databases"]["etl"]
    assert database["queries"]["review_queue"]["title"].endswith("Review queue")
    assert "check_corrections_orphaned" in database["queries"]
    assert {"corrections", "correction_documents"} <= set(database["tables"])
    assert database["tables"]["metrics"]["columns"]["agency_basis"].startswith("how agency_id was chosen")
