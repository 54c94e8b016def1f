"""A/B: the start-up of two installed `etl` commands (`etl --help`), interleaved: what every command pays before
it does anything. (The first load of a corpus: bench/ab_first_run.py.)

    python3 bench/ab_startup.py --a PATH/TO/etl --b PATH/TO/etl --pairs 100

Each `etl` must come from a byte-compiled install (`make install`): with PYTHONDONTWRITEBYTECODE set, a module
whose bytecode is stale is compiled again on every start, which is not what users run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time


def one_start(etl: str, args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([etl, *args], check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", required=True, help="the first etl executable")
    parser.add_argument("--b", required=True, help="the second etl executable")
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--command", default="--help", help="what to start (default: --help)")
    args = parser.parse_args()
    words = args.command.split()
    for etl in (args.a, args.b):  # untimed: the first start of a sitting reads everything from disk
        one_start(etl, words)
    times: dict[str, list[float]] = {"a": [], "b": []}
    for i in range(args.pairs):
        for side in ("a", "b") if i % 2 == 0 else ("b", "a"):  # ABBA: neither always runs first
            times[side].append(one_start(getattr(args, side), words))
    a, b = statistics.median(times["a"]), statistics.median(times["b"])
    print(f"etl {args.command}: A {a * 1000:.1f} ms  B {b * 1000:.1f} ms  B/A {b / a:.3f}  ({args.pairs} pairs)")


if __name__ == "__main__":
    main()
