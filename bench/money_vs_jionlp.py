#!/usr/bin/env python3
"""Renminbi figures: recall and precision of our extractor and of JioNLP's extract_money on the same pages.

Usage: python bench/money_vs_jionlp.py --pages DIR --gold FILE.json [--etl PATH] [--jionlp-python PATH] [--json]

Both read the same text: the body_text our extract stage stored for each page (so HTML furniture is gone for both).
Ours = the metrics the installed `etl` loaded with unit CNY; JioNLP = every money span `jio.ner.extract_money`
returns whose currency is 元/人民币 (the lower bound of a range). Either is matched against the gold figures with
unit CNY (on and off topic), one gold figure per found value, per page; split by script.

JioNLP pulls in jiojio (GPL-3), so it is never a project dependency: it lives in a venv of its own outside the
repository (python3 -m venv /work/devset/jio-venv && /work/devset/jio-venv/bin/pip install jionlp) and runs in a
subprocess. Without it the JioNLP columns say why.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devset import SCRIPTS, find_etl, fresh_database, load, script  # noqa: E402

DEFAULT_JIONLP = Path("/work/devset/jio-venv/bin/python")
RENMINBI = {"元", "人民币", "人民币元", "rmb", "RMB", "CNY"}
# runs inside JioNLP's venv: {file: text} in, {file: [[value, currency], ...]} out
JIONLP_RUNNER = r"""
import json, sys
import jionlp as jio
texts = json.load(open(sys.argv[1], encoding="utf-8"))
found = {}
for name, text in texts.items():
    spans = []
    for span in jio.ner.extract_money(text, with_parsing=True):
        num = span["detail"]["num"]
        num = num[0] if isinstance(num, list) else num
        spans.append([float(num), span["detail"]["case"]])
    found[name] = spans
print(json.dumps({"version": jio.__version__, "found": found}, ensure_ascii=False))
"""


def key(value) -> float:
    return round(float(value), 2)


def ours_and_texts(db: Path) -> tuple[dict[str, list[float]], dict[str, str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    texts, values = {}, {}
    for doc_id, path, body in con.execute("SELECT id, source_path, body_text FROM documents"):
        name = os.path.basename(path)
        texts[name] = body or ""
        values[name] = [key(v) for (v,) in con.execute(
            "SELECT value FROM metrics WHERE document_id = ? AND unit = 'CNY'", (doc_id,))]
    con.close()
    return values, texts


def jionlp(python: Path, texts: dict[str, str]) -> dict | str:
    if not python.exists():
        return f"not installed ({python} missing)"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(texts, handle, ensure_ascii=False)
    try:
        done = subprocess.run([str(python), "-c", JIONLP_RUNNER, handle.name], capture_output=True, text=True,
                              timeout=1800)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {"version": out["version"],
            "found": {name: [key(v) for v, case in spans if case in RENMINBI] for name, spans in out["found"].items()}}


def match(gold: dict[str, list[float]], found: dict[str, list[float]], files: list[str]) -> dict:
    tp = fp = fn = 0
    for name in files:
        want, got = Counter(gold.get(name, [])), Counter(found.get(name, []))
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"gold": tp + fn, "found": tp + fp, "right": tp, "recall": r, "precision": p}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--etl", help="the etl command to measure (default: etl on PATH, else this repo's .venv)")
    parser.add_argument("--jionlp-python", type=Path, default=DEFAULT_JIONLP)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    docs = json.loads(args.gold.read_text(encoding="utf-8"))["documents"]
    gold = {d["file"]: [key(m["value"]) for m in d["metrics"] if m["unit"] == "CNY"] for d in docs}
    with tempfile.TemporaryDirectory(prefix="money-") as tmp:
        db = Path(tmp) / "money.db"
        fresh_database(db)
        load(find_etl(args.etl), args.pages, db)
        ours, texts = ours_and_texts(db)
    jio = jionlp(args.jionlp_python, {d["file"]: texts.get(d["file"], "") for d in docs})
    subsets = {"all": docs, **{s: [d for d in docs if script(d) == s] for s in SCRIPTS}}
    rows = {}
    for name, subset in subsets.items():
        files = [d["file"] for d in subset]
        if files:
            rows[name] = {"ours": match(gold, ours, files),
                          "jionlp": match(gold, jio["found"], files) if isinstance(jio, dict) else jio}
    if args.json:
        print(json.dumps({"jionlp": jio.get("version") if isinstance(jio, dict) else jio, "rows": rows},
                         ensure_ascii=False, indent=1))
        return
    label = f"JioNLP {jio['version']}" if isinstance(jio, dict) else "JioNLP"
    print(f"renminbi figures on {args.pages} against {args.gold.name}")
    print(f"| pages | gold CNY | ours found | ours right | ours R | ours P | {label} found | right | R | P |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        o, j = row["ours"], row["jionlp"]
        cells = (f"{j['found']} | {j['right']} | {j['recall']:.3f} | {j['precision']:.3f}" if isinstance(j, dict)
                 else f"{j} | | | ")
        print(f"| {name} | {o['gold']} | {o['found']} | {o['right']} | {o['recall']:.3f} | {o['precision']:.3f} "
              f"| {cells} |")


if __name__ == "__main__":
    main()
