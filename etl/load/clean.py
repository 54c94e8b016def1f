"""Text a database would refuse, made storable before it reaches one: the same on SQLite and PostgreSQL.

A NUL is refused by PostgreSQL's text types (SQLite stores it, and many tools then cut the value there), and
a lone surrogate (a YAML or JSON escape such as "\\ud800") cannot be encoded as UTF-8 by either driver. One
such character must cost that character, never the file, the batch or the run: NULs are dropped, lone
surrogates become U+FFFD (the replacement character, as a decoder would have made of them).

Cleaning runs in the worker, so the parent pays nothing, and only on records whose bytes could give such a
character (may_need_cleaning): walking every record cost laws/ 4% of its transform time. Whatever slips
through is still caught at the database: the loader writes a refused batch again file by file.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """value without NULs, its lone surrogates replaced by U+FFFD; value itself when it has neither."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


def may_need_cleaning(data: bytes) -> bool:
    """Whether a file's bytes could give text with a NUL or a lone surrogate. Decoding is strict, so such a
    character comes from a NUL byte or from an escape: a backslash (YAML, JSON, TOML: "\\0", "\\ud800") or a
    character reference ("&#0;", though html.unescape already makes those U+FFFD). Three memchr-speed scans."""
    return b"\x00" in data or b"\\" in data or b"&#" in data


_TEXT_FIELDS: dict[type, tuple[str, ...]] = {}


def _text_fields(cls: type) -> tuple[str, ...]:
    """The fields of a record class that can hold text: those whose annotation names str or a class (a
    nested record); numbers, dates and offsets (agency spans: thousands of int pairs) are never walked."""
    found = _TEXT_FIELDS.get(cls)
    if found is None:
        found = tuple(f.name for f in dataclasses.fields(cls)
                      if "str" in str(f.type) or any(c.isupper() for c in str(f.type).replace("Decimal", "").replace("None", "")))
        _TEXT_FIELDS[cls] = found
    return found


def clean(value: Any) -> Any:
    """A copy of value (a record, a tuple, a list, a dict, a string) with every string cleaned; value itself,
    unchanged, when no string needed it (so the common case allocates nothing)."""
    kind = type(value)
    if kind is str:
        return clean_text(value)
    if kind is tuple or kind is list:
        items = [clean(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if kind is list else tuple(items)
    if kind is dict:
        pairs = {clean(k): clean(v) for k, v in value.items()}
        same = len(pairs) == len(value) and all(k in value and value[k] is v for k, v in pairs.items())
        return value if same else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _text_fields(kind):
            old = getattr(value, name)
            if old is None:
                continue
            new = clean(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
