#!/usr/bin/env python3
"""A/B: the first load of one corpus by two installed `etl` commands, interleaved, on fresh SQLite databases.

Usage: python bench/ab_first_run.py --a PATH/TO/etl --b PATH/TO/etl [--corpus DIR] [--pairs N] [--workers N]

Why interleaved: on a shared machine the load drifts over minutes; alternating A and B (ABBA order, so neither
always runs first) puts both under the same drift, and the ratio of medians is what an issue's "within N%" means.
Reports wall time and the CPU time of the whole process tree (user + sys of the `etl` process and its pool
workers, from os.wait4), the second being the steadier of the two when other work shares the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "laws"


def one_run(etl: str, corpus: Path, workers: int, scratch: Path) -> tuple[float, float]:
    """Wall and CPU seconds (process tree) of one first load into a new database."""
    db = scratch / "ab.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    proc = subprocess.Popen([etl, "run", str(corpus), "--db", f"sqlite:///{db}", "-q", "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):  # 3: the run finished and some files were recorded as failed
        raise SystemExit(f"{etl} exited {proc.returncode}: {proc.stderr.read().decode(errors='replace')[-400:]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="the baseline etl command")
    parser.add_argument("--b", required=True, help="the changed etl command")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the single runs as JSON too")
    args = parser.parse_args(argv)
    for etl in (args.a, args.b):
        if shutil.which(etl) is None:
            parser.error(f"no such command: {etl}")
    runs: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    with tempfile.TemporaryDirectory(prefix="etl-ab-") as tmp:
        scratch = Path(tmp)
        one_run(args.a, args.corpus, args.workers, scratch)  # warm the page cache; not counted
        for pair in range(args.pairs):
            order = ("a", "b") if pair % 2 == 0 else ("b", "a")
            for side in order:
                runs[side].append(one_run(getattr(args, side), args.corpus, args.workers, scratch))
    med = {side: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for side, r in runs.items()}
    print(f"corpus {args.corpus} ({sum(1 for p in args.corpus.rglob('*') if p.is_file())} files), "
          f"--workers {args.workers}, {args.pairs} pairs (ABBA)")
    print("| side | wall median s | CPU median s (tree) |")
    print("|---|---:|---:|")
    for side in ("a", "b"):
        print(f"| {side} | {med[side][0]:.2f} | {med[side][1]:.2f} |")
    print(f"B/A: wall {med['b'][0] / med['a'][0]:.3f}, CPU {med['b'][1] / med['a'][1]:.3f}")
    if args.json:
        json.dump(runs, sys.stdout)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
