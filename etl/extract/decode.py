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


# Windows-1252 punctuation that Word on a western Windows puts into otherwise GBK text: ‘ ’ “ ” – — …
# These bytes are also GBK lead bytes, so a GB18030 decode reads each with the byte after it as one rare
# character and stays out of step until the next ASCII byte: "根据“两定机构”" came out as "根据摿蕉ɑ箶".
_CP1252_PUNCTUATION = b"\x91\x92\x93\x94\x96\x97\x85"
_GB_RUN = re.compile(  # GB18030 characters whose first byte is none of those (four-byte ones included)
    rb"(?:[\x00-\x7f]|[\x81-\x84\x86-\x90\x95\x98-\xfe](?:[\x30-\x39][\x81-\xfe][\x30-\x39]|[\x40-\x7e\x80-\xfe]))+")
CP1252_IN_GB = "gb18030+cp1252"  # the encoding recorded for such a text, repaired


def _gb_with_cp1252_punctuation(data: bytes) -> str | None:
    """data read as GB18030 in which a byte of _CP1252_PUNCTUATION where a character starts is that
    Windows-1252 mark; None when it does not decode so."""
    pieces: list[str] = []
    position, end = 0, len(data)
    while position < end:
        run = _GB_RUN.match(data, position)
        if run:
            text = _strict(run.group(), "gb18030")
            if text is None:
                return None
            pieces.append(text)
            position = run.end()
            continue
        if data[position] not in _CP1252_PUNCTUATION:
            return None
        pieces.append(data[position:position + 1].decode("cp1252"))
        position += 1
    return "".join(pieces)


def _common_share(text: str) -> float:
    """Share of the 3,755 most common characters (GB2312 level 1) among the Chinese characters: a text read
    out of step is made of rare ones."""
    chinese = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not chinese:
        return 0.0
    common = 0
    for ch in chinese:
        try:
            common += 0xB0 <= ch.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            pass
    return common / len(chinese)


def _repaired_punctuation(data: bytes, decoded: str) -> str | None:
    """The text with its Windows-1252 quotes read as quotes, when that is what the bytes are: the marks pair
    up (every “ closed by a ”, every ‘ by a ’) and the text reads as more common characters than the plain
    GB18030 decode; else None."""
    if not any(byte in data for byte in _CP1252_PUNCTUATION):
        return None
    repaired = _gb_with_cp1252_punctuation(data)
    if repaired is None or repaired == decoded:
        return None
    marks = repaired.count("“") + repaired.count("‘") + repaired.count("–") + repaired.count("—") + repaired.count("…")
    if not marks or repaired.count("“") != repaired.count("”") or repaired.count("‘") != repaired.count("’"):
        return None
    return repaired if _common_share(repaired) > _common_share(decoded) else None


MIXED_UTF8_GB = "utf-8+gb18030"  # the encoding recorded for a text whose lines are in two code pages


def _mixed_lines(data: bytes) -> str | None:
    """A UTF-8 text with some lines in GB18030 (pasted from an old file): each line in its own code page.

    None unless both occur: a line counts as UTF-8 only when it decodes so and reads as Chinese (a short
    GBK line can be valid UTF-8 by chance, and then reads as Cyrillic or Armenian)."""
    lines = data.split(b"\n")
    pieces: list[str] = []
    utf8 = legacy = 0
    for line in lines:
        if line.isascii():
            pieces.append(line.decode("ascii"))
            continue
        text = _strict(line, "utf-8")
        if text is not None and _cjk_share(text) >= 0.5:
            utf8 += 1
            pieces.append(text)
            continue
        text = _strict(line, "gb18030")
        if text is None:
            return None
        legacy += 1
        pieces.append(text)
    return "\n".join(pieces) if utf8 and legacy else None


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
    mixed = _mixed_lines(data)
    if mixed is not None and _readable(mixed):
        return mixed, MIXED_UTF8_GB  # one code page for the whole garbles the lines of the other
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
    if name == "gb18030":
        repaired = _repaired_punctuation(data, decoded)
        if repaired is not None:
            return repaired, CP1252_IN_GB
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
