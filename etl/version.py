"""The extractor version: changes whenever the extract or transform code or its data files change.

Each document records the version that made it; a run re-transforms documents made by another version, so
an improved extractor reaches files that did not change.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from etl import __version__

_PACKAGE = Path(__file__).resolve().parent
_PARTS = ("extract", "transform", "data", "records.py")


@cache
def extractor_version() -> str:
    digest = hashlib.sha256()
    for part in _PARTS:
        path = _PACKAGE / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix in (".pyc",) or "__pycache__" in file.parts:
                continue
            digest.update(file.relative_to(_PACKAGE).as_posix().encode())
            digest.update(file.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"
