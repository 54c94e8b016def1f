"""Extract stage: files on disk -> ExtractedDocument (format, encoding, metadata, clean body text).

`extract_document` is imported on first use, so code that only walks and stats files (a no-change re-run)
does not pay for importing lxml, BeautifulSoup and YAML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.extract.document import extract_document

__all__ = ["extract_document"]


def __getattr__(name: str) -> Any:
    if name == "extract_document":
        from etl.extract.document import (
            extract_document,  # start-up: lxml, BeautifulSoup and YAML on first use
        )

        return extract_document
    raise AttributeError(f"module 'etl.extract' has no attribute {name!r}")
