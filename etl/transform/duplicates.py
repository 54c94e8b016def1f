"""Near-duplicate fingerprints: 64-bit SimHash over character shingles of body_text.

Outlets republish each other with small edits (an extra byline, other brackets, a changed timestamp), so
the text is first reduced to its letters and digits: punctuation, brackets, quotes and spaces carry no
story. Shingles are 4 characters long, each counted once, and the sign of the per-bit sum gives the
fingerprint. A shingle's 64-bit hash chains the splitmix64 finalizer over its 4 code points (each position
with its own seed), computed for all shingles of a text at once with NumPy: stable across processes and
platforms (unlike ``hash()``), and fast enough that fingerprints are a small part of the transform.

DUPLICATE_MAX_DISTANCE (etl/constants.py) keeps a republished copy with light edits and stays well below the
distance between different documents of one template; the distances it was chosen from are in bench/README.md
and tests/extract/test_duplicates.py keeps it honest.
"""

from __future__ import annotations

import re
from functools import cache
from hashlib import blake2b
from typing import TYPE_CHECKING

from etl.constants import DUPLICATE_MAX_DISTANCE  # noqa: F401 - re-exported for the transform's callers

if TYPE_CHECKING:
    import numpy as np

SHINGLE_CHARS = 4
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_MASK64 = (1 << 64) - 1
_ROWS_PER_CHUNK = 255 << 8  # bounds the 64-bytes-per-shingle bit-lane matrix of a very long text to ~4 MiB
_BMP = 0x10000  # the letter table covers the Basic Multilingual Plane; a text beyond it takes the regex
_LANE_ROWS = 255  # rows whose 0/1 byte lanes can be added before a lane could overflow
_BYTE_LANES = 0x0101010101010101  # bit 0 of each of the 8 bytes of a 64-bit word

# Per-position seeds, so 'abcd' and 'dcba' hash apart; and the splitmix64 finalizer's constants. Plain ints:
# NumPy is imported on the first fingerprint, not by a module that only imports this one.
_POSITION_SEEDS = [
    int.from_bytes(blake2b(b"etl-simhash-%d" % position, digest_size=8).digest(), "little")
    for position in range(SHINGLE_CHARS)
]
_MULTIPLY_1, _MULTIPLY_2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place: every input bit flips about half of the output bits."""
    import numpy as np

    values ^= values >> np.uint64(30)
    values *= np.uint64(_MULTIPLY_1)
    values ^= values >> np.uint64(27)
    values *= np.uint64(_MULTIPLY_2)
    values ^= values >> np.uint64(31)
    return values


@cache
def _is_letter_table() -> np.ndarray:
    """For each BMP code point, whether _NOT_WORD keeps it: indexing this with a text's code points drops
    punctuation and spaces faster than the regex does, with the regex's own idea of a letter."""
    import numpy as np

    kept = _NOT_WORD.sub("", "".join(map(chr, range(_BMP))))
    table = np.zeros(_BMP, dtype=bool)
    table[_code_points(kept)] = True
    return table


def _code_points(text: str) -> np.ndarray:
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def letter_codes(text: str) -> np.ndarray:
    """Code points of the lowercased text's letters and digits: what the shingles are made of."""
    lowered = text.lower()
    codes = _code_points(lowered)
    if codes.size and codes.max() >= _BMP:
        return _code_points(_NOT_WORD.sub("", lowered))
    return codes[_is_letter_table()[codes]]


def shingle_hashes(codes: np.ndarray) -> np.ndarray:
    """The distinct 64-bit hashes of the SHINGLE_CHARS-long shingles of letter codes (at least that many)."""
    import numpy as np

    codes = codes.astype(np.uint64)
    count = len(codes) - SHINGLE_CHARS + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for position, seed in enumerate(_POSITION_SEEDS):
        hashes ^= codes[position:position + count]
        hashes += np.uint64(seed)
        _splitmix64(hashes)
    hashes.sort()
    distinct = np.empty(count, dtype=bool)
    distinct[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=distinct[1:])
    return hashes[distinct]


def bit_counts(hashes: np.ndarray) -> np.ndarray:
    """How many of the 64-bit hashes have each bit set (index 0 = least significant bit).

    Counted in byte lanes rather than by unpacking every bit: (hashes >> k) & 0x0101…01 holds bit k of each
    byte as a 0/1 byte, and 255 such words add up without a carry between bytes. Three NumPy passes per
    shift instead of a 64-column matrix of bits.
    """
    import numpy as np

    ones = np.zeros(64, dtype=np.int64)
    shifts = np.arange(8, dtype=np.uint64)[:, None]
    for start in range(0, len(hashes), _ROWS_PER_CHUNK):
        chunk = hashes[start:start + _ROWS_PER_CHUNK]
        padded = np.zeros(-(-len(chunk) // _LANE_ROWS) * _LANE_ROWS, dtype=np.uint64)
        padded[:len(chunk)] = chunk
        lanes = (padded >> shifts) & np.uint64(_BYTE_LANES)  # [k, row]: bit k of each byte of the row
        lane_sums = lanes.reshape(8, -1, _LANE_ROWS).sum(axis=2, dtype=np.uint64)  # each byte <= 255
        per_shift = lane_sums.view(np.uint8).reshape(8, -1, 8).sum(axis=1, dtype=np.int64)  # [k, byte]
        ones += per_shift.T.reshape(64)  # bit 8 * byte + k
    return ones


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of a text (fits a BIGINT column); 0 for a text with no letters or digits."""
    import numpy as np

    codes = letter_codes(text)
    if not codes.size:
        return 0
    if len(codes) < SHINGLE_CHARS:  # one shingle: its hash is the fingerprint
        letters = codes.tobytes().decode("utf-32-le", "surrogatepass")
        return _signed(int.from_bytes(blake2b(letters.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"))
    hashes = shingle_hashes(codes)
    majority = np.packbits(bit_counts(hashes) * 2 > len(hashes), bitorder="little")
    return _signed(int.from_bytes(majority.tobytes(), "little"))


def _signed(value: int) -> int:
    return value - (1 << 64) if value >> 63 else value


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()
