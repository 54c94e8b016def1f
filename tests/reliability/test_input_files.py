"""Issue 18, the input side: odd file names, overlapping arguments, folders that cannot be listed, files
swapped for links, symlinked folders. Each test failed before its fix; on both databases where they matter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from etl.extract.files import FileRef, os_path_of, stored_path, walk
from etl.load.schema import documents, etl_runs
from etl.pipeline import RunOptions, run
from etl.work import Failed, Task, Transformed, process
from tests.reliability.conftest import GOOD_NOTICE
from tests.reliability.rel_support import active_paths, failures_by_path, run_etl

GBK_NAME = "医保基金通报".encode("gbk") + b".md"  # not UTF-8: Python lists it with lone surrogates


def _notice(figure: int) -> str:
    return GOOD_NOTICE.replace("506", str(figure))


def _rows(db_url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(
                select(documents.c.file_path, documents.c.source_path, documents.c.status).order_by(documents.c.id))]
    finally:
        engine.dispose()


# -- 2: file names that are not UTF-8 ------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_loads(tmp_path: Path, db_url: str) -> None:
    """A GBK-named file loads next to the others; its path is stored in a form both databases take and
    that gives the OS name back; the name is shown readably; a re-run finds it unchanged."""
    root = tmp_path / "gbk"
    root.mkdir()
    os.makedirs(os.fsencode(root) + b"/" + "子目录".encode("gbk"))
    (root / "ok.md").write_text(_notice(507), encoding="utf-8")
    with open(os.fsencode(root) + b"/" + GBK_NAME, "w", encoding="utf-8") as handle:
        handle.write(_notice(506))
    with open(os.fsencode(root) + b"/" + "子目录".encode("gbk") + b"/" + GBK_NAME, "w", encoding="utf-8") as h:
        h.write(_notice(508))
    done = run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = _rows(db_url)
    assert len(rows) == 3, rows
    shown = {source for _, source, _ in rows}
    assert {"ok.md", "医保基金通报.md", "子目录/医保基金通报.md"} == shown
    on_disk = {os.fsencode(os.path.join(dirpath, name))
               for dirpath, _, names in os.walk(os.fsencode(root)) for name in names}
    assert {os.fsencode(os_path_of(path)) for path, _, _ in rows} == on_disk
    again = run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1", "--json")
    assert again.returncode == 0, again.stderr
    assert '"files_unchanged": 3' in again.stdout and '"files_removed": 0' in again.stdout


@pytest.mark.parametrize("name", [
    "plain/路径.md", "/a\udcb1\udca3b.md", "C:\\data\\x.md", "a\\xb1.md", "a\\\\b", "a\\\udcb1", "end\\",
    "\\x8f\udc8f\\\\x8f",
])
def test_stored_path_is_valid_utf8_and_reversible(name: str) -> None:
    stored = stored_path(name)
    stored.encode("utf-8")  # both databases refuse lone surrogates
    assert os_path_of(stored) == name
    if "\\" not in name and "\udcb1" not in name:
        assert stored == name  # ordinary paths are stored as they are


def test_names_that_differ_only_in_escapes_stay_apart() -> None:
    """A UTF-8 name that happens to read `\\xb1` is not the GBK byte 0xb1."""
    assert stored_path("a\\xb1") != stored_path("a\udcb1")


# -- 5: overlapping arguments --------------------------------------------------------------------------


def test_overlapping_arguments_are_one_walk(tmp_path: Path, db_url: str) -> None:
    """`etl run s s`, a folder with one of its own files, a folder with one of its subfolders: every
    file once, on the first run and every re-run (a unique-path IntegrityError before)."""
    root = tmp_path / "corpus"
    (root / "news").mkdir(parents=True)
    (root / "a.md").write_text(_notice(506), encoding="utf-8")
    (root / "news" / "b.md").write_text(_notice(507), encoding="utf-8")
    for args in ([root, root], [root, root / "a.md"], [root, root / "news"], [root / "news", root]):
        for _ in range(2):
            done = run_etl("run", *map(str, args), "--db", db_url, "-q", "--workers", "1", "--json")
            assert done.returncode == 0, (args, done.stderr)
            assert '"files_removed": 0' in done.stdout, done.stdout
    assert sorted(source for _, source, status in _rows(db_url) if status == "active") == ["a.md", "news/b.md"]


# -- 9: a folder that cannot be listed -----------------------------------------------------------------


def test_a_folder_that_cannot_be_listed_marks_nothing_removed(tmp_path: Path, db_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The listing fails (injected: chmod does not stop root); its documents stay active and are recorded
    as unreadable with the reason; the rest of the tree is handled as usual."""
    root = tmp_path / "share"
    (root / "sub").mkdir(parents=True)
    (root / "top.md").write_text(_notice(506), encoding="utf-8")
    (root / "sub" / "one.md").write_text(_notice(507), encoding="utf-8")
    (root / "sub" / "two.md").write_text(_notice(508), encoding="utf-8")
    options = RunOptions(workers=1)
    assert run([str(root)], db_url, options).files_new == 3

    real_scandir = os.scandir
    blocked = str(root / "sub")

    def failing_scandir(path=".", *args):
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", blocked)
        return real_scandir(path, *args)

    monkeypatch.setattr(os, "scandir", failing_scandir)
    summary = run([str(root)], db_url, options)
    assert summary.files_removed == 0
    assert {"top.md", "sub/one.md", "sub/two.md"} == active_paths(db_url)
    failed = failures_by_path(db_url)
    for name in ("sub/one.md", "sub/two.md"):
        assert name in failed and "could not be listed" in failed[name][1], failed
    assert "Permission denied" in failed["sub"][1]

    monkeypatch.setattr(os, "scandir", real_scandir)
    (root / "sub" / "two.md").unlink()
    assert run([str(root)], db_url, options).files_removed == 1  # listed again: a file gone is removed


# -- 10: a file swapped for a link between the walk and the read ----------------------------------------


def test_a_file_swapped_for_a_link_after_the_walk_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.md"
    secret.write_text(_notice(999), encoding="utf-8")
    victim = root / "notice.md"
    victim.write_text(_notice(506), encoding="utf-8")
    (ref,) = [item for item in walk([str(root)]) if isinstance(item, FileRef)]
    victim.unlink()
    victim.symlink_to(secret)  # the swap, after the walk looked
    outcome = process(Task(ref, None, None, False), None)
    assert isinstance(outcome, Failed), outcome
    assert "symlink" in outcome.failure.reason


def test_a_link_the_walk_resolved_is_read_through_its_target(tmp_path: Path) -> None:
    """A link inside the folder (loaded, as before) is read through the target the walk checked: swapping
    that target for a link outside is refused as well."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "own.md").write_text(_notice(506), encoding="utf-8")
    (root / "alias.md").symlink_to(root / "own.md")
    refs = {item.source_path: item for item in walk([str(root)]) if isinstance(item, FileRef)}
    assert isinstance(process(Task(refs["alias.md"], None, None, False), None), Transformed)
    (tmp_path / "secret.md").write_text(_notice(999), encoding="utf-8")
    (root / "own.md").unlink()
    (root / "own.md").symlink_to(tmp_path / "secret.md")
    assert isinstance(process(Task(refs["alias.md"], None, None, False), None), Failed)


# -- 16: a symlinked folder inside the root ------------------------------------------------------------


def test_a_symlinked_folder_inside_the_root_is_walked_once_under_its_real_path(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    (root / "real" / "doc.md").write_text(_notice(506), encoding="utf-8")
    (root / "alias").symlink_to(root / "real", target_is_directory=True)  # sorts before real/
    for flags in ([], [], ["--follow-symlinks"]):
        done = run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1", *flags)
        assert done.returncode == 0, done.stdout + done.stderr
    rows = _rows(db_url)
    assert [(source, status) for _, source, status in rows] == [("real/doc.md", "active")]
    assert not failures_by_path(db_url)


def test_run_paths_with_non_utf8_bytes_are_stored(tmp_path: Path, db_url: str) -> None:
    """etl_runs.paths takes a folder whose own name is not UTF-8."""
    folder = os.fsencode(tmp_path) + b"/" + "资料".encode("gbk")
    os.makedirs(folder)
    with open(folder + b"/a.md", "w", encoding="utf-8") as handle:
        handle.write(_notice(506))
    summary = run([os.fsdecode(folder)], db_url, RunOptions(workers=1))
    assert summary.files_new == 1
    engine = create_engine(db_url)
    with engine.connect() as conn:
        (paths,) = conn.execute(select(etl_runs.c.paths)).scalars()
    engine.dispose()
    assert os_path_of(paths) == os.fsdecode(folder)


# -- 11: passwords in every form, in every output ------------------------------------------------------

SECRET = "S3CRETpw"


def _secret_urls(postgres_url: str) -> list[str]:
    """The same database with a password in the query, with an unescaped @ or / in it, and a bad port."""
    base = postgres_url.replace("postgresql+psycopg://postgres@", "")
    return [
        f"postgresql://postgres@{base}?password={SECRET}",
        f"postgresql://postgres:ab@{SECRET}@{base}",
        f"postgresql://postgres:{SECRET}/x@{base}",
        f"postgresql://postgres:{SECRET}@{base.replace(':5432', ':54x32')}",
        f"postgresql://postgres:{SECRET[:4]}:{SECRET[4:]}@{base.replace(':5432', ':')}",
    ]


@pytest.mark.postgres
def test_passwords_are_masked_in_every_output(tmp_path: Path, postgres_url: str) -> None:
    """run (text and --json), db current, show: the secret never appears, in full or in part; a URL that
    cannot be parsed is one line, exit 2; etl_runs holds no secret."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text(_notice(506), encoding="utf-8")
    for url in _secret_urls(postgres_url):
        for args in (["run", str(docs), "-q"], ["run", str(docs), "--json"], ["db", "current"], ["show"]):
            done = run_etl(*args, "--db", url)
            output = done.stdout + done.stderr
            assert SECRET[:4] not in output and SECRET[4:] not in output, (url, args, output)
            assert "Traceback" not in output
            assert done.returncode in (0, 2), (url, args, output)
            if done.returncode == 2:
                assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for env in ({"PGPASSWORD": SECRET, "ETL_DATABASE_URL": postgres_url},
                {"ETL_DATABASE_URL": _secret_urls(postgres_url)[1]},
                {"ETL_DATABASE_URL": _secret_urls(postgres_url)[3]}):
        for args in (["run", str(docs)], ["db", "current"]):
            done = run_etl(*args, env=env)
            assert SECRET[:4] not in done.stdout + done.stderr and "Traceback" not in done.stderr, (env, args)
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        stored = " ".join(str(v) for row in conn.execute(select(etl_runs)) for v in row)
    engine.dispose()
    assert SECRET[:4] not in stored


def test_a_bad_port_is_one_line_without_the_password(tmp_path: Path) -> None:
    for url in ("postgresql://u:S3CRET/x@localhost:5432/db", "postgresql://u:S3CRETpw@localhost:54x32/db"):
        with pytest.raises(ValueError) as caught:
            from etl.config import resolve_url

            resolve_url(url) if "54x32" in url else resolve_url(url.replace("localhost:5432", "localhost:5x"))
        assert "S3CRET" not in str(caught.value)
    from etl.cli import masked_text
    from etl.config import masked

    assert "S3CRET" not in masked("postgresql://u:ab@S3CRET@h/db?password=S3CRET&sslpassword=S3CRET")
    assert "S3CRET" not in masked_text("connection to 'postgresql://u:ab@S3CRET@h/db' password=S3CRET failed")


# -- 19: a cap on workers ------------------------------------------------------------------------------


def test_workers_over_the_cap_are_a_usage_error(tmp_path: Path) -> None:
    from etl.config import MAX_WORKERS

    done = run_etl("run", str(tmp_path), "--db", str(tmp_path / "x.db"), "--workers", str(MAX_WORKERS + 1))
    assert done.returncode == 2 and "--workers" in done.stderr, done.stderr
    assert not (tmp_path / "x.db").exists()
    with pytest.raises(ValueError, match="at most"):
        run([str(tmp_path)], f"sqlite:///{tmp_path / 'y.db'}", RunOptions(workers=5000))


def test_never_more_workers_than_batches_of_files(tmp_path: Path) -> None:
    """Five files, --workers 64: one batch, one worker process (64 were forked before)."""
    import multiprocessing

    from etl.executor import ProcessPoolBatchExecutor

    for index in range(5):
        (tmp_path / f"{index}.md").write_text(_notice(500 + index), encoding="utf-8")
    refs = [item for item in walk([str(tmp_path)]) if isinstance(item, FileRef)]
    executor = ProcessPoolBatchExecutor(workers=64, max_bytes=None)
    try:
        before = set(multiprocessing.active_children())
        (outcomes,) = list(executor.map_batches([[Task(ref, None, None, False) for ref in refs]]))
        started = set(multiprocessing.active_children()) - before
        assert len(outcomes) == 5 and all(isinstance(o, Transformed) for o in outcomes)
        assert len(started) == 1, started
    finally:
        executor.close()


# -- 17: workers end with their parent -----------------------------------------------------------------

_PARENT = """
import sys, threading, time
from etl.executor import ProcessPoolBatchExecutor
executor = ProcessPoolBatchExecutor(workers=2, max_bytes=None)
if sys.argv[1] == "thread":  # a pool made from another thread: the watchdog, not the parent-death signal
    maker = threading.Thread(target=lambda: executor.pool.submit(time.sleep, 600))
    maker.start()
    maker.join()
busy = [executor.pool.submit(time.sleep, 600) for _ in range(2)]
while len(executor.pool._processes) < 2:
    time.sleep(0.01)
print(" ".join(str(pid) for pid in executor.pool._processes), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a container's init may be slow to reap)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to see the workers")
@pytest.mark.parametrize(("how", "made_in"), [("SIGKILL", "main"), ("SIGTERM", "main"), ("SIGKILL", "thread")])
def test_workers_end_when_the_parent_is_killed(how: str, made_in: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen([sys.executable, "-c", _PARENT, made_in], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]  # blocks until both workers exist
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        parent.send_signal(getattr(signal, how))
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30  # bounded polling: the kernel's signal, or the watchdog's second
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    finally:
        parent.kill()
        parent.wait()
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# -- 12: HTML nested deeper than the parser's limit ----------------------------------------------------

SENTENCE = "国家医疗保障局通报，2021年共追回医保基金约506亿元。"


@pytest.mark.parametrize("depth", [10, 300, 3000, 10_000])
def test_deep_html_loses_no_text(depth: int) -> None:
    """Unclosed <font> tags, as old government pages have them: the text is there at every depth (empty
    beyond ~255 levels before), and script text is still dropped."""
    from etl.extract.document import extract_document

    page = ("<html><head><title>通报</title></head><body><p>开头一段文字。</p>" + "<font color=red>" * depth
            + f"<p>{SENTENCE}</p><script>var leak='不应出现';</script><p>末尾&amp;结束。</p></body></html>")
    doc = extract_document(page.encode("utf-8"), "deep.html")
    assert "开头一段文字" in doc.body_text and SENTENCE in doc.body_text and "末尾&结束" in doc.body_text
    assert "不应出现" not in doc.body_text


def test_deep_html_loads_with_its_figure(tmp_path: Path, db_url: str) -> None:
    root = tmp_path / "pages"
    root.mkdir()
    (root / "deep.html").write_text("<html><body>" + "<font>" * 10_000 + f"<p>{SENTENCE}</p></body></html>",
                                    encoding="utf-8")
    summary = run([str(root)], db_url, RunOptions(workers=1))
    assert summary.files_new == 1 and summary.files_failed == 0
    engine = create_engine(db_url)
    with engine.connect() as conn:
        (body,) = conn.execute(select(documents.c.body_text)).scalars()
    engine.dispose()
    assert SENTENCE in body


def test_flat_reader_reads_past_unclosed_comments_and_scripts() -> None:
    """The fallback reader: an unclosed `<!--` or `<script` ends the text there, never an error."""
    from etl.extract.html_text import flat_text

    assert "正文" in flat_text("<p>正文</p>" + "<!-- x" * 20_000)
    assert flat_text("<p>正文</p><script>" + "<script>" * 20_000).strip() == "正文"


# -- 13: a script bundle saved as .html ----------------------------------------------------------------


def test_a_script_bundle_is_not_a_document(tmp_path: Path, db_url: str) -> None:
    """A minified bundle whose strings hold an on-topic sentence with a figure: skipped with a reason (it
    loaded as a document with a metric before); a real page next to it loads."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "app.html").write_text(
        '/*! app v1 */!function(e,t){"use strict";var n={title:"通报",body:"' + SENTENCE + '"};'
        'e.data=n;for(var i=0;i<3;i++){t(n)}}(window,function(x){return x.body});\n', encoding="utf-8")
    (root / "chunk.html").write_text(
        '(self.webpackChunk=self.webpackChunk||[]).push([[7],{12:function(e){e.exports="' + SENTENCE + '"}}]);',
        encoding="utf-8")
    (root / "page.html").write_text(f"<html><body><p>{SENTENCE}</p><p>第二段。</p></body></html>", encoding="utf-8")
    summary = run([str(root)], db_url, RunOptions(workers=1))
    assert summary.files_new == 1 and summary.files_skipped == 2, summary
    assert active_paths(db_url) == {"page.html"}
    from etl.load.schema import skipped_files

    engine = create_engine(db_url)
    with engine.connect() as conn:
        reasons = dict(conn.execute(select(skipped_files.c.source_path, skipped_files.c.reason)).all())
    engine.dispose()
    assert set(reasons) == {"app.html", "chunk.html"} and all("script" in r for r in reasons.values()), reasons


def test_prose_with_some_code_is_still_a_document() -> None:
    from etl.extract.formats import looks_like_script

    assert not looks_like_script(SENTENCE + "\n\n示例：var x = 1;")
    assert not looks_like_script("var 一词来自拉丁语。" + SENTENCE * 20)


# -- 14: dates outside 1900 … tomorrow -----------------------------------------------------------------


@pytest.mark.parametrize("written", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00", "2999-01-01",
                                     "'0001-01-01T00:00:00+08:00'", "1899-12-31 10:00"])
def test_an_impossible_date_is_dropped_with_a_note(written: str) -> None:
    from etl.extract.document import extract_document

    text = f"---\ntitle: 医保基金通报\ndate: {written}\n---\n\n{SENTENCE}\n"
    doc = extract_document(text.encode("utf-8"), "post.md")
    assert doc.published_on is None and doc.published_at is None and doc.published_offset is None
    assert len(doc.notes) == 1 and "dropped" in doc.notes[0]
    assert SENTENCE in doc.body_text


def test_impossible_dates_load_and_etl_check_passes(tmp_path: Path, db_url: str) -> None:
    """The documents load (the +08:00 zero date lost its document to an OverflowError before), their dates
    dropped with a note in documents.notes, and `etl check` finds nothing (a 2999 date failed it)."""
    root = tmp_path / "blog"
    root.mkdir()
    for index, written in enumerate(["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+08:00", "2999-01-01"]):
        (root / f"{index}.md").write_text(f"---\ntitle: 医保通报{index}\ndate: {written}\n---\n\n{SENTENCE}\n",
                                          encoding="utf-8")
    (root / "fine.md").write_text(f"---\ntitle: 医保通报\ndate: 2021-12-08\n---\n\n{SENTENCE}\n", encoding="utf-8")
    done = run_etl("run", str(root), "--db", db_url, "-q", "--workers", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(documents.c.source_path, documents.c.notes)).all())
        days = dict(conn.execute(select(documents.c.source_path, documents.c.published_on)).all())
    engine.dispose()
    assert set(rows) == {"0.md", "1.md", "2.md", "fine.md"}
    assert rows["fine.md"] is None and str(days["fine.md"]) == "2021-12-08"
    assert all("dropped" in rows[name] and days[name] is None for name in ("0.md", "1.md", "2.md")), rows
    check = run_etl("check", "--db", db_url)
    assert check.returncode == 0, check.stdout + check.stderr


# -- 15: GBK with Windows-1252 punctuation, and lines in two code pages --------------------------------

NOTICE_15 = ("国家医疗保障局关于开展打击欺诈骗保专项整治的通知\n\n各省医疗保障局：\n根据“两定机构”检查结果，"
             "2021年共追回医保基金约506亿元，处理‘违法违规’机构约100万家次—详见附件…\n")


def _gbk_with_cp1252(text: str) -> bytes:
    marks = {"“": b"\x93", "”": b"\x94", "‘": b"\x91", "’": b"\x92", "—": b"\x97", "…": b"\x85"}
    return b"".join(marks.get(ch) or ch.encode("gbk") for ch in text)


def test_gbk_with_windows_1252_quotes_is_repaired(tmp_path: Path, db_url: str) -> None:
    """The quotes read as quotes and every character after them as written (garbled before: 根据摿蕉ɑ箶),
    and the repair is recorded: encoding gb18030+cp1252, a note."""
    root = tmp_path / "office"
    root.mkdir()
    (root / "notice.txt").write_bytes(_gbk_with_cp1252(NOTICE_15))
    summary = run([str(root)], db_url, RunOptions(workers=1))
    assert summary.files_new == 1
    engine = create_engine(db_url)
    with engine.connect() as conn:
        body, encoding, notes = conn.execute(select(documents.c.body_text, documents.c.encoding,
                                                    documents.c.notes)).one()
    engine.dispose()
    assert "根据“两定机构”检查结果" in body and "处理‘违法违规’机构" in body and "506亿元" in body
    assert encoding == "gb18030+cp1252" and "repaired" in notes


def test_traditional_text_in_gbk_is_not_taken_for_cp1252() -> None:
    """GBK characters whose first byte is a Windows-1252 quote's (們 …) stay as written."""
    import random

    from etl.extract.decode import detect_and_decode

    leads = [bytes([lead, trail]).decode("gbk", "ignore") for lead in b"\x91\x92\x93\x94\x96\x97\x85"
             for trail in range(0x40, 0xFF) if trail != 0x7F]
    leads = [ch for ch in leads if len(ch) == 1 and "\u4e00" <= ch <= "\u9fff"]
    rng = random.Random(18)
    base = list("國家醫療保障局關於開展打擊欺詐騙保專項整治的通知各省醫療保障局根據檢查結果共追回醫保基金約億元" * 3)
    for _ in range(200):
        chars = base[:]
        for _ in range(rng.randint(1, 8)):
            chars.insert(rng.randrange(len(chars)), rng.choice(leads))
        text = "".join(chars)
        assert detect_and_decode(text.encode("gbk")) == (text, "gb18030")


def test_lines_in_two_code_pages_each_read_in_their_own(tmp_path: Path) -> None:
    from etl.extract.document import extract_document

    utf8 = "国家医疗保障局关于开展打击欺诈骗保专项整治的通知\n\n各省医疗保障局：\n".encode()
    gbk = "根据检查结果，2021年共追回医保基金约506亿元。\n".encode("gbk")
    doc = extract_document(utf8 + gbk + utf8, "mixed.txt")
    assert "追回医保基金约506亿元" in doc.body_text and "欺诈骗保专项整治" in doc.body_text
    assert doc.encoding == "utf-8+gb18030" and doc.notes


# -- 20: etl inspect under the run's limits; scans linear in the text ----------------------------------


def test_inspect_stops_at_the_per_file_time_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A transform that would run on (here: a 30 s sleep in place of a pathological input) is stopped at
    the limit etl run uses, as a transform failure."""
    import time

    import etl.transform
    import etl.work
    from etl.api import inspect_file
    from etl.records import StageError

    path = tmp_path / "slow.md"
    path.write_text(_notice(506), encoding="utf-8")
    monkeypatch.setattr(etl.work, "FILE_TIME_LIMIT_SECONDS", 0.2)
    monkeypatch.setattr(etl.transform, "transform_document", lambda *args, **kwargs: time.sleep(30))
    with pytest.raises(StageError) as caught:
        inspect_file(str(path))
    assert caught.value.stage == "transform" and "took over" in caught.value.reason


def test_inspect_refuses_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with open(path, "wb") as handle:
        handle.truncate(30 * 1024 * 1024)
    done = run_etl("inspect", str(path))
    assert done.returncode == 3 and "limit" in done.stdout, done.stdout + done.stderr


class _Steps:
    """Characters each context function is handed: their sum must grow like the text, their maximum not."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import etl.transform.metrics as metrics
        import etl.transform.periods as periods

        self.total = 0
        self.largest = 0
        self.sentences_read = 0
        for module, name, arg in ((metrics, "sentence_on_topic", 0), (metrics, "classify", 0),
                                  (periods, "sentence_scopes", 0)):
            monkeypatch.setattr(module, name, self._counting(getattr(module, name), arg))
        original = periods.PeriodReader._sentence

        def counted(reader, start, end):
            self.sentences_read += 1
            return original(reader, start, end)

        monkeypatch.setattr(periods.PeriodReader, "_sentence", counted)

    def _counting(self, function, arg: int):
        def wrapper(*args, **kwargs):
            size = len(args[arg])
            self.total += size
            self.largest = max(self.largest, size)
            return function(*args, **kwargs)
        return wrapper


PATHOLOGICAL = {
    "no sentence end": lambda n: "追回医保基金5元、" * (n // 9),
    "distinct figures": lambda n: "追回医保基金" + "、".join(f"{i}元" for i in range(n // 7)),
    "one long paragraph": lambda n: "追回医保基金5元。" * (n // 9),
    "period ranges": lambda n: "2021年1月至3月追回医保基金5亿元，" * (n // 20),
}


@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_figure_and_range_scans_are_linear(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Doubling a pathological text doubles the work (it grew with the square before); no context
    function is handed more than a bounded stretch; every figure is still found."""
    from etl.transform.metrics import MAX_SENTENCE_CHARS, extract_metrics

    work = {}
    for size in (20_000, 40_000):
        text = PATHOLOGICAL[kind](size)
        steps = _Steps(monkeypatch)
        found = extract_metrics(text, title="医保基金监管通报")
        assert found, kind
        assert steps.largest <= 2 * MAX_SENTENCE_CHARS + 100, (kind, steps.largest)
        work[size] = steps.total + steps.sentences_read * 10
        monkeypatch.undo()
    assert work[40_000] <= 2.3 * work[20_000], (kind, work)


def test_agency_attribution_reads_back_a_bounded_stretch() -> None:
    """A figure's sentence is looked for backwards at most MAX_SENTENCE_CHARS (a scan to the start of the
    text for every figure before)."""
    from etl.records import AgencyMention
    from etl.transform.agencies import MAX_SENTENCE_CHARS, attribution

    class Counting(str):
        scanned = 0

        def rfind(self, sub, start=0, end=None):  # type: ignore[override]
            Counting.scanned += (len(self) if end is None else end) - start
            return str.rfind(self, sub, start, end)

    body = Counting("国家医疗保障局" + "追回5元、" * 20_000)
    mention = AgencyMention("国家医疗保障局", "national", None, None, "mentioned", 1, ("国家医疗保障局",), ((0, 7),))
    for position in range(10, len(body), 997):
        assert attribution(position, [mention], body)[0] == "国家医疗保障局"
    figures = len(range(10, len(body), 997))
    assert Counting.scanned <= figures * 9 * MAX_SENTENCE_CHARS


def test_a_run_failure_stored_in_etl_runs_has_no_password(tmp_path: Path, db_url: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver error that echoes a URL or a conninfo string is stored masked in etl_runs.error."""
    import etl.pipeline

    def failing(*args, **kwargs):
        raise RuntimeError(f"lost postgresql://u:ab@{SECRET}@db.example/x (password={SECRET})")

    monkeypatch.setattr(etl.pipeline, "_execute", failing)
    with pytest.raises(RuntimeError):
        run([str(tmp_path)], db_url, RunOptions(workers=1))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        (error,) = conn.execute(select(etl_runs.c.error)).scalars()
    engine.dispose()
    assert "RuntimeError" in error and SECRET not in error and SECRET[4:] not in error, error


def test_inspect_shows_a_non_utf8_name_readably(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path) + b"/" + GBK_NAME
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(_notice(506))
    done = run_etl("inspect", os.fsdecode(path))
    assert done.returncode == 0 and '"source_path": "医保基金通报.md"' in done.stdout, done.stdout + done.stderr
