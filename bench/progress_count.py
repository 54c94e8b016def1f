#!/usr/bin/env python3
"""What the progress bar's total costs: `etl run` on a terminal counts the files first
(etl.pipeline.count_documents, names and entry types only) before the run walks them with a stat each.

Usage: .venv/bin/python bench/progress_count.py [--repeat N] [PATH ...]   (default: ../shared/corpus/laws)

Prints, per path, the median of N warm-cache timings of the count and of the run's own walk
(etl.extract.files.walk, consumed to the end), and whether the count equals the walk's files.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl.extract.files import walk  # noqa: E402
from etl.pipeline import count_documents  # noqa: E402
from etl.records import FileRef  # noqa: E402


def _median_ms(action, repeat: int) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(REPO.parent / "shared" / "corpus" / "laws")])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    print("| folder | files the walk finds | count | count ms (median) | walk ms (median) |")
    print("|---|---:|---:|---:|---:|")
    for path in args.paths:
        count_ms, counted = _median_ms(lambda p=path: count_documents([p]), args.repeat)
        walk_ms, walked = _median_ms(lambda p=path: sum(isinstance(i, FileRef) for i in walk([p])), args.repeat)
        print(f"| {Path(path).name}/ | {walked} | {counted} | {count_ms:.1f} | {walk_ms:.1f} |")


if __name__ == "__main__":
    main()
