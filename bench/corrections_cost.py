"""What corrections (issue 21) cost a run: this tree against a base revision, in alternating pairs.

    .venv/bin/python bench/corrections_cost.py --base a050024 --pairs 7            # laws/ first load, no folder
    .venv/bin/python bench/corrections_cost.py --mode rerun --pairs 7              # no-change re-run, no folder
    .venv/bin/python bench/corrections_cost.py --mode rerun --corrections 11       # … with 11 corrections
    .venv/bin/python bench/corrections_cost.py --mode parts --pairs 5              # transform, load, migrate alone

The base revision is exported (`git archive`) to a temporary folder and run with this checkout's virtual
environment, so both sides use the same Python and libraries. Each pair runs base then this tree, the next
pair the other way round (a shared machine drifts by more than what is measured). Wall time from the start of
the `etl run` subprocess to its exit, and the CPU time (user + system) of the process and its workers. With
--corrections N, this tree's runs use a folder of N corrections on laws/ documents: N - 1 `accept`
corrections of documents (those with figures first) and one global `agency_alias`.

--mode parts times, in one process and on one core (CPU time, which a busy machine disturbs less than wall
time), what a first load without corrections does differently: migrating a new SQLite file to head, the
transform of every laws/ file, and the loader writing those records into it (256 a transaction).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAWS = REPO.parent / "shared" / "corpus" / "laws"


def export(revision: str, into: Path) -> Path:
    """The package as it was at revision, byte-compiled like an installed copy."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "etl"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(into / "etl")], check=True)
    return into


def command(package_root: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if package_root is not None:
        env["PYTHONPATH"] = str(package_root)
    return [sys.executable, "-c", "import sys; from etl.cli import main; sys.argv[0] = 'etl'; main()"], env


def corrections_folder(db: Path, count: int, into: Path) -> Path:
    """count - 1 `accept` corrections of laws/ documents (those with figures first), and one global alias."""
    import sqlite3

    from etl.corrections.files import to_yaml

    with sqlite3.connect(db) as conn:
        paths = [p for (p,) in conn.execute(
            "SELECT source_path FROM documents d ORDER BY NOT EXISTS (SELECT 1 FROM metrics m "
            "WHERE m.document_id = d.id), source_path LIMIT ?", (count - 1,))]
    specs = [{"kind": "accept", "document": p} for p in paths]
    specs.append({"kind": "agency_alias", "alias": "人民政府办公厅", "name": "测试省人民政府办公厅", "level": "provincial",
                  "region": "测试省"})
    into.mkdir(parents=True, exist_ok=True)
    (into / "bench.yaml").write_text(to_yaml(specs), encoding="utf-8")
    return into


PARTS = r"""
import os, sys, time
from pathlib import Path
from etl.records import FileRef
from etl.extract.files import read_file, walk
from etl.load import migrate
from etl.load.db import make_engine
from etl.load.loader import Loader
from etl.load.runs import start_run, sync_vocabulary
from etl.transform import transform_document
from etl.records import Task, Transformed
db = sys.argv[2]
engine = make_engine("sqlite:///" + db)
t = time.process_time(); migrate.upgrade_to_head(engine); migrate_s = time.process_time() - t
refs = [r for r in walk([sys.argv[1]], (), (), False) if isinstance(r, FileRef)]
data = [(r, read_file(r.file_path, None)) for r in refs]
t = time.process_time()
items = []
for ref, (raw, sha) in data:
    try:
        items.append(Transformed(Task(ref, None, None, False), transform_document(raw, ref.source_path, sha256=sha)))
    except Exception:
        pass
transform_s = time.process_time() - t
sync_vocabulary(engine)
loader = Loader(engine, start_run(engine, [sys.argv[1]], "bench"))
t = time.process_time()
for start in range(0, len(items), 256):
    loader.write(items[start:start + 256])
load_s = time.process_time() - t
engine.dispose()
print(migrate_s, transform_s, load_s)
"""


def parts(sides: dict, work: Path, pairs: int) -> None:
    names = ("migrate", "transform", "load")
    got: dict[str, list[list[float]]] = {"base": [], "this": []}
    for pair in range(pairs):
        for side in (("base", "this") if pair % 2 == 0 else ("this", "base")):
            db = work / f"parts-{side}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            cmd, env = sides[side]
            done = subprocess.run([cmd[0], "-c", PARTS, str(LAWS), str(db)], env=env, capture_output=True, text=True,
                                  check=True)
            got[side].append([float(x) for x in done.stdout.split()])
    for i, name in enumerate(names):
        base = [r[i] for r in got["base"]]
        this = [r[i] for r in got["this"]]
        diff = [t - b for t, b in zip(this, base, strict=True)]
        print(f"{name:10} base median {statistics.median(base):.3f} s  this median {statistics.median(this):.3f} s  "
              f"this - base per pair: median {statistics.median(diff):+.3f} s [{' '.join(f'{x:+.3f}' for x in diff)}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="a050024", help="revision to compare with (default: before issue 21)")
    parser.add_argument("--mode", choices=("first", "rerun", "parts"), default="first")
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corrections", type=int, default=0, help="this tree's runs use N corrections")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="etl-corrections-bench-"))
    sides = {"base": command(export(args.base, work / "base")), "this": command(None)}
    cwd = work / "cwd"  # no ./corrections here
    cwd.mkdir()
    extra: dict[str, list[str]] = {"base": [], "this": []}
    wall: dict[str, list[float]] = {"base": [], "this": []}
    cpu: dict[str, list[float]] = {"base": [], "this": []}

    def once(side: str, record: bool = True) -> None:
        db = work / f"{side}.db"
        if args.mode == "first":
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        cmd, env = sides[side]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run([*cmd, "run", str(LAWS), "--db", str(db), "-q", "--workers", str(args.workers),
                               *extra[side]], cwd=cwd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 3):
            raise SystemExit(f"{side}: {done.stderr}")
        if record:
            wall[side].append(seconds)
            cpu[side].append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)

    if args.mode == "parts":
        try:
            parts(sides, work, args.pairs)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        if args.mode == "rerun":
            once("base", False)
            once("this", False)
            if args.corrections:
                extra["this"] = ["--corrections", str(corrections_folder(work / "this.db", args.corrections,
                                                                         work / "corrections"))]
                once("this", False)  # applies them; the timed runs are no-change re-runs
        for pair in range(args.pairs):
            for side in (("base", "this") if pair % 2 == 0 else ("this", "base")):
                once(side)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    label = f"laws/ {args.mode}" + (f", {args.corrections} corrections" if args.corrections else "")
    for side in ("base", "this"):
        print(f"{label:32} {side:4}  wall median {statistics.median(wall[side]):.3f} s "
              f"[{' '.join(f'{x:.2f}' for x in wall[side])}]  cpu median {statistics.median(cpu[side]):.3f} s")
    dw = [t - b for t, b in zip(wall["this"], wall["base"], strict=True)]
    dc = [t - b for t, b in zip(cpu["this"], cpu["base"], strict=True)]
    print(f"{label:32} this - base, per pair: wall median {statistics.median(dw):+.3f} s "
          f"[{' '.join(f'{x:+.2f}' for x in dw)}], cpu median {statistics.median(dc):+.3f} s")


if __name__ == "__main__":
    main()
