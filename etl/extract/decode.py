"""Raw bytes -> clean Unicode text plus the name of the encoding it was written in.

Users collect files from many places: UTF-8 (with or without BOM), GB18030/GBK and Big5 are all common in
Chinese material. UTF-8 is tried first because it is by far the most common and a strict decode of it is
almost never a false positive; otherwise charset-normalizer picks among the candidates. A file is refused
rather than turned into a document of replacement characters.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from etl.records import StageError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Chinese legacy encodings a strict decode is tried with when charset-normalizer is unsure.
_CHINESE_LEGACY = ("gb18030", "big5")
# Names charset-normalizer may report for the GB family: GB18030 decodes all of them, so record that.
_GB_FAMILY = {"gb2312", "gbk", "cp936", "gb18030", "hz"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS_OTHER_THAN_LF = ("\r", "\u2028", "\u2029", "\x85")
_LINE_END = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Spaces that pad Chinese paragraphs (full-width U+3000, no-break U+00A0) at line starts and ends.
_EDGE_SPACES = " \t\u3000\u00a0"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes outside a UTF-16/32 BOM file mean an image, archive or office file, not text."""
    return b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _readable(text: str) -> bool:
    """Whether a decoded text is something a person can read (few replacement or control characters)."""
    if not text:
        return False
    bad = text.count("\ufffd") + len(_CONTROL.findall(text[:20000]))
    return bad <= max(2, len(text) // 1000)


def _cjk_share(text: str) -> float:
    """Share of common CJK ideographs among the non-ASCII characters: high for a correct Chinese decode."""
    non_ascii = [ch for ch in text[:4000] if ord(ch) > 127]
    if not non_ascii:
        return 1.0
    common = sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
                 or "\uff00" <= ch <= "\uffef")
    return common / len(non_ascii)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def detect_and_decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) for raw bytes; StageError("decode", …) when nothing decodes cleanly."""
    if _looks_binary(data):
        raise StageError("decode", "binary file (NUL bytes)")
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, name)
            if text is not None and _readable(text):
                return text, "utf-8-sig" if name == "utf-8-sig" else name
            raise StageError("decode", f"starts with a {name} byte-order mark but does not decode as {name}")
    text = _strict(data, "utf-8")
    if text is not None:
        if not _readable(text):
            raise StageError("decode", "binary file (control characters)")
        return text, "utf-8"
    candidates: list[tuple[str, str]] = []
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        name = best.encoding.replace("_", "").lower()
        name = "gb18030" if name in _GB_FAMILY else best.encoding.replace("_", "-")
        decoded = _strict(data, name)
        if decoded is not None:
            candidates.append((name, decoded))
    for name in _CHINESE_LEGACY:
        if all(name != seen for seen, _ in candidates):
            decoded = _strict(data, name)
            if decoded is not None:
                candidates.append((name, decoded))
    readable = [(name, decoded) for name, decoded in candidates if _readable(decoded)]
    if not readable:
        raise StageError("decode", "no encoding decodes it cleanly")
    # GBK bytes often also decode as Big5 (and vice versa) into nonsense; the decode made of common
    # Chinese characters is the right one. Ties keep charset-normalizer's order.
    name, decoded = max(readable, key=lambda pair: _cjk_share(pair[1]))
    return decoded, name


def normalise_text(text: str) -> str:
    """One line-ending style (LF) and no BOM; indentation is kept because YAML front matter needs it."""
    text = text.lstrip("\ufeff")
    if not any(brk in text for brk in _LINE_BREAKS_OTHER_THAN_LF):
        return text  # most files are LF already: four substring scans instead of a regex pass over them
    return _LINE_END.sub("\n", text)


def trim_line_edges(text: str) -> str:
    """Drop the spaces (full-width ones included) that pad Chinese paragraphs at line starts and ends."""
    # str.strip per line: a MULTILINE ^…|…$ regex has no literal prefix and tried every position (3x slower)
    return "\n".join([line.strip(_EDGE_SPACES) for line in text.split("\n")])
