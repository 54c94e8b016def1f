"""Extract stage: files on disk -> ExtractedDocument (format, encoding, metadata, clean body text)."""

from etl.extract.document import extract_document

__all__ = ["extract_document"]
