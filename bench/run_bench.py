#!/usr/bin/env python
"""Issue 9 benchmark: `etl run` end to end against its floors, at 1x, 10x and 30x the shared corpus.

Why one script: the targets are ratios (pipeline vs floors, re-run vs first run, 30x vs 1x memory), so
every number must come from the same machine, the same page cache and the same corpus copies.

    .venv/bin/python bench/run_bench.py [--scales 1,10,30] [--repeat 3] [--pg URL|none] [--out DIR]

Corpora: `laws` is ../shared/corpus/laws as is; `Nx` is N copies of laws/ + news/, each file with one line
appended ("bench copy i") so every hash differs. Copies are built once under --out and reused.
Floors (1 process, in this process): list+read+hash, list+read+hash+one regex (the "plain Python pass"),
transform_document over every file, raw sqlite3 executemany and psycopg COPY of the rows the pipeline
writes (documents, metrics, document-agency links; one transaction per 256 documents, like the loader).
The transform floor is measured on 1x and scaled by N unless --full-floors (copies differ by one line).
Loader rows/s is the product's Loader.write on the same transformed records, batch by batch.
End to end: `etl run` as a subprocess on a fresh database; peak RSS is the sum over the process tree
(workers included), polled every 20 ms with psutil. Then a re-run with no change and one with 1% of the
files changed (one line appended), on the same database.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH_DOCUMENTS = 256  # the loader's transaction size, so raw floors and the loader commit equally often
PLAIN_REGEX = re.compile(r"\d+(?:\.\d+)?\s*(?:万|亿)?元")  # one regular expression, as the baseline
CORPUS_FORMAT = "1"  # bump when the way copies are built changes


# -- corpora -------------------------------------------------------------------------------------------

def _files_under(root: Path) -> list[Path]:
    """Every regular file under root in a stable order (what the plain pass and the copies visit)."""
    out: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        out.extend(Path(folder) / n for n in sorted(names))
    return out


def build_corpus(out: Path, scale: int) -> Path:
    """N perturbed copies of laws/ + news/ (cached: rebuilt only when missing or of another format)."""
    dest = out / f"corpus-{scale}x"
    marker = dest / ".built"
    if marker.exists() and marker.read_text() == CORPUS_FORMAT:
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    for copy in range(scale):
        for part in ("laws", "news"):
            src = CORPUS / part
            for file in _files_under(src):
                target = dest / f"copy{copy:02d}" / part / file.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                data = file.read_bytes()
                if file.suffix == ".md":
                    data += f"\n\nbench copy {copy}\n".encode()
                target.write_bytes(data)
    marker.write_text(CORPUS_FORMAT)  # hidden: the walk skips it
    return dest


def build_laws(out: Path) -> Path:
    """laws/ byte for byte (a private copy: the 1%-change re-run appends to files)."""
    dest = out / "laws"
    marker = dest / ".built"
    if not (marker.exists() and marker.read_text() == CORPUS_FORMAT):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(CORPUS / "laws", dest)
        marker.write_text(CORPUS_FORMAT)
    return dest


def corpus_size(root: Path) -> tuple[int, int]:
    """(document files, bytes) as `etl run` counts them: files the walk yields, hidden ones excluded."""
    from etl.extract.files import walk
    from etl.records import FileRef

    files = size = 0
    for item in walk([str(root)]):
        if isinstance(item, FileRef):
            files += 1
            size += item.size
    return files, size


def change_one_percent(root: Path, round_: int) -> int:
    """Append a line to every 100th document file (a different 1% each round); returns how many."""
    changed = 0
    for index, file in enumerate(p for p in _files_under(root) if p.suffix == ".md"):
        if index % 100 == round_ % 100:
            with file.open("ab") as handle:
                handle.write(f"bench change {round_}\n".encode())
            changed += 1
    return changed


# -- floors --------------------------------------------------------------------------------------------

def plain_pass(root: Path, regex: bool) -> float:
    """Plain Python: list, read and hash every file (and run one regex over its text); seconds."""
    started = time.perf_counter()
    hits = 0
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            if name.startswith("."):
                continue
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
            hashlib.sha256(data).hexdigest()
            if regex:
                hits += len(PLAIN_REGEX.findall(data.decode("utf-8", "replace")))
    return time.perf_counter() - started


@dataclasses.dataclass
class Transformed1x:
    """The 1x corpus transformed once: records per file, for the transform and load floors."""

    items: list  # (file_path, FileRef, DocumentRecord)
    seconds: float
    seconds_by_part: dict[str, float]
    failed: int
    pickled_bytes: int


def transform_floor(root: Path) -> Transformed1x:
    """transform_document over every file of root in this one process, timed per file."""
    from etl.extract.files import read_file, walk
    from etl.records import FileRef, StageError
    from etl.transform import transform_document

    items = []
    total = 0.0
    by_part: dict[str, float] = {}
    failed = pickled = 0
    for ref in walk([str(root)]):
        if not isinstance(ref, FileRef):
            continue
        data, sha = read_file(ref.file_path, None)
        started = time.perf_counter()
        try:
            record = transform_document(data, ref.source_path, sha256=sha)
        except StageError:
            failed += 1
            record = None
        spent = time.perf_counter() - started
        total += spent
        part = ref.source_path.split("/")[1] if ref.source_path.startswith("copy") else ref.source_path.split("/")[0]
        by_part[part] = by_part.get(part, 0.0) + spent
        if record is not None:
            items.append((ref.file_path, ref, record))
            pickled += len(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return Transformed1x(items, total, by_part, failed, pickled)


def _scaled(base: Transformed1x, scale: int) -> Iterator[tuple[int, object, object]]:
    """The 1x records as N copies: other paths and hashes, same content (what N copies would load)."""
    for copy in range(scale):
        for file_path, ref, record in base.items:
            if copy == 0:
                yield copy, ref, record
                continue
            path = file_path.replace("/copy00/", f"/copy{copy:02d}/", 1)
            sha = hashlib.sha256(f"{copy}:{record.content_sha256}".encode()).hexdigest()
            yield (copy, dataclasses.replace(ref, file_path=path, source_path=ref.source_path.replace("copy00", f"copy{copy:02d}", 1)),
                   dataclasses.replace(record, content_sha256=sha))


def _utc_text(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


DOC_COLUMNS = ("id", "file_path", "source_path", "content_sha256", "size_bytes", "file_mtime_ns", "format", "encoding",
               "title", "published_at", "published_offset", "published_on", "doc_number", "index_number",
               "source_id", "original_source_id", "editor", "authors", "categories", "tags", "url", "body_text",
               "on_topic", "simhash", "extractor_version", "status", "first_run_id", "run_id")
METRIC_COLUMNS = ("document_id", "agency_id", "indicator", "value", "value_max", "unit", "qualifier", "raw_text",
                  "sentence", "char_start", "char_end", "period_start", "period_end", "cumulative", "on_topic", "run_id")
LINK_COLUMNS = ("document_id", "agency_id", "role", "mention_count", "aliases", "run_id")


def _dim_columns() -> tuple[str, ...]:
    from etl.load.dimdate import DIM_DATE_COLUMNS

    return tuple(DIM_DATE_COLUMNS)


class RowMaker:
    """Rows exactly as the loader builds them (same columns, same values), as tuples for raw drivers."""

    def __init__(self, agency_ids: dict[str, int], source_ids: dict[str, int], codes: set[str], sqlite: bool):
        self.agency_ids, self.source_ids, self.codes, self.sqlite = agency_ids, source_ids, codes, sqlite

    def _t(self, value: dt.datetime | None):
        return _utc_text(value) if self.sqlite else value

    def _n(self, value: Decimal | None):
        return None if value is None else (float(value) if self.sqlite else value)

    def _d(self, value: dt.date | None):
        return None if value is None else (value.isoformat() if self.sqlite else value)

    def rows(self, doc_id: int, ref, record) -> tuple[tuple, list[tuple], list[tuple]]:
        doc = record.extracted
        join = lambda values: "; ".join(v for v in values if v) or None  # noqa: E731
        document = (
            doc_id, ref.file_path, ref.source_path, record.content_sha256, record.size_bytes, ref.mtime_ns,
            doc.format, doc.encoding, doc.title, self._t(doc.published_at), doc.published_offset,
            self._d(doc.published_on), doc.doc_number, doc.index_number,
            self.source_ids.get(doc.source.name) if doc.source else None,
            self.source_ids.get(doc.original_source.name) if doc.original_source else None,
            doc.editor, join(doc.authors), join(doc.categories), join(doc.tags), doc.url, doc.body_text,
            record.on_topic, record.simhash, record.extractor_version, "active", 1, 1,
        )
        links: dict[tuple[int, str], list] = {}
        for mention in record.agencies:
            key = (self.agency_ids[mention.name], mention.role)
            if key in links:
                links[key][3] += mention.mention_count
            else:
                links[key] = [doc_id, key[0], mention.role, mention.mention_count, join(mention.aliases), 1]
        metrics = [
            (doc_id, self.agency_ids.get(m.agency_name) if m.agency_name else None,
             m.indicator if m.indicator in self.codes else None, self._n(m.value), self._n(m.value_max), m.unit,
             m.qualifier, m.raw_text, m.sentence, m.char_start, m.char_end, self._d(m.period_start),
             self._d(m.period_end), m.cumulative, m.on_topic, 1)
            for m in record.metrics
        ]
        return document, metrics, [tuple(v) for v in links.values()]


def _prepare_schema(url: str, base: Transformed1x) -> tuple[dict[str, int], dict[str, int], set[str]]:
    """Migrate a fresh database and insert (untimed) the run row, sources and agencies the rows point at."""
    from sqlalchemy import select

    from etl.load import migrate
    from etl.load.db import make_engine
    from etl.load.loader import Loader
    from etl.load.runs import start_run, sync_vocabulary
    from etl.load.schema import agencies, sources
    from etl.load.vocabulary import indicator_codes

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        sync_vocabulary(engine)
        run_id = start_run(engine, ["bench"], "bench")
        loader = Loader(engine, run_id)
        with engine.begin() as conn:
            records = [r for _, _, r in base.items]
            loader._source_ids(conn, [s for r in records for s in (r.extracted.source, r.extracted.original_source)])
            loader._agency_ids(conn, [m for r in records for m in r.agencies])
            source_ids = dict(conn.execute(select(sources.c.name, sources.c.id)).all())
            agency_ids = dict(conn.execute(select(agencies.c.name, agencies.c.id)).all())
        return agency_ids, source_ids, set(indicator_codes())
    finally:
        engine.dispose()


def _enable_search_index(url: str) -> None:
    from etl.load.db import make_engine
    from etl.load.search_index import switch_search_index

    engine = make_engine(url)
    try:
        switch_search_index(engine, True)
    finally:
        engine.dispose()


def _batches(base: Transformed1x, scale: int) -> Iterator[list[tuple[int, object, object]]]:
    batch: list = []
    for doc_id, (_, ref, record) in enumerate(_scaled(base, scale), start=1):
        batch.append((doc_id, ref, record))
        if len(batch) >= BATCH_DOCUMENTS:
            yield batch
            batch = []
    if batch:
        yield batch


class DimDays:
    """The dim_date rows a batch adds, as the loader adds them: whole years beyond the span covered so far."""

    def __init__(self, sqlite: bool):
        self.sqlite, self.span = sqlite, None

    def rows(self, days: list) -> list[tuple]:
        from etl.load.dimdate import (
            DIM_DATE_COLUMNS,
            EARLIEST,
            LATEST,
            dim_date_row,
            sqlite_dim_date_values,
        )

        years = {d.year for d in days if d is not None and EARLIEST <= d.year <= LATEST}
        if not years:
            return []
        low, high = min(years), max(years)
        spans = [(low, high)] if self.span is None else [
            (a, b) for a, b in ((low, self.span[0] - 1), (self.span[1] + 1, high)) if a <= b]
        self.span = (low, high) if self.span is None else (min(low, self.span[0]), max(high, self.span[1]))
        out: list[tuple] = []
        for a, b in spans:
            first, last = dt.date(a, 1, 1), dt.date(b, 12, 31)
            if self.sqlite:
                out.extend(sqlite_dim_date_values(first, last))
            else:
                for n in range((last - first).days + 1):
                    row = dim_date_row(first + dt.timedelta(days=n))
                    out.append(tuple(row[c] for c in DIM_DATE_COLUMNS))
        return out


def _row_batches(maker: RowMaker, base: Transformed1x, scale: int) -> Iterator[tuple[list, list, list, list]]:
    """(documents, metrics, links, dim_date) row tuples per 256 documents; built inside the timed loop, as the
    loader does (dim_date: the whole years the batch's dates add, which the loader writes in the same
    transaction)."""
    days = DimDays(maker.sqlite)
    for batch in _batches(base, scale):
        docs, metrics, links, dates = [], [], [], []
        for doc_id, ref, record in batch:
            d, m, k = maker.rows(doc_id, ref, record)
            docs.append(d)
            metrics.extend(m)
            links.extend(k)
            dates.append(record.extracted.published_on)
            dates.extend(day for metric in record.metrics for day in (metric.period_start, metric.period_end))
        yield docs, metrics, links, days.rows(dates)


def raw_sqlite_floor(path: Path, base: Transformed1x, scale: int, search_index: bool = False) -> tuple[float, int]:
    """Raw sqlite3 executemany of the pipeline's rows, one transaction per 256 documents; (s, rows).

    search_index=True turns the optional trigram index on first (`etl search-index enable`), so its triggers
    fill it row by row, to show what it costs."""
    agency_ids, source_ids, codes = _prepare_schema(f"sqlite:///{path}", base)
    if search_index:
        _enable_search_index(f"sqlite:///{path}")
    maker = RowMaker(agency_ids, source_ids, codes, sqlite=True)
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    sql = {name: f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
           for name, cols in (("documents", DOC_COLUMNS), ("metrics", METRIC_COLUMNS), ("document_agencies", LINK_COLUMNS),
                              ("dim_date", _dim_columns()))}
    rows = 0
    started = time.perf_counter()
    for docs, metrics, links, dims in _row_batches(maker, base, scale):
        conn.execute("BEGIN")
        conn.executemany(sql["documents"], docs)
        conn.executemany(sql["document_agencies"], links)
        conn.executemany(sql["metrics"], metrics)
        conn.executemany(sql["dim_date"], dims)
        conn.execute("COMMIT")
        rows += len(docs) + len(metrics) + len(links) + len(dims)
    seconds = time.perf_counter() - started
    conn.close()
    return seconds, rows


def pg_copy_floor(url: str, base: Transformed1x, scale: int) -> tuple[float, int]:
    """psycopg COPY of the pipeline's rows, one transaction per 256 documents; (s, rows)."""
    import psycopg
    from sqlalchemy.engine import make_url

    agency_ids, source_ids, codes = _prepare_schema(url, base)
    maker = RowMaker(agency_ids, source_ids, codes, sqlite=False)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    rows = 0
    with psycopg.connect(dsn) as conn:
        started = time.perf_counter()
        for docs, metrics, links, dims in _row_batches(maker, base, scale):
            with conn.cursor() as cur:
                for table, cols, data in (("documents", DOC_COLUMNS, docs), ("document_agencies", LINK_COLUMNS, links),
                                          ("metrics", METRIC_COLUMNS, metrics), ("dim_date", _dim_columns(), dims)):
                    if not data:
                        continue
                    with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
            conn.commit()
            rows += len(docs) + len(metrics) + len(links) + len(dims)
        seconds = time.perf_counter() - started
    return seconds, rows


def loader_floor(url: str, base: Transformed1x, scale: int) -> tuple[float, int]:
    """The product's Loader.write on the same records, 256 documents per call; (s, rows it wrote)."""
    from sqlalchemy import func, select

    from etl.load import migrate
    from etl.load.db import make_engine
    from etl.load.loader import Loader
    from etl.load.runs import start_run, sync_vocabulary
    from etl.load.schema import dim_date, document_agencies, documents, metrics
    from etl.records import Task, Transformed

    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        sync_vocabulary(engine)
        loader = Loader(engine, start_run(engine, ["bench"], "bench"))
        started = time.perf_counter()
        batch: list = []
        for _, ref, record in _scaled(base, scale):
            batch.append(Transformed(Task(ref, None, None, False), record))
            if len(batch) >= BATCH_DOCUMENTS:
                loader.write(batch)
                batch = []
        if batch:
            loader.write(batch)
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            rows = sum(conn.execute(select(func.count()).select_from(t)).scalar_one()
                       for t in (documents, metrics, document_agencies, dim_date))
        return seconds, rows
    finally:
        engine.dispose()


# -- end to end ------------------------------------------------------------------------------------------

def etl_command() -> list[str]:
    exe = Path(sys.executable).with_name("etl")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "etl.cli"]


@dataclasses.dataclass
class RunResult:
    seconds: float
    peak_rss: int  # bytes, sum over the process tree at the worst moment
    peak_processes: int
    summary: dict


def run_etl(root: Path, url: str, workers: int, watch_memory: bool = True) -> RunResult:
    """`etl run ROOT --db URL --workers N` as a user runs it, with the tree's peak RSS.

    watch_memory=False leaves out the RSS sampler: it walks /proc every 20 ms and takes CPU from a run that
    keeps both cores busy (--workers 2: +0.05 s on laws/), so timing comparisons run without it."""
    cmd = [*etl_command(), "run", str(root), "--db", url, "--workers", str(workers), "--quiet", "--json"]
    peak = [0, 0]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def poll() -> None:
        try:
            parent = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = count = 0
            try:
                family = [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for member in family:
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += member.memory_info().rss
                    count += 1
            if total > peak[0]:
                peak[0], peak[1] = total, count
            done.wait(0.02)

    watcher = threading.Thread(target=poll if watch_memory else lambda: None, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    if proc.returncode not in (0, 3):  # 3: some files failed (e.g. empty section pages), run completed
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode()[-2000:]}")
    return RunResult(seconds, peak[0], peak[1], json.loads(out))


@contextlib.contextmanager
def pg_database(admin_url: str | None, name: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database for one measurement, dropped afterwards (None when no server)."""
    if not admin_url:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- driver ----------------------------------------------------------------------------------------------

def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def timed(repeat: int, action: Callable[[int], float]) -> list[float]:
    return [action(r) for r in range(repeat)]


def byte_compile() -> dict:
    """Compile etl/ (migrations included) to bytecode before any timing, as `pip install .` does for an installed copy.

    An editable install writes its bytecode at first import, unless PYTHONDONTWRITEBYTECODE is set, as it is
    on the machines this ran on: then every `etl run` compiled the package's own modules from source again,
    +0.07 s a run (a fresh seeds/ load: 0.64 s against 0.57 s) that an installed copy never pays."""
    import compileall

    compiled = all(compileall.compile_dir(REPO / folder, quiet=1) for folder in ("etl",))
    return {"byte_compiled": compiled, "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE")}


def machine(pg_url: str | None) -> dict:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))) * 1024
    pg_version = None
    if pg_url:
        from sqlalchemy import create_engine, text

        engine = create_engine(pg_url)
        with engine.connect() as conn:
            pg_version = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(mem / 2**30, 1), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "postgresql": pg_version, "commit": commit + ("+dirty" if dirty else ""),
            "loadavg_start": os.getloadavg()}


def bench_corpus(label: str, root: Path, args, work: Path, workers_compare: bool, repeat: int, pg: str | None) -> dict:
    """End-to-end measurements on one corpus: first run, no-change and 1%-change re-runs, PostgreSQL."""
    files, size = corpus_size(root)
    result: dict = {"corpus": label, "files": files, "bytes": size}
    print(f"[{label}] {files} files, {size / 1e6:.1f} MB", flush=True)
    result["read_hash_s"] = timed(max(repeat, 3), lambda _: plain_pass(root, regex=False))
    result["read_hash_regex_s"] = timed(max(repeat, 3), lambda _: plain_pass(root, regex=True))
    print(f"[{label}] plain pass: read+hash {median(result['read_hash_s']):.2f}s, "
          f"+regex {median(result['read_hash_regex_s']):.2f}s", flush=True)
    first, nochange, changed, rss, pg_first, pg_rss = [], [], [], [], [], []
    with_index, build_after, one, many = [], [], [], []
    for r in range(repeat):
        db = work / f"{label}-{r}.db"
        _remove_sqlite(db)
        url = f"sqlite:///{db}"
        run = run_etl(root, url, args.workers)
        first.append(run.seconds)
        rss.append(run.peak_rss)
        result.setdefault("summary", {k: v for k, v in run.summary.items() if k != "failures"})
        again = run_etl(root, url, args.workers)
        assert again.summary["files_new"] == 0 and again.summary["files_changed"] == 0, again.summary
        nochange.append(again.seconds)
        touched = change_one_percent(root, r)
        after = run_etl(root, url, args.workers)
        changed.append(after.seconds)
        result["changed_files"] = touched
        print(f"[{label}] run {r}: first {run.seconds:.1f}s (peak {run.peak_rss / 2**20:.0f} MB, "
              f"{run.peak_processes} procs), no change {again.seconds:.2f}s, 1% changed ({touched} files, "
              f"{after.summary['files_changed']} seen changed) {after.seconds:.2f}s", flush=True)
        if not args.keep:
            _remove_sqlite(db)
        if workers_compare:  # what the optional search index costs: kept in step by a first run, or built after
            dbs = work / f"{label}-{r}-search.db"
            _remove_sqlite(dbs)
            _enable_search_index(f"sqlite:///{dbs}")
            indexed_run = run_etl(root, f"sqlite:///{dbs}", args.workers)
            with_index.append(indexed_run.seconds)
            _remove_sqlite(dbs)
            plain_run = run_etl(root, f"sqlite:///{dbs}", args.workers)
            started = time.perf_counter()
            _enable_search_index(f"sqlite:///{dbs}")
            build_after.append(plain_run.seconds + time.perf_counter() - started)
            _remove_sqlite(dbs)
            print(f"[{label}] run {r}: with the search index on {indexed_run.seconds:.1f}s; "
                  f"off, then enabled {build_after[-1]:.1f}s", flush=True)
        with pg_database(pg, f"bench_{label}_{os.getpid()}") as pg_url:
            if pg_url:
                on_pg = run_etl(root, pg_url, args.workers)
                pg_first.append(on_pg.seconds)
                pg_rss.append(on_pg.peak_rss)
                print(f"[{label}] run {r}: PostgreSQL first {on_pg.seconds:.1f}s", flush=True)
    if workers_compare and args.workers != 1:
        one, many = workers_pairs(label, root, args.workers, args.workers_pairs, work)
    result.update(first_s=first, nochange_s=nochange, change1_s=changed, peak_rss=rss, pg_first_s=pg_first,
                  pg_peak_rss=pg_rss, workers=args.workers, workers1_s=one, workers_n_s=many, search_index_first_s=with_index,
                  search_index_after_s=build_after)
    return result


def _remove_sqlite(path: Path) -> None:
    """A SQLite file with its WAL, shared-memory and etl lock files, if there."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def workers_pairs(label: str, root: Path, workers: int, pairs: int, work: Path) -> tuple[list[float], list[float]]:
    """First loads with --workers 1 and --workers N, in alternating pairs, without the RSS sampler.

    On a shared 2-core machine the speed of the whole machine drifts by 10-20 % between minutes, more than
    the difference being measured: runs of one pair are back to back, and the order inside a pair alternates
    (N then 1, 1 then N), so that a drift favours neither side. One untimed load comes first: the first run of
    a sitting was the slowest of its sitting in two of three (laws/, 3.9-4.0 s against 3.0-3.4 s), and it would
    always be a --workers N run."""
    db = work / f"{label}-warm-up.db"
    run_etl(root, f"sqlite:///{db}", workers, watch_memory=False)
    _remove_sqlite(db)
    one, many = [], []
    for p in range(pairs):
        timings = {}
        for count in ((workers, 1) if p % 2 == 0 else (1, workers)):
            db = work / f"{label}-pair{p}-w{count}.db"
            timings[count] = run_etl(root, f"sqlite:///{db}", count, watch_memory=False).seconds
            _remove_sqlite(db)
        one.append(timings[1])
        many.append(timings[workers])
        print(f"[{label}] pair {p}: unsampled --workers {workers} {timings[workers]:.2f}s, --workers 1 "
              f"{timings[1]:.2f}s ({timings[1] / timings[workers]:.2f}x)", flush=True)
    return one, many


_FLOOR_TIMES = ("sqlite_raw_s", "sqlite_loader_s", "pg_copy_s", "pg_loader_s", "sqlite_raw_search_s")


def bench_floors(label: str, scale: int, base: Transformed1x, work: Path, transform_s: float, repeat: int,
                 pg: str | None) -> dict:
    """Load floors at one scale: raw sqlite3 executemany, psycopg COPY and the Loader on both."""
    out: dict = {"corpus": label, "scale": scale, "transform_s": transform_s}
    sq, ld, cp, lp, indexed = [], [], [], [], []
    for r in range(repeat):
        path = work / f"floor-{label}-{r}.db"
        _remove_sqlite(path)
        seconds, rows = raw_sqlite_floor(path, base, scale)
        sq.append(seconds)
        out["rows"] = rows
        _remove_sqlite(path)
        indexed.append(raw_sqlite_floor(path, base, scale, search_index=True)[0])
        _remove_sqlite(path)
        seconds, rows = loader_floor(f"sqlite:///{path}", base, scale)
        ld.append(seconds)
        out["loader_rows"] = rows
        _remove_sqlite(path)
        with pg_database(pg, f"bench_copy_{label}_{os.getpid()}") as pg_url:
            if pg_url:
                cp.append(pg_copy_floor(pg_url, base, scale)[0])
        with pg_database(pg, f"bench_loader_{label}_{os.getpid()}") as pg_url:
            if pg_url:
                lp.append(loader_floor(pg_url, base, scale)[0])
        print(f"[{label}] floors run {r}: sqlite3 executemany {sq[-1]:.2f}s, Loader/SQLite {ld[-1]:.2f}s"
              + (f", COPY {cp[-1]:.2f}s, Loader/PostgreSQL {lp[-1]:.2f}s" if cp else ""), flush=True)
    out.update(sqlite_raw_s=sq, sqlite_loader_s=ld, pg_copy_s=cp, pg_loader_s=lp, sqlite_raw_search_s=indexed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,30", help="copies of laws/+news/ to build and measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--pg", default=os.environ.get("ETL_BENCH_PG", PG_DEFAULT),
                        help="PostgreSQL admin URL (databases are created and dropped), or 'none'")
    parser.add_argument("--repeat-large", type=int, default=None,
                        help="runs per measurement at scales above 1 (default: --repeat); 30x takes long")
    parser.add_argument("--pg-scales", default=None,
                        help="scales (or 'laws') measured on PostgreSQL too (default: all)")
    parser.add_argument("--floor-scales", default=None,
                        help="scales whose load floors are measured; others scale the first linearly (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="--workers for etl run")
    parser.add_argument("--workers-compare", default="1",
                        help="scales (or 'laws') at which a --workers 1 run is measured too; '' for none")
    parser.add_argument("--workers-pairs", type=int, default=7,
                        help="alternating --workers 1 / --workers N pairs where they are compared (median reported)")
    parser.add_argument("--no-laws", action="store_true", help="skip the plain laws/ corpus")
    parser.add_argument("--full-floors", action="store_true", help="transform every copy instead of scaling 1x")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "etl-bench",
                        help="where corpora, databases and results go")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite databases")
    parser.add_argument("--pairs-only", action="store_true",
                        help="only the --workers pairs, at the --workers-compare corpora (e.g. 10 for 10x)")
    args = parser.parse_args(argv)
    args.pg = None if args.pg.lower() == "none" else args.pg
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    compare = {s.strip() for s in args.workers_compare.split(",") if s.strip()}
    bytecode = byte_compile()
    if args.pairs_only:
        return pairs_only(args, compare)
    pg_scales = None if args.pg_scales is None else {s.strip() for s in args.pg_scales.split(",") if s.strip()}
    floor_scales = None if args.floor_scales is None else {s.strip() for s in args.floor_scales.split(",") if s.strip()}
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.out / "db"
    work.mkdir(exist_ok=True)

    report: dict = {"machine": {**machine(args.pg), **bytecode}, "args": {k: str(v) for k, v in vars(args).items()},
                    "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "corpora": [], "floors": []}
    print(json.dumps(report["machine"]), flush=True)
    one_x = build_corpus(args.out, 1)
    base = transform_floor(one_x)
    transform_runs = [base.seconds]
    for _ in range(args.repeat - 1):
        transform_runs.append(transform_floor(one_x).seconds)
    t1 = median(transform_runs)
    laws_share = base.seconds_by_part.get("laws", 0.0) / base.seconds
    report["transform"] = {"runs_s": transform_runs, "documents": len(base.items), "failed": base.failed,
                           "metrics": sum(len(r.metrics) for _, _, r in base.items),
                           "pickled_bytes_per_document": base.pickled_bytes / max(len(base.items), 1),
                           "laws_share": laws_share}
    print(f"[1x] transform alone {transform_runs} s; {len(base.items)} documents, "
          f"{report['transform']['metrics']} metrics", flush=True)

    if not args.no_laws:
        pg = args.pg if pg_scales is None or "laws" in pg_scales else None
        report["corpora"].append(bench_corpus("laws", build_laws(args.out), args, work, "laws" in compare,
                                              args.repeat, pg))
        report["corpora"][-1]["transform_s"] = t1 * laws_share
    for scale in scales:
        root = build_corpus(args.out, scale)
        label = f"{scale}x"
        if args.full_floors and scale != 1:
            transform_s = transform_floor(root).seconds
        else:
            transform_s = t1 * scale
        repeat = args.repeat if scale == 1 or args.repeat_large is None else args.repeat_large
        pg = args.pg if pg_scales is None or str(scale) in pg_scales else None
        if floor_scales is None or str(scale) in floor_scales or not report["floors"]:
            report["floors"].append(bench_floors(label, scale, base, work, transform_s, repeat, pg))
        else:  # rows scale linearly with copies: the first measured scale, times the ratio of copies
            first = report["floors"][0]
            factor = scale / first["scale"]
            report["floors"].append({**{k: [v * factor for v in first[k]] for k in _FLOOR_TIMES}, "corpus": label,
                                     "scale": scale, "rows": int(first["rows"] * factor), "transform_s": transform_s,
                                     "extrapolated_from": first["corpus"]})
        report["corpora"].append(bench_corpus(label, root, args, work, str(scale) in compare, repeat, pg))
        report["corpora"][-1]["transform_s"] = transform_s
        _save(report, args.out)
    report["machine"]["loadavg_end"] = os.getloadavg()
    path = _save(report, args.out)
    print(render(report))
    print(f"results: {path}", flush=True)
    return 0


def pairs_only(args, compare: set[str]) -> int:
    """--workers 1 against --workers N on each corpus named, nothing else: the one ratio whose fixed costs
    (start-up, the serial end of a run) weigh differently at each size."""
    work = args.out / "db"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for label in sorted(compare, key=lambda c: (c != "laws", int(c) if c.isdigit() else 0)):
        root = build_laws(args.out) if label == "laws" else build_corpus(args.out, int(label))
        name = label if label == "laws" else f"{label}x"
        one, many = workers_pairs(name, root, args.workers, args.workers_pairs, work)
        pairs = sorted(a / b for a, b in zip(one, many, strict=True))
        rows.append(f"| {name} | {median(one):.2f} | {median(many):.2f} | {median(one) / median(many):.2f} | "
                    f"{pairs[0]:.2f}-{pairs[-1]:.2f} |")
    print(f"| corpus | --workers 1 s | --workers {args.workers} s | ratio of medians | pairs |")
    print("|---|---:|---:|---:|---|")
    print("\n".join(rows))
    return 0


def _save(report: dict, out: Path) -> Path:
    path = out / f"results-{report['started'].replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    return path


# -- report ----------------------------------------------------------------------------------------------

def _m(values: list[float] | None) -> float | None:
    return median(values) if values else None


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


def _rate(values: list[float], rows: int) -> str:
    v = _m(values)
    return "–" if v is None else f"{v:.2f} ({rows / v:,.0f})"


def _ratio_row(name: str, measured: float | None, target: str, ok: bool | None) -> str:
    verdict = "–" if ok is None else ("met" if ok else "**not met**")
    return f"| {name} | {_fmt(measured)} | {target} | {verdict} |"


def render(report: dict) -> str:
    """The Markdown tables bench/README.md quotes."""
    lines = ["| corpus | files | MB | first run SQLite s | files/s | MB/s | first run PostgreSQL s | files/s | MB/s "
             "| no change s | 1% changed s | peak RSS MB (tree) | read+hash s | +regex s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in report["corpora"]:
        mb = c["bytes"] / 1e6
        first, pg = _m(c["first_s"]), _m(c["pg_first_s"])
        lines.append(
            f"| {c['corpus']} | {c['files']} | {mb:.1f} | {_fmt(first)} | {_fmt(c['files'] / first, '.0f')} | "
            f"{_fmt(mb / first)} | {_fmt(pg)} | {_fmt(pg and c['files'] / pg, '.0f')} | {_fmt(pg and mb / pg)} | "
            f"{_fmt(_m(c['nochange_s']))} | {_fmt(_m(c['change1_s']))} | {_fmt(_m(c['peak_rss']) / 2**20, '.0f')} | "
            f"{_fmt(_m(c['read_hash_s']))} | {_fmt(_m(c['read_hash_regex_s']))} |")
    lines += ["", "| corpus | rows | transform alone s | sqlite3 executemany s (rows/s) | Loader on SQLite s (rows/s) "
              "| psycopg COPY s (rows/s) | Loader on PostgreSQL s (rows/s) | sqlite3 executemany with the search index on "
              "s (rows/s) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for f in report["floors"]:
        rows = f["rows"]
        note = f" (×{f['scale']} of {f['extrapolated_from']})" if f.get("extrapolated_from") else ""
        lines.append(f"| {f['corpus']}{note} | {rows:,} | {f['transform_s']:.1f} | {_rate(f['sqlite_raw_s'], rows)} | "
                     f"{_rate(f['sqlite_loader_s'], rows)} | {_rate(f['pg_copy_s'], rows)} | "
                     f"{_rate(f['pg_loader_s'], rows)} | {_rate(f.get('sqlite_raw_search_s', []), rows)} |")
    lines += ["", "| target | measured | target | verdict |", "|---|---:|---|---|"]
    corpora = {c["corpus"]: c for c in report["corpora"]}
    floors = {f["corpus"]: f for f in report["floors"]}
    for label, c in corpora.items():
        f = floors.get(label)
        if f is None:
            continue
        floor_sum = _m(c["read_hash_s"]) + f["transform_s"] + _m(f["sqlite_raw_s"])
        ratio = _m(c["first_s"]) / floor_sum
        lines.append(_ratio_row(f"{label}: first run SQLite / (read+hash + transform + executemany)", ratio, "≤ 2",
                                ratio <= 2))
    if "laws" in corpora:
        c = corpora["laws"]
        ratio = _m(c["first_s"]) / _m(c["read_hash_regex_s"])
        lines.append(_ratio_row("laws: first run SQLite / plain read+hash+regex", ratio, "≤ 10", ratio <= 10))
        ratio = _m(c["nochange_s"]) / _m(c["read_hash_regex_s"])
        lines.append(_ratio_row("laws: no-change re-run / plain read+hash+regex", ratio, "≤ 1.5", ratio <= 1.5))
        if c.get("search_index_first_s"):
            ratio = _m(c["search_index_first_s"]) / _m(c["read_hash_regex_s"])
            lines.append(_ratio_row("laws: first run with the search index on / plain read+hash+regex", ratio,
                                    "(no target: optional)", None))
            ratio = _m(c["search_index_after_s"]) / _m(c["read_hash_regex_s"])
            lines.append(_ratio_row("laws: first run, then `etl search-index enable` / plain read+hash+regex", ratio,
                                    "(no target: optional)", None))
    for label, f in floors.items():
        if f.get("extrapolated_from"):
            continue
        ratio = _m(f["sqlite_raw_s"]) / _m(f["sqlite_loader_s"])
        lines.append(_ratio_row(f"{label}: Loader rows/s / sqlite3 executemany rows/s", ratio, "≥ 0.6", ratio >= 0.6))
        if f["pg_copy_s"] and f["pg_loader_s"]:
            ratio = _m(f["pg_copy_s"]) / _m(f["pg_loader_s"])
            lines.append(_ratio_row(f"{label}: Loader rows/s / psycopg COPY rows/s", ratio, "≥ 0.6", ratio >= 0.6))
    for label, c in corpora.items():
        if c["workers1_s"]:
            many = c.get("workers_n_s") or c["first_s"]
            ratio = _m(c["workers1_s"]) / _m(many)
            spread = ""
            if len(many) == len(c["workers1_s"]) > 1:
                pair_ratios = [a / b for a, b in zip(c["workers1_s"], many, strict=True)]
                spread = f" (medians of {len(many)} pairs; pairs {min(pair_ratios):.2f}-{max(pair_ratios):.2f})"
            lines.append(_ratio_row(f"{label}: --workers 1 time / --workers {c['workers']} time{spread}", ratio,
                                    "≥ 1.6", ratio >= 1.6))
    scaled = [c for c in report["corpora"] if c["corpus"].endswith("x")]
    if scaled:
        big = max(scaled, key=lambda c: c["files"])
        ratio = _m(big["nochange_s"]) / _m(big["first_s"])
        lines.append(_ratio_row(f"{big['corpus']}: no-change re-run / first run", ratio, "≤ 0.05", ratio <= 0.05))
        small = min(scaled, key=lambda c: c["files"])
        if small is not big:
            ratio = _m(big["peak_rss"]) / _m(small["peak_rss"])
            lines.append(_ratio_row(f"peak RSS {big['corpus']} / {small['corpus']}", ratio, "≤ 1.2", ratio <= 1.2))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
