"""Documents are inserted already linked to their copies (etl.load.prelink), so that the exact pass after the
run (link_duplicates) has almost nothing left to rewrite; the links a run leaves never depend on it."""

from __future__ import annotations

import random
import shutil
from datetime import date
from pathlib import Path

import pytest

import etl.load.duplicates
from etl import pipeline
from etl.load.duplicates import order_key
from etl.load.prelink import PreLinker
from etl.pipeline import RunOptions
from tests.helpers import brute_force_links, snapshot

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def _copies(seed: int, flipped: list[int]) -> list[tuple]:
    """(id, simhash, published_at, published_on, source_path) rows: 12 stories, each in several copies whose
    hashes differ from the story's by `flipped` bits, in the order copies sort (canonical first)."""
    rnd = random.Random(seed)
    rows = []
    for story in range(12):
        centre = rnd.getrandbits(64)
        for copy in range(rnd.randint(1, 6)):
            value = centre
            for bit in rnd.sample(range(64), rnd.choice(flipped)):
                value ^= 1 << bit
            rows.append((_signed(value), None, date(2022, 1, 1 + story), f"{copy:02d}/{story}.md"))
    rows.sort(key=lambda r: order_key(r[1], r[2], r[3], 0))
    return [(id_, *row) for id_, row in enumerate(rows, start=1)]


def _guess(rows: list[tuple], batch: int, fetched: list[int] | None = None) -> dict[int, int | None]:
    linker = PreLinker()
    keys = {r[0]: order_key(r[2], r[3], r[4], r[0]) for r in rows}

    def fetch(ids: list[int]) -> dict[int, tuple]:
        if fetched is not None:
            fetched.extend(ids)
        return {i: keys[i] for i in ids}

    guessed: dict[int, int | None] = {}
    for start in range(0, len(rows), batch):
        part = rows[start:start + batch]
        links = linker.links([(r[0], r[1], keys[r[0]]) for r in part], fetch)
        guessed.update(zip([r[0] for r in part], links, strict=True))
    return guessed


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_copies_arriving_in_canonical_order_are_guessed_exactly(seed: int, batch: int):
    """Copies within 3 bits of each other share at least one whole 16-bit block of the four (pigeonhole), so
    each is found; here every copy is within 1 bit of its story, so within 2 of every other copy."""
    rows = _copies(seed, flipped=[0, 1])
    exact = brute_force_links(rows, 6)
    guessed = _guess(rows, batch)
    wrong = {i: (guessed[i], exact[i]) for i in exact if guessed[i] != exact[i]}
    assert not wrong, f"guessed differently (guess, exact): {wrong}"


def test_an_earlier_copy_that_arrives_later_becomes_the_canonical_one():
    base = random.Random(1).getrandbits(64)
    rows = [  # the later-published copy first, then the earlier one, then another later copy
        (1, _signed(base), None, date(2022, 3, 1), "b.md"),
        (2, _signed(base ^ 0b101), None, date(2022, 1, 1), "c.md"),
        (3, _signed(base ^ 0b11), None, date(2022, 3, 1), "d.md"),
        (4, None, None, date(2022, 1, 1), "e.md"),
    ]
    fetched: list[int] = []
    assert _guess(rows, batch=1, fetched=fetched) == {1: None, 2: None, 3: 2, 4: None}
    assert fetched == [1], "the key of a canonical copy from an earlier batch is read back once"


def test_copies_of_seeds_are_inserted_linked_and_the_result_is_the_same(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch):
    tree = tmp_path / "input"
    shutil.copytree(SEEDS, tree / "seeds")
    for copy in range(8):
        for path in sorted(SEEDS.iterdir()):
            target = tree / "copies" / f"{copy:02d}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes() + f"\n\n副本 {copy}\n".encode())
    monkeypatch.setattr(pipeline, "TASKS_PER_BATCH", 4)
    monkeypatch.setattr(pipeline, "LOAD_BATCH_DOCUMENTS", 9)  # copies of a story land in different batches
    rewritten: list[int] = []
    exact_pass = etl.load.duplicates.link_duplicates

    def counting(engine, *args, **kwargs) -> int:
        rewritten.append(exact_pass(engine, *args, **kwargs))
        return rewritten[-1]

    monkeypatch.setattr(pipeline, "link_duplicates", counting)
    guessed_url = f"sqlite:///{tmp_path / 'guessed.db'}"
    pipeline.run([str(tree)], guessed_url, RunOptions(workers=1))

    monkeypatch.setattr(PreLinker, "links", lambda self, docs, fetch: [None] * len(docs))
    unguessed_url = f"sqlite:///{tmp_path / 'unguessed.db'}"
    pipeline.run([str(tree)], unguessed_url, RunOptions(workers=1))

    assert rewritten[1] >= 40, "the corpus should hold copies for the exact pass to link"
    assert rewritten[0] <= rewritten[1] // 10, f"the exact pass rewrote {rewritten[0]} of {rewritten[1]} links"
    assert snapshot(guessed_url) == snapshot(unguessed_url), "guessing must not change the links a run leaves"
