#!/usr/bin/env python3
"""Score an installed `etl` on a folder of saved web pages against hand labels, overall and by script.

Usage: python bench/devset.py --pages DIR --gold FILE.json [--etl PATH] [--score PATH] [--db FILE] [--json] [-v]

Loads DIR into a fresh SQLite database with `etl run` (a real subprocess of the given command, so any worktree's
installed extractor can be measured), runs ../shared/tools/score.py on it for all pages and separately for the
simplified and the traditional ones (the gold's "script" field), and counts page metadata over the pages that
print it (the gold's "prints" field): date (published_on, and published_at where the page gives a time), outlet
(source) and headline (title). The pages stay outside the repository; the gold is tests/data/devset/*.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCORE = REPO.parent / "shared" / "tools" / "score.py"
SCRIPTS = ("simplified", "traditional")

# what score.py prints (its last lines), read back into numbers
SCORE_LINES = {
    "metrics": re.compile(r"metrics\s+P=([\d.]+) R=([\d.]+) F1=([\d.]+) \(tp=(\d+) fp=(\d+) fn=(\d+)\)"),
    "matched": re.compile(r"of matched metrics: qualifier (\d+)/(\d+); indicator (\d+)/(\d+); on_topic (\d+)/(\d+)"),
    "on_topic": re.compile(r"of matched on-topic metrics: agency (\d+)/(\d+); period (\d+)/(\d+); cumulative (\d+)/(\d+)"),
    "agencies": re.compile(r"agencies P=([\d.]+) R=([\d.]+) F1=([\d.]+)"),
}


def find_etl(given: str | None) -> str:
    """The `etl` command to measure: as given, else the one on PATH, else this worktree's .venv."""
    for candidate in (given, shutil.which("etl"), str(REPO / ".venv" / "bin" / "etl")):
        if candidate and Path(candidate).exists():
            return candidate
    sys.exit("devset: no etl command found (give --etl PATH)")


def fresh_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def load(etl: str, pages: Path, db: Path) -> None:
    done = subprocess.run([etl, "run", str(pages), "--db", f"sqlite:///{db}", "-q"], capture_output=True, text=True)
    if done.returncode not in (0, 3):  # 3: the run completed but some files failed, which the scores show
        sys.exit(f"devset: etl run failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-400:]}")


def score(score_py: Path, db: Path, docs: list[dict], verbose: bool) -> dict:
    """score.py's figures for these documents, parsed from its output."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"documents": docs}, handle, ensure_ascii=False)
    try:
        done = subprocess.run([sys.executable, str(score_py), "--db", str(db), "--gold", handle.name,
                               *(["-v"] if verbose else [])], capture_output=True, text=True)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        sys.exit(f"devset: score.py failed: {done.stderr.strip()}")
    found = {key: pattern.search(done.stdout) for key, pattern in SCORE_LINES.items()}
    if not (found["metrics"] and found["matched"] and found["agencies"]):
        sys.exit("devset: could not read score.py's output:\n" + done.stdout[-600:])
    p, r, f1, tp, fp, fn = found["metrics"].groups()
    q_ok, q_n, i_ok, i_n, o_ok, o_n = map(int, found["matched"].groups())
    result = {"pages": len(docs), "metrics_p": float(p), "metrics_r": float(r), "metrics_f1": float(f1),
              "tp": int(tp), "fp": int(fp), "fn": int(fn), "indicator": [i_ok, i_n], "on_topic": [o_ok, o_n],
              "qualifier": [q_ok, q_n], "agencies_f1": float(found["agencies"].group(3))}
    if found["on_topic"]:
        ag_ok, ag_n, p_ok, p_n, c_ok, c_n = map(int, found["on_topic"].groups())
        result.update(agency=[ag_ok, ag_n], period=[p_ok, p_n], cumulative=[c_ok, c_n])
    if verbose:
        result["lines"] = done.stdout.splitlines()[:-6]
    return result


def utc_minute(text) -> str | None:
    if text in (None, ""):
        return None
    moment = datetime.fromisoformat(str(text).strip().replace(" ", "T").replace("Z", "+00:00"))
    if moment.tzinfo is None:  # SQLite keeps UTC as naive text
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def script(doc: dict) -> str:
    return doc.get("script", "simplified")  # gold files without the field (the seeds) are simplified


def printed(doc: dict) -> list[str]:
    """What the page prints: the gold's "prints", else every field the gold gives a value."""
    given = {"date": doc["published_on"], "source": doc["source"], "title": doc["title"]}
    return doc["prints"] if "prints" in doc else [field for field, value in given.items() if value]


def metadata(db: Path, docs: list[dict]) -> dict:
    """Right dates, outlets and headlines, each over the pages that print one."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = {os.path.basename(path or ""): rest for path, *rest in con.execute(
        "SELECT d.source_path, d.title, d.published_at, d.published_on, s.name "
        "FROM documents d LEFT JOIN sources s ON s.id = d.source_id")}
    con.close()
    counts = {"date": [0, 0], "source": [0, 0], "title": [0, 0]}
    misses = []
    for doc in docs:
        title, published_at, published_on, source = rows.get(doc["file"], (None, None, None, None))
        checks = {
            "date": (str(published_on)[:10] if published_on else None) == doc["published_on"]
            and utc_minute(published_at) == utc_minute(doc["published_at"]),
            "source": (source or "") in {doc["source"] or "", *doc.get("source_alternatives", [])},
            "title": (title or "").strip() in {doc["title"] or "", *doc.get("title_alternatives", [])},
        }
        got = {"date": (published_on, published_at), "source": source, "title": title}
        for field in printed(doc):
            counts[field][1] += 1
            counts[field][0] += checks[field]
            if not checks[field]:
                misses.append(f"{doc['file']}: {field} {got[field]!r}")
    return {"counts": counts, "misses": misses}


def ratio(pair) -> str:
    return f"{pair[0]}/{pair[1]}" if pair and pair[1] else "—"


def table(results: dict) -> str:
    head = ("| pages | n | metrics P | R | F1 | indicator | agency | period | cumulative | agencies F1 "
            "| dates | outlets | titles |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, r in results.items():
        meta = r["meta"]["counts"]
        lines.append(f"| {name} | {r['pages']} | {r['metrics_p']:.3f} | {r['metrics_r']:.3f} | {r['metrics_f1']:.3f} "
                     f"| {ratio(r['indicator'])} | {ratio(r.get('agency'))} | {ratio(r.get('period'))} "
                     f"| {ratio(r.get('cumulative'))} | {r['agencies_f1']:.3f} | {ratio(meta['date'])} "
                     f"| {ratio(meta['source'])} | {ratio(meta['title'])} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="folder of saved pages (plain text or HTML)")
    parser.add_argument("--gold", type=Path, required=True, help="labels: tests/data/devset/dev.json or holdout.json")
    parser.add_argument("--etl", help="the etl command to measure (default: etl on PATH, else this repo's .venv)")
    parser.add_argument("--score", type=Path, default=DEFAULT_SCORE, help="score.py (default ../shared/tools/score.py)")
    parser.add_argument("--db", type=Path, help="keep the SQLite database here (default: a temporary file)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="also list every miss")
    args = parser.parse_args()

    if not args.pages.is_dir():
        sys.exit(f"devset: {args.pages} is not a folder")
    gold = json.loads(args.gold.read_text(encoding="utf-8"))["documents"]
    etl = find_etl(args.etl)
    with tempfile.TemporaryDirectory(prefix="devset-") as tmp:
        db = args.db or Path(tmp) / "devset.db"
        fresh_database(db)
        load(etl, args.pages, db)
        subsets = {"all": gold, **{s: [d for d in gold if script(d) == s] for s in SCRIPTS}}
        results = {}
        for name, docs in subsets.items():
            if docs:
                results[name] = score(args.score, db, docs, args.verbose and name == "all")
                results[name]["meta"] = metadata(db, docs)
    if args.json:
        print(json.dumps({"pages": str(args.pages), "gold": str(args.gold), "etl": etl, "results": results},
                         ensure_ascii=False, indent=1))
        return
    if args.verbose:
        print("\n".join(results["all"].pop("lines", [])))
        print("\n".join("  " + miss for miss in results["all"]["meta"]["misses"]))
    print(f"{args.pages} against {args.gold.name} with {etl}")
    print(table(results))


if __name__ == "__main__":
    main()
