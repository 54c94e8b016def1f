"""Two checkouts, A and B, timed against each other in alternating order: a first `etl run` of a corpus into a
fresh SQLite file, and `etl --help` start-up. On a shared machine the speed drifts between minutes by more than
a refactor changes it; pairs that alternate (A then B, B then A) keep the drift out of the ratio.

    python3 bench/ab_checkouts.py /path/to/checkout-A /path/to/checkout-B --rounds 8 --helps 20

Each checkout needs its own `.venv` (`make install`, which byte-compiles the package: with
PYTHONDONTWRITEBYTECODE set a changed module would otherwise be compiled again on every start).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "laws"


def _run(root: str, corpus: str, db: str) -> float:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(db + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([f"{root}/.venv/bin/etl", "run", corpus, "--db", db, "-q"], check=True,
                   stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def _help(root: str) -> float:
    started = time.perf_counter()
    subprocess.run([f"{root}/.venv/bin/etl", "--help"], check=True, stdout=subprocess.DEVNULL,
                   cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--corpus", default=str(CORPUS))
    parser.add_argument("--rounds", type=int, default=2, help="first runs of each checkout")
    parser.add_argument("--helps", type=int, default=10, help="`etl --help` pairs after each round")
    parser.add_argument("--out", default=None, help="write every timing to this JSON file")
    args = parser.parse_args()
    roots = {"A": args.a, "B": args.b}
    db = {tag: os.path.join(tempfile.gettempdir(), f"ab_checkouts_{tag}.db") for tag in roots}
    for tag, root in roots.items():  # untimed: the first run of a sitting is often its slowest
        _run(root, args.corpus, db[tag])
        _help(root)
    times: dict[str, list[float]] = {"A_run": [], "B_run": [], "A_help": [], "B_help": []}
    for round_ in range(args.rounds):
        order = ["A", "B"] if round_ % 2 == 0 else ["B", "A"]
        for tag in order:
            times[f"{tag}_run"].append(_run(roots[tag], args.corpus, db[tag]))
        for i in range(args.helps):
            for tag in order if i % 2 == 0 else order[::-1]:
                times[f"{tag}_help"].append(_help(roots[tag]))
    for what in ("run", "help"):
        a, b = statistics.median(times[f"A_{what}"]), statistics.median(times[f"B_{what}"])
        print(f"{what:5} A {a:.3f} s  B {b:.3f} s  B/A {b / a:.3f}  (n={len(times[f'A_{what}'])} each)")
    if args.out:
        Path(args.out).write_text(json.dumps(times), encoding="utf-8")


if __name__ == "__main__":
    main()
