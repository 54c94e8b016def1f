"""Near-duplicate fingerprints: 64-bit SimHash over character shingles of body_text.

Outlets republish each other with small edits (an extra byline, other brackets, a changed timestamp), so
the text is first reduced to its letters and digits: punctuation, brackets, quotes and spaces carry no
story. Shingles are 4 characters long, each counted once, hashed with BLAKE2b (stable across processes,
unlike ``hash()``), and the sign of the per-bit sum gives the fingerprint.

DUPLICATE_MAX_DISTANCE was measured (tests/extract/test_duplicates.py keeps the measurement honest):
- seed 002 (贝果财经) against a Sina-style republished copy (tests/fixtures/extract/republished_002_sina.md:
  extra 记者 byline, 「」 and （） instead of “” and (), editor line, ad comment, 13 s later): distance 1;
  the copy plus one extra sentence: 2; with 1 to 3 of its 18 paragraphs dropped: 5; 4 dropped: 12.
- the 51 daily briefings in corpus/news (one template, different news): closest pair 14, median 29.
- the five seeds among themselves: 24 to 40.
- laws: different cities' regulations copied from one model text (…市制定地方性法规条例) are 6 to 9 apart,
  successive versions of one law 0 to 9.
6 keeps every edited copy above (≤ 5) and stays well below the briefings (≥ 14); it links versions of one
law and the closest model-text copies, which are in effect the same text. The loader's pigeonhole banding
then uses 7 bands of 9 bits.
"""

from __future__ import annotations

import re
from collections import Counter
from hashlib import blake2b

DUPLICATE_MAX_DISTANCE = 6
SHINGLE_CHARS = 4
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_MASK64 = (1 << 64) - 1


def _shingles(text: str) -> set[str]:
    letters = _NOT_WORD.sub("", text.lower())
    if len(letters) <= SHINGLE_CHARS:
        return {letters} if letters else set()
    return {letters[i:i + SHINGLE_CHARS] for i in range(len(letters) - SHINGLE_CHARS + 1)}


def simhash(text: str) -> int:
    """Signed 64-bit SimHash of a text (fits a BIGINT column); 0 for a text with no letters or digits."""
    shingles = _shingles(text)
    if not shingles:
        return 0
    digests = b"".join(blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    half = len(shingles) / 2
    value = 0
    # Count set bits per position a byte column at a time: Counter over a bytes slice runs in C.
    for byte_index in range(8):
        counts = Counter(digests[byte_index::8])
        for bit in range(8):
            ones = sum(count for byte, count in counts.items() if byte >> bit & 1)
            if ones > half:
                value |= 1 << (byte_index * 8 + bit)
    return value - (1 << 64) if value >> 63 else value


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK64).bit_count()
