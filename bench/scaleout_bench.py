#!/usr/bin/env python3
"""Scale-out figures on PostgreSQL: documents/s of `etl run` with the Dask executor beside the local one,
and COPY loading rows/s beside raw psycopg COPY of the same rows (goal: >= 60%).

Usage: .venv/bin/python bench/scaleout_bench.py [--scale 30] [--repeat 3] [--workers 2] [--parts e2e,copy]
       [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--out bench/scaleout.md]

The corpus is `--scale` copies of ../shared/corpus/laws/ plus news/, each copy perturbed (a line naming the
copy is appended) so every file hash differs, built as bench/run_bench.py builds it, once, and reused. Each end-to-end run
loads it into a fresh PostgreSQL database with `etl run` in a subprocess, as a user would; the figure is
new documents / wall-clock seconds (LocalCluster start-up included), median of --repeat runs.

The COPY rows are real: metric and agency-link rows the transform makes from news/ and a slice of laws/,
shaped as the loader shapes them (dicts), repeated to --copy-rows. Timed, median of --repeat, each in one
transaction on a freshly truncated table, in loader-sized chunks:
- raw psycopg COPY of ready-made tuples (the floor: no SQLAlchemy, no dicts);
- etl.load.bulk.bulk_insert, the loader's path (dicts -> COPY in the batch's transaction);
- a staging temp table + one INSERT ... SELECT (what conflict handling would cost);
- SQLAlchemy Core executemany (the path before COPY);
and for documents (which need their ids back): executemany ... RETURNING (the loader before a1e43d6) vs
etl.load.bulk.insert_with_ids (ids taken from the sequence with one query, then COPY: the loader now).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from operator import itemgetter
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from etl.load import migrate  # noqa: E402
from etl.load.bulk import bulk_insert  # noqa: E402
from etl.load.runs import start_run, sync_vocabulary  # noqa: E402
from etl.load.schema import agencies, document_agencies, documents, metrics  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RESULT = REPO / "bench" / "scaleout.md"
CHUNK = 4096  # rows per COPY / executemany call: a loader batch of 256 documents makes a few thousand


# -- corpus ----------------------------------------------------------------------------------------------

@cache
def run_bench() -> ModuleType:
    """bench/run_bench.py, the performance benchmark: its corpora and database helpers are reused here so
    both tables measure the same copies the same way."""
    spec = importlib.util.spec_from_file_location("run_bench", REPO / "bench" / "run_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_bench"] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def build_corpus(scale: int, root: Path) -> Path:
    """scale perturbed copies of laws/ + news/ (every hash differs), built once and reused."""
    return run_bench().build_corpus(root, scale)


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    with run_bench().pg_database(admin_url, f"etl_scaleout_bench_{uuid.uuid4().hex[:10]}") as url:
        yield url


def etl_run(corpus: Path, url: str, executor: str, workers: int) -> tuple[float, dict]:
    etl = Path(sys.executable).with_name("etl")
    started = time.perf_counter()
    done = subprocess.run([str(etl), "run", str(corpus), "--db", url, "--executor", executor, "--workers",
                           str(workers), "--json", "--quiet"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):
        raise RuntimeError(f"etl run failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def bench_e2e(corpus: Path, admin_url: str, workers: int, repeat: int,
              executors: tuple[str, ...] = ("local", "dask")) -> list[dict]:
    rows = []
    for executor in executors:
        times, summary = [], {}
        for _ in range(repeat):
            with fresh_database(admin_url) as url:
                seconds, summary = etl_run(corpus, url, executor, workers)
            times.append(seconds)
            print(f"  {executor}: {seconds:.1f} s, {summary['files_new']} documents", flush=True)
        median = statistics.median(times)
        rows.append({"executor": executor, "documents": summary["files_new"], "metrics": summary["metrics"],
                     "seconds": median, "docs_per_s": summary["files_new"] / median, "runs": len(times)})
    return rows


def bench_load_share(corpus: Path, admin_url: str, workers: int) -> dict:
    """How much of a local run the single writer is busy (Loader.write timed in-process): the case for or
    against writing from the workers in parallel."""
    from etl.load.loader import Loader
    from etl.pipeline import RunOptions, run

    original = Loader.write
    spent = [0.0]

    def timed_write(self, outcomes):
        started = time.perf_counter()
        try:
            return original(self, outcomes)
        finally:
            spent[0] += time.perf_counter() - started

    Loader.write = timed_write  # type: ignore[method-assign]
    try:
        with fresh_database(admin_url) as url:
            started = time.perf_counter()
            summary = run([str(corpus)], url, RunOptions(workers=workers))
            total = time.perf_counter() - started
    finally:
        Loader.write = original  # type: ignore[method-assign]
    print(f"  loader busy {spent[0]:.1f} s of {total:.1f} s", flush=True)
    return {"seconds": total, "load_seconds": spent[0], "documents": summary.files_new,
            "metrics": summary.metrics_written}


# -- COPY ------------------------------------------------------------------------------------------------

def real_rows(limit_files: int = 150) -> tuple[list[dict], list[dict], list[dict], list[tuple[str, ...]]]:
    """Metric, agency-link and document rows from real transforms, and the agencies they point at."""
    from etl.transform import transform_document

    files = sorted((CORPUS / "news").rglob("*.md")) + sorted((CORPUS / "laws").rglob("*.md"))[:limit_files]
    metric_rows: list[dict] = []
    link_rows: list[dict] = []
    doc_rows: list[dict] = []
    agency_names: dict[str, tuple[str, ...]] = {}
    for doc_index, path in enumerate(files):
        try:
            record = transform_document(path.read_bytes(), path.name)
        except Exception:  # a file the transform rejects is simply not part of the sample
            continue
        ex = record.extracted
        doc_rows.append({
            "file_path": str(path), "source_path": path.name, "content_sha256": record.content_sha256,
            "size_bytes": record.size_bytes, "file_mtime_ns": 1, "format": ex.format, "encoding": ex.encoding,
            "title": ex.title, "published_at": ex.published_at, "published_offset": ex.published_offset,
            "published_on": ex.published_on, "doc_number": ex.doc_number, "index_number": ex.index_number,
            "source_id": None, "original_source_id": None, "editor": ex.editor, "authors": None,
            "categories": None, "tags": None, "url": ex.url, "body_text": ex.body_text, "on_topic": record.on_topic,
            "simhash": record.simhash, "extractor_version": record.extractor_version, "status": "active",
            "removed_at": None,
        })
        for m in record.metrics:
            metric_rows.append({
                "document_id": doc_index, "agency_id": m.agency_name, "indicator": m.indicator,
                "value": m.value, "value_max": m.value_max, "unit": m.unit, "qualifier": m.qualifier,
                "raw_text": m.raw_text, "sentence": m.sentence, "char_start": m.char_start, "char_end": m.char_end,
                "period_start": m.period_start, "period_end": m.period_end, "cumulative": m.cumulative,
                "on_topic": m.on_topic,
            })
        for a in record.agencies:
            agency_names[a.name] = (a.name, a.level, a.region, a.region_code)
            link_rows.append({"document_id": doc_index, "agency_id": a.name, "role": a.role,
                              "mention_count": a.mention_count, "aliases": "; ".join(a.aliases) or None})
    return metric_rows, link_rows, doc_rows, list(agency_names.values())


def _interleaved(engine: Engine, methods: dict[str, Callable[[object], None]], clear: Callable[[object], None],
                 repeat: int) -> dict[str, float]:
    """Median seconds of each method, each run in one transaction after clear; the methods take turns in
    every round, so a change of load on a shared machine touches them all alike."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(repeat):
        for name, write in methods.items():
            with engine.begin() as conn:
                clear(conn)
            with engine.begin() as conn:
                started = time.perf_counter()
                write(conn)
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(spans) for name, spans in times.items()}


def _chunks(rows: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def bench_copy(admin_url: str, target_rows: int, repeat: int) -> list[dict]:
    metric_rows, link_rows, doc_rows, agency_rows = real_rows()
    if not metric_rows:
        raise RuntimeError("the transform made no metric rows from the sample")
    out: list[dict] = []
    with fresh_database(admin_url) as url:
        engine = create_engine(url)
        migrate.upgrade(engine)
        sync_vocabulary(engine)
        run_id = start_run(engine, ["bench"], "bench")
        docs_needed = max(1, len(doc_rows))
        with engine.begin() as conn:
            doc_ids = conn.execute(insert(documents).returning(documents.c.id, sort_by_parameter_order=True),
                                   [{**d, "file_path": f"{d['file_path']}#{i}", "run_id": run_id,
                                     "first_run_id": run_id} for i, d in enumerate(doc_rows)]).scalars().all()
            agency_ids = dict(zip([a[0] for a in agency_rows], conn.execute(
                insert(agencies).returning(agencies.c.id, sort_by_parameter_order=True),
                [{"name": n, "level": lv, "region": r, "region_code": c, "run_id": run_id}
                 for n, lv, r, c in agency_rows]).scalars().all(), strict=True)) if agency_rows else {}
            codes = set(conn.execute(text("SELECT code FROM indicators")).scalars())

        def shaped_metrics() -> list[dict]:
            rows = []
            for i in range(target_rows):
                m = metric_rows[i % len(metric_rows)]
                rows.append({**m, "document_id": doc_ids[(m["document_id"] + i // len(metric_rows)) % docs_needed],
                             "agency_id": agency_ids.get(m["agency_id"]) if m["agency_id"] else None,
                             "indicator": m["indicator"] if m["indicator"] in codes else None, "run_id": run_id})
            return rows

        def shaped_links() -> list[dict]:
            rows, seen = [], set()
            for doc_id in doc_ids:
                for link in link_rows:
                    key = (doc_id, agency_ids[link["agency_id"]], link["role"])
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append({**link, "document_id": doc_id, "agency_id": key[1], "run_id": run_id})
                    if len(rows) >= target_rows:
                        return rows
            return rows

        for table, rows in ((metrics, shaped_metrics()), (document_agencies, shaped_links())):
            if not rows:
                continue
            names = list(rows[0])
            getter = itemgetter(*names)
            tuples = [getter(r) for r in rows]  # the floor gets its tuples ready-made, untimed
            cols = ", ".join(names)

            def raw_copy(conn, tuples=tuples, cols=cols, table=table) -> None:
                with conn.connection.driver_connection.cursor() as cur:
                    for part in _chunks(tuples):
                        with cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
                            for values in part:
                                copy.write_row(values)

            def ours(conn, rows=rows, table=table) -> None:
                for part in _chunks(rows):
                    bulk_insert(conn, table, part)

            def staged(conn, tuples=tuples, cols=cols, table=table) -> None:
                with conn.connection.driver_connection.cursor() as cur:
                    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS stage_{table.name} "
                                f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
                    for part in _chunks(tuples):
                        with cur.copy(f"COPY stage_{table.name} ({cols}) FROM STDIN") as copy:
                            for values in part:
                                copy.write_row(values)
                        sql = f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM stage_{table.name}"  # noqa: S608
                        cur.execute(sql + " ON CONFLICT DO NOTHING")  # names come from our schema, not input
                        cur.execute(f"TRUNCATE stage_{table.name}")

            def executemany(conn, rows=rows, table=table) -> None:
                for part in _chunks(rows):
                    conn.execute(table.insert(), part)

            methods = {"raw psycopg COPY (floor)": raw_copy, "bulk_insert: COPY from loader dicts": ours,
                       "COPY to staging + INSERT … SELECT": staged, "SQLAlchemy Core executemany": executemany}
            seconds = _interleaved(engine, methods, lambda conn, t=table.name: conn.execute(text(f"TRUNCATE {t}")),
                                   repeat)
            floor = seconds["raw psycopg COPY (floor)"]
            for method, spent in seconds.items():
                out.append({"table": table.name, "method": method, "rows": len(rows), "seconds": spent,
                            "rows_per_s": len(rows) / spent, "of_floor": floor / spent})
                print(f"  {table.name} {method}: {len(rows) / spent:,.0f} rows/s", flush=True)

        out.extend(bench_documents(engine, doc_rows, run_id, repeat))
        engine.dispose()
    return out


def bench_documents(engine: Engine, doc_rows: list[dict], run_id: int, repeat: int) -> list[dict]:
    """Documents need ids back: executemany RETURNING (the old way) vs the loader's ids drawn first, then COPY."""
    times = max(1, 4000 // max(1, len(doc_rows)))
    rows = [{**d, "file_path": f"{d['file_path']}#bench{k}", "run_id": run_id, "first_run_id": run_id}
            for k in range(times) for d in doc_rows]
    out = []

    def clear(conn) -> None:
        conn.execute(text("DELETE FROM documents WHERE file_path LIKE '%#bench%'"))

    def returning(conn) -> None:
        for part in _chunks(rows, 256):
            conn.execute(insert(documents).returning(documents.c.id, sort_by_parameter_order=True),
                         part).scalars().all()

    def copy_with_ids(conn) -> None:
        from etl.load.bulk import insert_with_ids

        for part in _chunks(rows, 256):
            insert_with_ids(conn, documents, part)

    methods = {"executemany … RETURNING (the loader before a1e43d6)": returning,
               "insert_with_ids: ids from the sequence, then COPY (the loader)": copy_with_ids}
    with engine.connect() as conn:
        trigger = conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'documents'::regclass "
                                    "AND tgname = 'fts_documents_sync'")).scalar()
    if trigger:  # the reporting migration's full-text sync: what it costs, measured by switching it off

        def without_fts(conn) -> None:
            conn.execute(text("ALTER TABLE documents DISABLE TRIGGER fts_documents_sync"))
            returning(conn)
            conn.execute(text("ALTER TABLE documents ENABLE TRIGGER fts_documents_sync"))

        methods["executemany … RETURNING, fts_documents trigger off"] = without_fts
    seconds = _interleaved(engine, methods, clear, repeat)
    for method, spent in seconds.items():
        out.append({"table": "documents", "method": method, "rows": len(rows), "seconds": spent,
                    "rows_per_s": len(rows) / spent, "of_floor": None})
        print(f"  documents {method}: {len(rows) / spent:,.0f} rows/s", flush=True)
    return out


# -- report ----------------------------------------------------------------------------------------------

def load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} cores"


def write_report(path: Path, args: argparse.Namespace, e2e: list[dict], copy: list[dict], share: dict | None,
                 before: str, after: str, corpus_files: int) -> None:
    lines = ["# Scale-out figures (Dask executor, COPY loading) on PostgreSQL", "",
             f"Made by `bench/scaleout_bench.py --scale {args.scale} --repeat {args.repeat} --workers {args.workers}`"
             f" on {platform.node()} ({platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, {platform.platform()}).",
             f"Load before: {before}; after: {after}.", ""]
    if e2e:
        lines += [f"## End to end: `etl run` into a fresh PostgreSQL database, {corpus_files:,} files "
                  f"({args.corpus or f'{args.scale}× laws/ + news/, perturbed copies'}), --workers {args.workers}", "",
                  "| executor | documents | metrics | seconds (median) | documents/s | vs local |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        local = next((r for r in e2e if r["executor"] == "local"), None)  # absent with --executors dask
        for r in e2e:
            versus = f"{r['docs_per_s'] / local['docs_per_s']:.2f}×" if local else "–"
            lines.append(f"| {r['executor']} | {r['documents']:,} | {r['metrics']:,} | {r['seconds']:.1f} | "
                         f"{r['docs_per_s']:.1f} | {versus} |")
        lines.append("")
    if share:
        lines += [f"The single writer (Loader.write, timed in one local run of the same corpus) was busy "
                  f"{share['load_seconds']:.1f} s of {share['seconds']:.1f} s "
                  f"({share['load_seconds'] / share['seconds']:.0%}) for {share['documents']:,} documents and "
                  f"{share['metrics']:,} metric rows.", ""]
    if copy:
        lines += ["## Loading rows into PostgreSQL, one transaction, chunks of "
                  f"{CHUNK:,} rows (documents: 256, a load batch)", "",
                  "| table | method | rows | rows/s (median) | share of raw COPY |",
                  "| --- | --- | ---: | ---: | ---: |"]
        for r in copy:
            share = f"{r['of_floor']:.0%}" if r["of_floor"] is not None else "—"
            lines.append(f"| {r['table']} | {r['method']} | {r['rows']:,} | {r['rows_per_s']:,.0f} | {share} |")
        lines.append("")
    if args.note:
        lines += ["## Notes", "", *(part for note in args.note for part in (note, ""))]
    path.write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--parts", default="e2e,copy,share")
    parser.add_argument("--executors", default="local,dask",
                        help="executors measured end to end, in this order (30x runs are long: one at a time)")
    parser.add_argument("--copy-rows", type=int, default=200_000)
    parser.add_argument("--pg", default=os.environ.get("ETL_TEST_POSTGRES_URL", PG_DEFAULT))
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "etl-bench",
                        help="where the corpora are built (bench/run_bench.py's default: they are shared)")
    parser.add_argument("--corpus", type=Path, help="measure this folder instead of building --scale copies")
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--note", action="append", default=[], help="a paragraph for the report's notes")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    before = load_note()
    e2e: list[dict] = []
    copy: list[dict] = []
    share: dict | None = None
    files = 0
    if "copy" in parts:
        print("COPY loading", flush=True)
        copy = bench_copy(args.pg, args.copy_rows, args.repeat)
    if "e2e" in parts:
        corpus = args.corpus or build_corpus(args.scale, args.work)
        files = sum(1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))
        print(f"end to end on {corpus} ({files} files)", flush=True)
        e2e = bench_e2e(corpus, args.pg, args.workers, args.repeat, tuple(args.executors.split(",")))
    if "share" in parts:
        corpus = args.corpus or build_corpus(args.scale, args.work)
        print(f"load share on {corpus}", flush=True)
        share = bench_load_share(corpus, args.pg, args.workers)
    write_report(args.out, args, e2e, copy, share, before, load_note(), files)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
