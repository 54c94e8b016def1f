"""Link near-duplicate copies of one story: duplicate_of_id points at the canonical copy.

The canonical copy is the earliest published (ties: the smallest path, then the smallest id), and the links
are recomputed over all active documents, so the result does not depend on the order files were loaded in.
Candidate pairs come from SimHash block keys: with at most k differing bits and the 64 bits cut into k+2
blocks, two near-duplicates agree exactly on at least two blocks (pigeonhole), so keying every pair of
blocks finds them all while keeping buckets small (16-bit keys for k = 6, not 9-bit bands).
"""

from __future__ import annotations

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


def canonical_links(rows: list[tuple], max_distance: int = DUPLICATE_MAX_DISTANCE) -> dict[int, int | None]:
    """rows of (id, simhash, published_at, published_on, source_path) -> id -> canonical id (None if canonical)."""
    parent = {row[0]: row[0] for row in rows}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # identical hashes are one group already; only distinct values need comparing
    first_with: dict[int, int] = {}
    for id_, value, *_ in rows:
        if value in first_with:
            parent[find(id_)] = find(first_with[value])
        else:
            first_with[value] = id_
    unsigned = [(id_, value, value & 0xFFFF_FFFF_FFFF_FFFF) for value, id_ in first_with.items()]
    # One block pair at a time: memory holds one bucket entry per fingerprint, not one per pair of blocks
    # (28 for k = 6), which at 100,000 documents is the difference between ~10 MB and ~300 MB.
    for shift_i, shift_j, mask in _block_pairs(max_distance):
        buckets: dict[int, list[tuple[int, int]]] = {}
        for id_, value, u in unsigned:
            buckets.setdefault((((u >> shift_i) & mask) << 32) | ((u >> shift_j) & mask), []).append((id_, value))
        for members in buckets.values():
            if len(members) < 2 or len(members) > MAX_BUCKET:
                continue
            if len({find(a) for a, _ in members}) == 1:
                continue  # already one group (an earlier block pair joined them): no pair can change that
            for i, (a, va) in enumerate(members):
                for b, vb in members[i + 1 :]:
                    if ((va ^ vb) & 0xFFFF_FFFF_FFFF_FFFF).bit_count() <= max_distance:  # hamming(), inlined
                        root_a, root_b = find(a), find(b)
                        if root_a != root_b:
                            parent[root_a] = root_b
    groups: dict[int, list[tuple]] = {}
    for row in rows:
        groups.setdefault(find(row[0]), []).append(row)
    links: dict[int, int | None] = {}
    for members in groups.values():
        canonical = min(members, key=lambda r: _order_key(r[2], r[3], r[4], r[0]))[0]
        for row in members:
            links[row[0]] = None if row[0] == canonical or len(members) == 1 else canonical
    return links


def link_duplicates(engine: Engine) -> int:
    """Recompute duplicate_of_id for all active documents; returns how many rows changed."""
    d = documents.c
    with engine.begin() as conn:
        result = conn.execute(
            select(d.id, d.simhash, d.published_at, d.published_on, d.source_path, d.duplicate_of_id)
            .where(d.status == "active", d.simhash.is_not(None))
            .execution_options(yield_per=5000)
        )
        # one compact tuple per document, streamed: no second copy of every row as Row objects
        rows: list[tuple] = []
        current: dict[int, int] = {}  # documents linked today; every other one is None
        for id_, value, published_at, published_on, source_path, duplicate_of in result:
            rows.append((id_, value, published_at, published_on, source_path))
            if duplicate_of is not None:
                current[id_] = duplicate_of
        links = canonical_links(rows)
        del rows
        changes = [{"doc_id": i, "duplicate_of_id": c} for i, c in links.items() if current.get(i) != c]
        # documents that are no longer active or lost their hash cannot be anybody's canonical copy
        linked = conn.execute(select(d.id).where(d.duplicate_of_id.is_not(None))).scalars()
        stale = [i for i in linked if i not in links]
        changes.extend({"doc_id": i, "duplicate_of_id": None} for i in stale)
        if changes:
            conn.execute(update(documents).where(d.id == bindparam("doc_id")), changes)
        return len(changes)
