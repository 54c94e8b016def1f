"""How far the transform alone scales on this machine: laws/ through process_batch inline, then through a
fork pool of 1 and 2 workers (no database, no writer), median of N runs each.

It bounds what `etl run --workers 2` can reach: whatever the pipeline does around it, a pool pays for moving
each result to the parent (unpickling ~60 MB of text there). A last row measures the machine itself: two
processes each transforming the whole corpus at once, against one alone; two cores that share caches, memory
bandwidth or a host with other tenants do less than twice the work of one, and no executor can beat that.

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
from etl.records import FileRef, Task
from etl.work import process_batch

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


def _whole(work: list[list[Task]]) -> float:
    """inline() in a pool worker: its wall seconds."""
    return inline(work)[0]


def side_by_side(work: list[list[Task]], copies: int) -> tuple[float, float]:
    """`copies` processes each transform all of work at once, nothing passed back: wall and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with ProcessPoolExecutor(copies, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_whole, [work] * copies))  # forked: the pool's pickled argument is small next to the work
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - started, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared/corpus/laws")
    args = parser.parse_args()
    work = batches(args.corpus)
    _load_transform()  # loaded before the forks, as etl run does
    rows = {"inline": [], "pool of 1": [], "pool of 2": []}
    alone, together = [], []
    for _ in range(args.repeat):
        rows["inline"].append(inline(work))
        rows["pool of 1"].append(pooled(work, 1))
        rows["pool of 2"].append(pooled(work, 2))
        alone.append(side_by_side(work, 1))
        together.append(side_by_side(work, 2))
    base = statistics.median(w for w, _ in rows["inline"])
    print(f"{sum(map(len, work))} files, {len(work)} batches of {BATCH}, median of {args.repeat}")
    print("| how | wall s | CPU s (parent + workers) | speedup over inline |")
    print("|---|---:|---:|---:|")
    for name, runs in rows.items():
        wall, cpu = statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {base / wall:.2f} |")
    one, two = statistics.median(w for w, _ in alone), statistics.median(w for w, _ in together)
    print(f"\nThe machine: one process transforming everything {one:.2f} s; two at once {two:.2f} s, so two cores "
          f"do {2 * one / two:.2f}x the work of one")


if __name__ == "__main__":
    main()
