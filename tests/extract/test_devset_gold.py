"""The development set's hand labels (tests/data/devset) stay well-formed: the yardstick must not drift.

The pages themselves live outside the repository (MANIFEST.tsv lists their URLs); these checks read only the labels.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEVSET = REPO / "tests" / "data" / "devset"
VOCAB = REPO / "etl" / "rules" / "indicators.csv"
QUALIFIERS = {"exact", "approx", "more_than", "at_least", "less_than", "at_most", "range"}
BEIJING = timezone(timedelta(hours=8))
SETS = {"dev": (30, 8), "holdout": (10, 3)}  # issue 24: at least N pages, of which M in traditional script


def load(name: str) -> list[dict]:
    return json.loads((DEVSET / f"{name}.json").read_text(encoding="utf-8"))["documents"]


def indicator_codes() -> set[str]:
    with VOCAB.open(encoding="utf-8") as fh:
        return {row["code"] for row in csv.DictReader(fh)}


def iso_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@pytest.mark.parametrize("name", sorted(SETS))
def test_set_size_and_scripts(name):
    docs = load(name)
    least, traditional = SETS[name]
    assert len(docs) >= least
    assert sum(d["script"] == "traditional" for d in docs) >= traditional
    assert {d["script"] for d in docs} <= {"simplified", "traditional"}


def test_sets_are_disjoint_and_match_the_manifest():
    files = {name: [d["file"] for d in load(name)] for name in SETS}
    for name, names in files.items():
        assert len(names) == len(set(names)), f"{name}: a page is labelled twice"
    assert not set(files["dev"]) & set(files["holdout"])
    with (DEVSET / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        manifest = {(row["file"], row["set"]) for row in csv.DictReader(fh, delimiter="\t")}
    assert manifest == {(f, name) for name, names in files.items() for f in names}


@pytest.mark.parametrize("name", sorted(SETS))
def test_metrics_follow_the_contract(name):
    codes = indicator_codes()
    for doc in load(name):
        bodies = {n for a in doc["agencies"] for n in [a["name"], *a["also_canonical"]]} | set(doc["optional_agencies"])
        for m in doc["metrics"]:
            where = f"{doc['file']}: {m['raw']}"
            assert isinstance(m["value"], int | float) and m["unit"], where
            assert m["qualifier"] in QUALIFIERS, where
            assert m["indicator"] is None or m["indicator"] in codes, where
            if not m["on_topic"]:
                assert m["indicator"] is None and "agency" not in m, where
                continue
            for body in [m["agency"], *m["agency_alternatives"]]:
                assert body is None or body in bodies, f"{where}: {body} is not among the document's agencies"
            for start, end in [(m["period_start"], m["period_end"]), *m["period_alternatives"]]:
                if start and end:
                    assert iso_day(start) <= iso_day(end), where
                else:
                    iso_day(start), iso_day(end)


@pytest.mark.parametrize("name", sorted(SETS))
def test_metadata_is_consistent(name):
    for doc in load(name):
        assert set(doc["prints"]) <= {"title", "date", "source"}, doc["file"]
        assert doc["url"], doc["file"]
        if doc["published_at"]:
            moment = datetime.fromisoformat(doc["published_at"])
            assert moment.utcoffset() == timedelta(0), doc["file"]
            assert moment.astimezone(BEIJING).date().isoformat() == doc["published_on"], doc["file"]
        if "date" in doc["prints"]:
            assert doc["published_on"], f"{doc['file']} prints a date but none is labelled"
        if "title" in doc["prints"]:
            assert doc["title"], f"{doc['file']} prints a headline but none is labelled"


@pytest.mark.parametrize("name", sorted(SETS))
def test_no_page_text_is_kept(name):
    """Expectations only: raw figures and short notes, never a page's paragraphs."""
    for doc in load(name):
        assert all(len(m["raw"]) <= 40 for m in doc["metrics"]), doc["file"]
        assert all(len(note) <= 700 for note in doc["notes"]), doc["file"]
