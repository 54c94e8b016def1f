"""Transform stage: one file's bytes -> a DocumentRecord with its agencies and metrics (pure functions)."""

from etl.transform.document import transform_document

__all__ = ["transform_document"]
