"""bench/devset.py, the development set's harness, scores what an installed etl loads, by script.

Run on the seeds (whose gold is known to score 1.0) as a real subprocess of the installed command, and on a
gold with one figure changed, which must lose it: the harness reports what score.py finds, not a constant.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import needs_shared

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
HARNESS = REPO / "bench" / "devset.py"

pytestmark = [
    pytest.mark.slow,
    needs_shared(SHARED / "gold" / "seeds.json"),
]


def harness(etl: list[str], pages: Path, gold: dict, tmp_path: Path) -> dict:
    gold_file = tmp_path / "gold.json"
    gold_file.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    if len(etl) != 1:
        pytest.skip("the harness takes an etl executable; this environment has none installed")
    done = subprocess.run([sys.executable, str(HARNESS), "--pages", str(pages), "--gold", str(gold_file),
                           "--etl", etl[0], "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["results"]


def test_scores_split_by_script_and_count_metadata(etl_bin, tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SHARED / "seeds", pages)
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    gold["documents"][0]["script"] = "traditional"  # a label, not a property of the text: it only moves the split

    results = harness(etl_bin, pages, gold, tmp_path)

    assert results["all"]["metrics_f1"] == 1.0 and results["all"]["pages"] == 5
    assert results["traditional"]["pages"] == 1 and results["simplified"]["pages"] == 4
    assert results["traditional"]["tp"] + results["simplified"]["tp"] == results["all"]["tp"]
    dated = sum(1 for d in gold["documents"] if d["published_on"])
    assert results["all"]["meta"]["counts"]["date"] == [dated, dated]


def test_a_changed_expectation_is_reported_missed(etl_bin, tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(SHARED / "seeds", pages)
    gold = json.loads((SHARED / "gold" / "seeds.json").read_text(encoding="utf-8"))
    metric = gold["documents"][0]["metrics"][0]
    metric["value"] = metric["value"] + 1

    results = harness(etl_bin, pages, gold, tmp_path)

    assert results["all"]["fn"] == 1 and results["all"]["fp"] == 1
    assert results["all"]["metrics_f1"] < 1.0
