"""A guess at each new document's duplicate_of_id, made as the document is inserted.

Why: on SQLite, setting duplicate_of_id on a stored row rewrites the whole row, body text included (a NULL
becoming an integer changes the record's size, so SQLite cannot overwrite it in place). On a first load of a
corpus full of copies, link_duplicates' UPDATEs after the run took a large serial share of the run, one core
idle (bench/README.md). A row inserted with its link already set costs nothing more.

The guess only has to be usually right: link_duplicates still recomputes every link exactly after the run and
changes the rows the guess got wrong. So the index here is small and simple: the documents written by this
run, keyed by four 16-bit blocks of their SimHash (copies a few bits apart nearly always agree on one whole
block), in arrays of a few bytes per document.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from typing import Any

from etl.constants import DUPLICATE_MAX_DISTANCE
from etl.load.duplicates import MASK64

BLOCKS = 4
BLOCK_BITS = 16
CHAIN_LIMIT = 32  # documents looked at per block: a block shared by many (boilerplate) is not worth walking

OrderKey = tuple[Any, ...]
# the order keys of earlier documents, by id: read back from the database when needed
FetchKeys = Callable[[list[int]], dict[int, OrderKey]]


class PreLinker:
    """Documents of this run by SimHash block; per document its group, per group its canonical copy so far."""

    def __init__(self, max_distance: int = DUPLICATE_MAX_DISTANCE):
        self.max_distance = max_distance
        self.heads = [array("i", [-1]) * (1 << BLOCK_BITS) for _ in range(BLOCKS)]
        self.nexts = [array("i") for _ in range(BLOCKS)]
        self.hashes = array("Q")
        self.ids = array("q")
        self.group = array("i")  # slot -> slot of its group's first document
        self.canonical = array("i")  # group's first slot -> slot of its canonical copy so far
        self.keys: dict[int, OrderKey] = {}  # slot -> order key, for canonical copies of groups with copies

    def links(self, docs: Sequence[tuple[int, int | None, OrderKey]], fetch_keys: FetchKeys) -> list[int | None]:
        """For (id, simhash, order key) of documents about to be written, in order: the id each should point
        at (None: canonical as far as this run has seen). Every document joins the index."""
        batch_keys: dict[int, OrderKey] = {}
        placed: list[int | None] = []
        for doc_id, simhash, key in docs:
            if simhash is None:
                placed.append(None)
                continue
            slot = self._add(doc_id, simhash & MASK64)
            batch_keys[slot] = key
            placed.append(slot)
        earlier = {self.canonical[self.group[s]] for s in placed if s is not None}
        missing = [s for s in earlier if s not in self.keys and s not in batch_keys]
        if missing:
            by_id = fetch_keys([self.ids[s] for s in missing])
            self.keys.update((s, by_id[self.ids[s]]) for s in missing if self.ids[s] in by_id)
        out: list[int | None] = []
        for slot in placed:
            if slot is None:
                out.append(None)
                continue
            root = self.group[slot]
            best = self.canonical[root]
            if best == slot:  # first of its group
                out.append(None)
                continue
            best_key = self.keys.get(best) or batch_keys.get(best)
            mine = batch_keys[slot]
            if best_key is None or mine < best_key:  # this one is earlier: the group's canonical copy now
                self.canonical[root] = slot
                self.keys[slot] = mine
                out.append(None)
            else:
                self.keys[best] = best_key
                out.append(self.ids[best])
        return out

    def _add(self, doc_id: int, value: int) -> int:
        """Index one document; its slot. It joins the group of the first close document found, if any."""
        slot = len(self.ids)
        match = self._find(value)
        self.hashes.append(value)
        self.ids.append(doc_id)
        self.group.append(slot if match < 0 else self.group[match])
        self.canonical.append(slot)
        for block in range(BLOCKS):
            part = (value >> (block * BLOCK_BITS)) & 0xFFFF
            self.nexts[block].append(self.heads[block][part])
            self.heads[block][part] = slot
        return slot

    def _find(self, value: int) -> int:
        for block in range(BLOCKS):
            other = self.heads[block][(value >> (block * BLOCK_BITS)) & 0xFFFF]
            for _ in range(CHAIN_LIMIT):
                if other < 0:
                    break
                if (value ^ self.hashes[other]).bit_count() <= self.max_distance:
                    return other
                other = self.nexts[block][other]
        return -1
