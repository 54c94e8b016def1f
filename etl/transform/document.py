"""Combine extract, agencies and metrics into the record the loader writes for one file."""

from __future__ import annotations

import hashlib

from etl.extract import extract_document
from etl.records import DocumentRecord
from etl.transform.agencies import attribution, find_agencies
from etl.transform.duplicates import simhash
from etl.transform.metrics import document_on_topic, extract_metrics
from etl.transform.unresolved import unresolved_mentions
from etl.version import extractor_version


def transform_document(
    data: bytes, source_path: str, *, sha256: str | None = None
) -> DocumentRecord:
    """Everything the database will hold for this file. Raises StageError for input it cannot use."""
    extracted = extract_document(data, source_path)
    agencies = find_agencies(extracted)
    metrics = extract_metrics(extracted.body_text, title=extracted.title, published_on=extracted.published_on)
    for metric in metrics:
        metric.agency_name, metric.agency_basis = attribution(metric.char_start, agencies, extracted.body_text)
    return DocumentRecord(
        source_path=source_path,
        content_sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        extractor_version=extractor_version(),
        extracted=extracted,
        on_topic=document_on_topic(extracted.title, extracted.body_text),
        simhash=simhash(extracted.body_text) if extracted.body_text else None,
        agencies=agencies,
        metrics=metrics,
        # only where a figure may have fallen back for want of its agency: the review queue's concern
        unresolved_agencies=unresolved_mentions(extracted.body_text, agencies) if metrics else (),
    )
