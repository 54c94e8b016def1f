"""Text a database would refuse, made storable before it reaches one: the same on SQLite and PostgreSQL.

A NUL is refused by PostgreSQL's text types (SQLite stores it, and many tools then cut the value there), and
a lone surrogate (a YAML or JSON escape such as "\\ud800") cannot be encoded as UTF-8 by either driver. One
such character must cost that character, never the file, the batch or the run: NULs are dropped, lone
surrogates become U+FFFD (the replacement character, as a decoder would have made of them).

Cleaning runs in the worker, on every record, so the parent pays nothing; the checks are a memchr for NUL
and one UTF-8 encode per non-ASCII string (laws/: 20 M characters, 0.03 s of worker CPU in all).
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


def clean(value: Any) -> Any:
    """A copy of value (a record, a tuple, a list, a dict, a string) with every string cleaned; value itself,
    unchanged, when no string needed it (so the common case allocates nothing)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple):
        items = tuple(clean(v) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        pairs = {clean(k): clean(v) for k, v in value.items()}
        same = len(pairs) == len(value) and all(k in value and value[k] is v for k, v in pairs.items())
        return value if same else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = clean(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
