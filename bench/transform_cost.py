#!/usr/bin/env python3
"""CPU seconds of extract + transform over a corpus folder, for two code trees, alternated.

Usage: .venv/bin/python bench/transform_cost.py BEFORE_TREE [--corpus PATH] [--pairs N] [--reps N]

BEFORE_TREE is a folder holding an `etl/` package (e.g. `git archive <commit> etl | tar -x -C /tmp/before`);
the other tree is this checkout. Each side runs in its own process (PYTHONPATH set to its tree), transforms
every file of the corpus `--reps` times and keeps its fastest pass (process CPU time, so a busy machine
counts less than in wall time); the sides alternate `--pairs` times and the medians are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORKER = """
import sys, time
from pathlib import Path
from etl.records import StageError
from etl.transform.document import transform_document
data = [(p.read_bytes(), p.name) for p in sorted(Path(sys.argv[1]).rglob('*')) if p.is_file()]
best, figures = None, 0
for _ in range(int(sys.argv[2])):
    start, figures = time.process_time(), 0
    for raw, name in data:
        try:
            figures += len(transform_document(raw, name).metrics)
        except StageError:
            pass
    elapsed = time.process_time() - start
    best = elapsed if best is None else min(best, elapsed)
print(len(data), figures, best)
"""


def run(tree: Path, corpus: Path, reps: int) -> tuple[int, int, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, "-c", WORKER, str(corpus), str(reps)], env=env, cwd="/",
                         capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), int(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.pairs):
        for side, tree in (("before", args.before), ("after", REPO)):
            files, figures, seconds = run(tree, args.corpus, args.reps)
            times[side].append(seconds)
            print(f"{side:6} {files} files {figures} figures {seconds:.3f} s", flush=True)
    before, after = (statistics.median(times[s]) for s in ("before", "after"))
    print(f"median before {before:.3f} s, after {after:.3f} s ({(after / before - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
