"""Copies of one story from different outlets are linked to the earliest; template-sharing posts are not."""

from __future__ import annotations

import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.api import run
from etl.load.duplicates import canonical_links
from tests.conftest import needs_shared
from tests.helpers import brute_force_links, query

REPO = Path(__file__).resolve().parents[2]
COPY = REPO / "tests" / "fixtures" / "extract" / "republished_002_sina.md"
SEED_002 = "002_17d52a4c04d940ef.txt"
NEWS = REPO.parent / "shared" / "corpus" / "news"


def links(url: str) -> dict[str, str | None]:
    rows = query(url, "SELECT d.source_path, c.source_path FROM documents d "
                      "LEFT JOIN documents c ON c.id = d.duplicate_of_id")
    return dict(rows)


def test_republished_copy_points_at_the_earliest(db_url, seeds_copy):
    shutil.copy(COPY, seeds_copy / "sina_copy.md")
    run([str(seeds_copy)], db_url, workers=1)
    found = links(db_url)
    assert found["sina_copy.md"] == SEED_002  # published 13 s later: the copy
    assert found[SEED_002] is None  # the canonical copy points nowhere
    assert sum(v is not None for v in found.values()) == 1


def test_links_do_not_depend_on_load_order(sqlite_url, tmp_path, seeds_copy):
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(COPY, first / "sina_copy.md")
    run([str(first)], sqlite_url, workers=1)  # the later copy arrives first
    run([str(seeds_copy)], sqlite_url, workers=1)
    assert links(sqlite_url)["sina_copy.md"] == SEED_002


def test_canonical_is_earliest_then_smallest_path():
    t = datetime(2022, 1, 14, 8, 1, 18, tzinfo=UTC)
    rows = [(1, 0b1011, t, date(2022, 1, 14), "b.md"), (2, 0b1011, t, date(2022, 1, 14), "a.md"),
            (3, 0b1010, None, date(2022, 1, 13), "z.md"), (4, -1, None, None, "other.md")]
    assert canonical_links(rows, max_distance=2) == {1: 3, 2: 3, 3: None, 4: None}


@needs_shared(NEWS)
def test_daily_briefings_sharing_a_template_are_not_linked(sqlite_url):
    run([str(NEWS)], sqlite_url, workers=2)
    linked = [k for k, v in links(sqlite_url).items() if v is not None]
    assert not [k for k in linked if "DailyFinanceNews" in k]
    # the Hugo page and the HTML page built from it are one story
    assert linked == ["renqilei__chinese-government-docs-for-drg.md"] or linked == ["renqilei__index.html"]



@pytest.mark.parametrize("seed", range(5))
def test_links_match_comparing_every_pair(seed):
    rnd = random.Random(seed)
    centres = [rnd.getrandbits(64) - 2**63 for _ in range(15)]
    rows = []
    for id_ in range(1, 301):
        value = rnd.choice(centres)
        for _ in range(rnd.choice([0, 1, 3, 5, 8])):  # 0-8 flipped bits: some within 6, some not
            value ^= 1 << rnd.randrange(64)
        value = value - 2**64 if value >= 2**63 else value
        day = date(2022, 1, rnd.randint(1, 28))
        rows.append((id_, value, None, day, f"{rnd.randint(0, 9)}.md"))
    expected = brute_force_links(rows, 6)
    assert 0 < sum(v is not None for v in expected.values()) < len(rows) - 15  # copies, and documents apart
    assert canonical_links(rows) == expected


@pytest.mark.parametrize("seed", [33, 34, 35])
def test_long_union_chains_match_comparing_every_pair(seed):
    """600 fingerprints around 12 stories, 0-12 flipped bits: groups merge through long chains. (Seed 33 made
    the dict-based union-find before NumPy return a parent that was not its group's root: a KeyError.)"""
    rnd = random.Random(seed)
    centres = [rnd.getrandbits(64) for _ in range(12)]
    rows = []
    for id_ in range(1, 601):
        value = rnd.choice(centres)
        for _ in range(rnd.choice([0, 1, 3, 5, 7, 8, 12])):
            value ^= 1 << rnd.randrange(64)
        rows.append((id_, value - 2**64 if value >= 2**63 else value, None, date(2022, 1, 1 + id_ % 28), "a.md"))
    assert canonical_links(rows) == brute_force_links(rows, 6)
