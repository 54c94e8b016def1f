#!/usr/bin/env python3
"""Characters per second of the metrics extractor on ../shared/corpus/laws/, beside JioNLP's extract_money.

Usage: .venv/bin/python bench/metrics_speed.py [--laws PATH] [--jionlp-python PATH] [--jionlp-seconds N]

The body text of every file is read through the real extract stage first (not timed); then
extract_metrics runs over all of it on one core, three times, and the median counts. A second row times the
same text with the regulation early exit switched off, so the master regex and the candidate checks are
measured on every character, not only on the documents that are not laws.

JioNLP is GPL-3, so it is never a project dependency: it lives in its own venv
(python3 -m venv bench/.venv-jioNLP && bench/.venv-jioNLP/bin/pip install jionlp) and runs in a
subprocess on the same texts. It is much slower, so it gets a time budget and its rate is measured over
the documents it finished. The table goes to bench/metrics_speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from etl.extract import extract_document  # noqa: E402
from etl.records import StageError  # noqa: E402
from etl.transform import metrics as metrics_module  # noqa: E402

DEFAULT_LAWS = REPO.parent / "shared" / "corpus" / "laws"
DEFAULT_JIONLP = REPO / "bench" / ".venv-jioNLP" / "bin" / "python"
RESULT = REPO / "bench" / "metrics_speed.md"

JIONLP_RUNNER = r"""
import json, sys, time
import jionlp as jio
texts = json.load(open(sys.argv[1], encoding="utf-8"))
budget = float(sys.argv[2])
rates = []
for _ in range(3):
    chars = found = 0
    start = time.perf_counter()
    for text in texts:
        found += len(jio.ner.extract_money(text))
        chars += len(text)
        if time.perf_counter() - start > budget:
            break
    rates.append((chars / (time.perf_counter() - start), chars, found))
rates.sort()
print(json.dumps({"rate": rates[1][0], "chars": rates[1][1], "found": rates[1][2], "version": jio.__version__}))
"""


def read_bodies(laws: Path) -> list[str]:
    """Body text of every file under laws/, as the pipeline would see it."""
    bodies = []
    for folder, _, names in os.walk(laws):
        for name in sorted(names):
            path = Path(folder) / name
            try:
                bodies.append(extract_document(path.read_bytes(), name).body_text)
            except StageError:
                continue
    return bodies


def time_ours(bodies: list[str], runs: int = 3) -> tuple[float, int]:
    """Median chars/s of extract_metrics over all bodies, and the number of metrics it found."""
    chars = sum(len(body) for body in bodies)
    rates = []
    found = 0
    for _ in range(runs):
        start = time.perf_counter()
        found = sum(len(metrics_module.extract_metrics(body)) for body in bodies)
        rates.append(chars / (time.perf_counter() - start))
    return statistics.median(rates), found


def time_without_regulation_exit(bodies: list[str]) -> tuple[float, int]:
    original = metrics_module.is_regulation
    metrics_module.is_regulation = lambda body_text: False  # type: ignore[assignment]
    try:
        return time_ours(bodies)
    finally:
        metrics_module.is_regulation = original


def time_jionlp(python: Path, bodies: list[str], seconds: float) -> dict | str:
    if not python.exists():
        return f"not installed ({python.relative_to(REPO)} missing)"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(bodies, handle, ensure_ascii=False)
    try:
        done = subprocess.run(
            [str(python), "-c", JIONLP_RUNNER, handle.name, str(seconds)],
            capture_output=True, text=True, timeout=seconds * 3 + 600,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=DEFAULT_LAWS)
    parser.add_argument("--jionlp-python", type=Path, default=DEFAULT_JIONLP)
    parser.add_argument("--jionlp-seconds", type=float, default=60.0)
    args = parser.parse_args()

    bodies = read_bodies(args.laws)
    chars = sum(len(body) for body in bodies)
    ours, ours_found = time_ours(bodies)
    full, full_found = time_without_regulation_exit(bodies)
    jionlp = time_jionlp(args.jionlp_python, bodies, args.jionlp_seconds)

    rows = [
        ("ours: `extract_metrics` (as shipped)", f"{ours:,.0f}", f"all {chars:,}", f"{ours_found:,}"),
        ("ours, regulation early exit off (every character scanned)", f"{full:,.0f}", f"all {chars:,}",
         f"{full_found:,}"),
    ]
    if isinstance(jionlp, dict):
        rows.append((f"JioNLP {jionlp['version']} `jio.ner.extract_money`", f"{jionlp['rate']:,.0f}",
                     f"first {jionlp['chars']:,} (time budget {args.jionlp_seconds:.0f} s)", f"{jionlp['found']:,}"))
    else:
        rows.append(("JioNLP `jio.ner.extract_money`", jionlp, "—", "—"))

    lines = [
        "# Metrics extractor speed",
        "",
        f"Body text of `{args.laws.name}/` ({len(bodies):,} documents, {chars:,} characters) read through the "
        "extract stage first (not timed); one core; median of 3 runs. Written by `bench/metrics_speed.py` on "
        f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {platform.machine()}.",
        "",
        "| extractor | characters per second | text | figures found |",
        "| --- | ---: | --- | ---: |",
        *[f"| {name} | {rate} | {text} | {found} |" for name, rate, text, found in rows],
        "",
        "The shipped extractor returns nothing for a regulation (three or more article headings 第一条 …), "
        "so most of laws/ costs one regex search; the second row switches that exit off to show the cost of "
        "the master regex and the candidate checks on every character. JioNLP finds money only (no counts, "
        "no qualifiers) and runs in its own venv because it is GPL-3.",
        "",
    ]
    RESULT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
