"""Link near-duplicate copies of one story: duplicate_of_id points at the canonical copy.

The canonical copy is the earliest published (ties: the smallest path, then the smallest id), and the links
are recomputed over all active documents, so the result does not depend on the order files were loaded in.
Candidate pairs come from SimHash block keys: with at most k differing bits and the 64 bits cut into k+2
blocks, two near-duplicates agree exactly on at least two blocks (pigeonhole), so keying every pair of
blocks finds them all while keeping buckets small (16-bit keys for k = 6, not 9-bit bands).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from etl.load.schema import documents
from etl.transform.duplicates import DUPLICATE_MAX_DISTANCE

BEIJING = timezone(timedelta(hours=8))
MAX_BUCKET = 5000  # a band shared by more documents than this is template noise, not a story


def _order_key(published_at: datetime | None, published_on: date | None, source_path: str, id_: int):
    if published_at is not None:
        moment = published_at
    elif published_on is not None:
        moment = datetime.combine(published_on, time(0), BEIJING).astimezone(UTC)
    else:
        moment = datetime.max.replace(tzinfo=UTC)
    return (moment, source_path, id_)


def _block_pairs(max_distance: int) -> list[tuple[int, int, int]]:
    """(shift of block i, shift of block j, block mask) for every pair of the max_distance+2 blocks."""
    count = max_distance + 2
    width = 64 // count
    return [(i * width, j * width, (1 << width) - 1) for i in range(count) for j in range(i + 1, count)]


def duplicate_groups(
    fingerprints: Iterable[tuple[int, int]], max_distance: int = DUPLICATE_MAX_DISTANCE
) -> dict[int, int]:
    """(id, simhash) pairs -> id -> group root, for the documents that have at least one near-duplicate.

    Documents without one (most of a real corpus) are left out, so what the caller keeps per document
    afterwards is proportional to the duplicates, not to the corpus.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # identical hashes are one group already; only distinct values need comparing
    first_with: dict[int, int] = {}
    for id_, value in fingerprints:
        parent[id_] = id_
        if value in first_with:
            parent[find(id_)] = find(first_with[value])
        else:
            first_with[value] = id_
    # One block pair at a time: memory holds one bucket entry per fingerprint, not one per pair of blocks
    # (28 for k = 6), which at 100,000 documents is the difference between ~10 MB and ~300 MB.
    for shift_i, shift_j, mask in _block_pairs(max_distance):
        buckets: dict[int, list[int]] = {}
        for value in first_with:
            u = value & 0xFFFF_FFFF_FFFF_FFFF
            buckets.setdefault((((u >> shift_i) & mask) << 32) | ((u >> shift_j) & mask), []).append(value)
        for members in buckets.values():
            if len(members) < 2 or len(members) > MAX_BUCKET:
                continue
            if len({find(first_with[v]) for v in members}) == 1:
                continue  # already one group (an earlier block pair joined them): no pair can change that
            for i, va in enumerate(members):
                for vb in members[i + 1 :]:
                    if ((va ^ vb) & 0xFFFF_FFFF_FFFF_FFFF).bit_count() <= max_distance:  # hamming(), inlined
                        root_a, root_b = find(first_with[va]), find(first_with[vb])
                        if root_a != root_b:
                            parent[root_a] = root_b
        del buckets
    del first_with
    sizes: dict[int, int] = {}
    for id_ in parent:
        root = find(id_)
        sizes[root] = sizes.get(root, 0) + 1
    return {id_: root for id_, root in parent.items() if sizes[root] > 1}


def _canonical_by_group(groups: dict[int, int], rows: Iterable[tuple]) -> dict[int, int]:
    """group root -> id of its canonical copy, from (id, published_at, published_on, source_path) rows."""
    best: dict[int, tuple] = {}
    for id_, published_at, published_on, source_path in rows:
        root = groups.get(id_)
        if root is None:
            continue
        key = _order_key(published_at, published_on, source_path, id_)
        if root not in best or key < best[root]:
            best[root] = key
    return {root: key[2] for root, key in best.items()}


def canonical_links(rows: list[tuple], max_distance: int = DUPLICATE_MAX_DISTANCE) -> dict[int, int | None]:
    """rows of (id, simhash, published_at, published_on, source_path) -> id -> canonical id (None if canonical)."""
    groups = duplicate_groups(((row[0], row[1]) for row in rows), max_distance)
    canonical = _canonical_by_group(groups, ((r[0], r[2], r[3], r[4]) for r in rows))
    links: dict[int, int | None] = {}
    for row in rows:
        target = canonical[groups[row[0]]] if row[0] in groups else None
        links[row[0]] = None if target == row[0] else target
    return links


def link_duplicates(engine: Engine, chunk: int = 5000) -> int:
    """Recompute duplicate_of_id for all active documents; returns how many rows changed.

    Three streamed passes keep the parent's memory proportional to the duplicates, not to the corpus:
    fingerprints (two ints a document), the ordering columns of grouped documents only, then the links
    stored today, compared and updated in chunks.
    """
    d = documents.c
    active = (d.status == "active") & d.simhash.is_not(None)
    with engine.begin() as conn:
        fingerprints = conn.execute(select(d.id, d.simhash).where(active).execution_options(yield_per=chunk))
        groups = duplicate_groups(((id_, value) for id_, value in fingerprints), DUPLICATE_MAX_DISTANCE)
        ordering = conn.execute(
            select(d.id, d.published_at, d.published_on, d.source_path).where(active)
            .execution_options(yield_per=chunk)
        ) if groups else []
        canonical = _canonical_by_group(groups, ordering)
        wanted = {id_: canonical[root] for id_, root in groups.items() if canonical[root] != id_}
        del groups, canonical
        # documents linked today: a link may stay, move, or go (not a copy any more, removed, or lost its hash)
        linked = conn.execute(
            select(d.id, d.duplicate_of_id).where(d.duplicate_of_id.is_not(None)).execution_options(yield_per=chunk)
        ).all()
        changes = [(id_, None) for id_, target in linked if id_ not in wanted]
        stored = dict(linked)
        del linked
        changes.extend((id_, target) for id_, target in wanted.items() if stored.get(id_) != target)
        del wanted, stored
        statement = update(documents).where(d.id == bindparam("doc_id"))
        for start in range(0, len(changes), chunk):
            conn.execute(statement, [{"doc_id": i, "duplicate_of_id": t} for i, t in changes[start:start + chunk]])
        return len(changes)
