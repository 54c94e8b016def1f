"""Near-duplicate fingerprints: 64-bit SimHash over character shingles of body_text.

Outlets republish each other with small edits (an extra byline, other brackets, a changed timestamp), so
the text is first reduced to its letters and digits: punctuation, brackets, quotes and spaces carry no
story. Shingles are 4 characters long, each counted once, and the sign of the per-bit sum gives the
fingerprint. A shingle's 64-bit hash chains the splitmix64 finalizer over its 4 code points (each position
with its own seed), computed for all shingles of a text at once with NumPy: stable across processes and
platforms (unlike ``hash()``), and ~8x faster than the BLAKE2b-per-shingle version it replaced, which
was half of the whole transform (bench/README.md).

DUPLICATE_MAX_DISTANCE was measured with this hash (tests/extract/test_duplicates.py keeps it honest):
- seed 002 (贝果财经) against a Sina-style republished copy (tests/fixtures/extract/republished_002_sina.md:
  extra 记者 byline, 「」 and （） instead of “” and (), editor line, ad comment, 13 s later): distance 2;
  the copy plus one extra sentence: 2; with 1 of its 18 paragraphs dropped at random: median 4 (200 draws),
  2 dropped: median 8, 4 dropped: median 11.
- the 51 daily briefings in corpus/news (one template, different news): closest pair 17, median 29.
- the five seeds among themselves: 26 to 39.
- laws: 57 pairs within 6 bits (53 with the BLAKE2b hash; the nearest-neighbour histograms of the two
  agree bin by bin within noise): successive versions of one law and cities' regulations copied from one
  model text (…市制定地方性法规条例).
6 keeps a republished copy with light edits, and stays well below the briefings (≥ 17); it links versions of
one law and the closest model-text copies, which are in effect the same text. The loader's pigeonhole
banding then uses 7 bands of 9 bits.
"""

from __future__ import annotations

import re
from hashlib import blake2b
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DUPLICATE_MAX_DISTANCE = 6
SHINGLE_CHARS = 4
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_MASK64 = (1 << 64) - 1
_ROWS_PER_CHUNK = 1 << 16  # bounds the 64-bytes-per-shingle bit matrix of a very long text to 4 MiB

# Per-position seeds, so 'abcd' and 'dcba' hash apart; and the splitmix64 finalizer's constants. Plain ints:
# NumPy (~60 ms, ~15 MB) is imported on the first fingerprint, not by the loader importing the threshold.
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


def shingle_hashes(letters: str) -> np.ndarray:
    """The distinct 64-bit hashes of the SHINGLE_CHARS-character shingles of letters (at least that long)."""
    import numpy as np

    codes = np.frombuffer(letters.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
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


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of a text (fits a BIGINT column); 0 for a text with no letters or digits."""
    letters = _NOT_WORD.sub("", text.lower())
    if not letters:
        return 0
    if len(letters) < SHINGLE_CHARS:  # one shingle: its hash is the fingerprint
        return _signed(int.from_bytes(blake2b(letters.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"))
    import numpy as np

    hashes = shingle_hashes(letters).astype("<u8", copy=False)
    ones = np.zeros(64, dtype=np.int64)
    for start in range(0, len(hashes), _ROWS_PER_CHUNK):
        rows = hashes[start:start + _ROWS_PER_CHUNK].view(np.uint8).reshape(-1, 8)
        ones += np.unpackbits(rows, axis=1, bitorder="little").sum(axis=0, dtype=np.int64)
    majority = np.packbits(ones * 2 > len(hashes), bitorder="little")
    return _signed(int.from_bytes(majority.tobytes(), "little"))


def _signed(value: int) -> int:
    return value - (1 << 64) if value >> 63 else value


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()
