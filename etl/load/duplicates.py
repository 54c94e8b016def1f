"""Link near-duplicate copies of one story: duplicate_of_id points at the canonical copy.

The canonical copy is the earliest published (ties: the smallest path, then the smallest id), and the links
are recomputed over all active documents, so the result does not depend on the order files were loaded in.
Candidate pairs come from SimHash block keys: with at most k differing bits and the 64 bits cut into k+2
blocks, two near-duplicates agree exactly on at least two blocks (pigeonhole), so keying every pair of
blocks finds them all while keeping buckets small (16-bit keys for k = 6, not 9-bit bands).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Engine

from etl.constants import BEIJING, DUPLICATE_MAX_DISTANCE
from etl.load.schema import documents

MAX_BUCKET = 5000  # a band shared by more documents than this is template noise, not a story


def order_key(published_at: datetime | None, published_on: date | None, source_path: str, id_: int):
    """Copies sort by this: the first is the canonical one (earliest published, then smallest path, then id)."""
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


MASK64 = 0xFFFF_FFFF_FFFF_FFFF


def _popcount(words):
    """Set bits of each uint64 (NumPy 2's bitwise_count, else a byte table)."""
    import numpy as np

    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    return table[words.view(np.uint8).reshape(-1, 8)].sum(axis=1)


def _compress(label) -> None:
    """Point every entry straight at its root (label[root] == root), in place."""
    while True:
        hop = label[label]
        if (hop == label).all():
            return
        label[:] = hop


def _join(label, a, b) -> None:
    """Union the pairs (a[i], b[i]) into label, a fully compressed root array: roots hook to the smaller root
    until every pair agrees. Vectorised, so a pass costs the same for 10 pairs or 1,000,000."""
    import numpy as np

    while len(a):
        root_a, root_b = label[a], label[b]
        apart = root_a != root_b
        if not apart.any():
            return
        a, b, root_a, root_b = a[apart], b[apart], root_a[apart], root_b[apart]
        np.minimum.at(label, np.maximum(root_a, root_b), np.minimum(root_a, root_b))
        _compress(label)


def _join_close_pairs(label, unsigned, shift_i: int, shift_j: int, mask: int, max_distance: int) -> None:
    """For one pair of blocks: join every two values that share both blocks and lie within max_distance.

    Sorting the block keys makes each bucket a run; runs already inside one group (most, once an earlier
    block pair joined a story's copies) or larger than MAX_BUCKET are passed over; in the rest, the pair of
    positions (p, p + d) is compared for d = 1, 2, … across all runs at once."""
    import numpy as np

    mask_ = np.uint64(mask)
    keys = (((unsigned >> np.uint64(shift_i)) & mask_) << np.uint64(32)) | ((unsigned >> np.uint64(shift_j)) & mask_)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    sizes = np.diff(np.append(starts, len(ordered)))
    labels = label[order]
    mixed = np.minimum.reduceat(labels, starts) != np.maximum.reduceat(labels, starts)
    needed = (sizes >= 2) & (sizes <= MAX_BUCKET) & mixed
    if not needed.any():
        return
    run_of = np.repeat(np.arange(len(starts)), sizes)
    positions = np.flatnonzero(needed[run_of])
    for offset in range(1, int(sizes[needed].max())):
        positions = positions[positions + offset < len(ordered)]
        positions = positions[run_of[positions] == run_of[positions + offset]]
        if not len(positions):
            return
        first, second = order[positions], order[positions + offset]
        close = _popcount(unsigned[first] ^ unsigned[second]) <= max_distance
        _join(label, first[close], second[close])


def duplicate_groups(
    fingerprints: Iterable[tuple[int, int]], max_distance: int = DUPLICATE_MAX_DISTANCE
) -> dict[int, int]:
    """(id, simhash) pairs -> id -> group root, for the documents that have at least one near-duplicate.

    Documents without one (most of a real corpus) are left out, so what the caller keeps per document
    afterwards is proportional to the duplicates, not to the corpus. Identical hashes are one group already;
    the distinct values are compared in NumPy, one pair of blocks at a time (memory: one key per value, not
    one per pair of blocks, 28 for k = 6).
    """
    import numpy as np

    ids: list[int] = []
    values: list[int] = []
    for id_, value in fingerprints:
        ids.append(id_)
        values.append(value & MASK64)
    if not ids:
        return {}
    distinct, inverse = np.unique(np.array(values, dtype=np.uint64), return_inverse=True)
    del values
    label = np.arange(len(distinct))
    for shift_i, shift_j, mask in _block_pairs(max_distance):
        _join_close_pairs(label, distinct, shift_i, shift_j, mask, max_distance)
    root_of = label[inverse.reshape(-1)]
    grouped = np.bincount(root_of, minlength=len(distinct))[root_of] > 1
    first_id: dict[int, int] = {}
    groups: dict[int, int] = {}
    for index in np.flatnonzero(grouped).tolist():
        groups[ids[index]] = first_id.setdefault(int(root_of[index]), ids[index])
    return groups


def _canonical_by_group(groups: dict[int, int], rows: Iterable[tuple]) -> dict[int, int]:
    """group root -> id of its canonical copy, from (id, published_at, published_on, source_path) rows."""
    best: dict[int, tuple] = {}
    for id_, published_at, published_on, source_path in rows:
        root = groups.get(id_)
        if root is None:
            continue
        key = order_key(published_at, published_on, source_path, id_)
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
