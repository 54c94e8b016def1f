"""How far the transform alone scales on this machine: laws/ through process_batch inline, then through a
fork pool of 1 and 2 workers (no database, no writer), median of N runs each.

It bounds what `etl run --workers 2` can reach: whatever the pipeline does around it, a pool pays for moving
each result to the parent (unpickling ~60 MB of text there) and its workers run a little slower side by side.

    .venv/bin/python bench/pool_scaling.py [--repeat 3] [--corpus ../shared/corpus/laws]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from etl.executor import _load_transform
from etl.extract.files import FileRef
from etl.work import Task, process_batch

BATCH = 16  # files per batch, as etl run sends them


def batches(root: Path) -> list[list[Task]]:
    tasks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = path.stat()
        tasks.append(Task(FileRef(str(path), str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns), None, None,
                          False))
    return [tasks[i:i + BATCH] for i in range(0, len(tasks), BATCH)]


def inline(work: list[list[Task]]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    for batch in work:
        process_batch(batch, None)
    return time.perf_counter() - started, time.process_time() - cpu


def pooled(work: list[list[Task]], workers: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds of parent + workers."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for future in [pool.submit(process_batch, batch, None) for batch in work]:
            future.result()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    children = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return time.perf_counter() - started, time.process_time() - cpu + children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/laws")
    args = parser.parse_args()
    work = batches(args.corpus)
    _load_transform()  # loaded before the forks, as etl run does
    rows = {"inline": [], "pool of 1": [], "pool of 2": []}
    for _ in range(args.repeat):
        rows["inline"].append(inline(work))
        rows["pool of 1"].append(pooled(work, 1))
        rows["pool of 2"].append(pooled(work, 2))
    base = statistics.median(w for w, _ in rows["inline"])
    print(f"{sum(map(len, work))} files, {len(work)} batches of {BATCH}, median of {args.repeat}")
    print("| how | wall s | CPU s (parent + workers) | speedup over inline |")
    print("|---|---:|---:|---:|")
    for name, runs in rows.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {base / wall:.2f} |")


if __name__ == "__main__":
    main()
