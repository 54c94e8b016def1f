"""How a correction's target is found again: a figure by its text and occurrence, a document by path and bytes.

Shared by the pipeline (applying corrections to a transformed record) and the review queue (which writes the
targets into its CSV), so that both count occurrences the same way.
"""

from __future__ import annotations

from etl.corrections.model import Correction


def metric_occurrence(body_text: str, raw_text: str, char_start: int | None) -> int:
    """Which place of raw_text in body_text a figure at char_start is: 1 for the first, 2 for the second …;
    0 for a figure found only in the title (no offset in the body)."""
    if char_start is None or not raw_text:
        return 0
    count, at = 0, body_text.find(raw_text)
    while 0 <= at <= char_start:
        count += 1
        at = body_text.find(raw_text, at + len(raw_text))
    return max(count, 1)


def matches_document(c: Correction, source_path: str, sha256: str) -> bool:
    """A correction naming a path holds for the document at that path; naming bytes, for the document with
    those bytes; naming both, only while the file at that path still has those bytes."""
    if c.document is not None and c.document != source_path:
        return False
    if c.sha256 is not None and c.sha256 != sha256:
        return False
    return c.targets_document
