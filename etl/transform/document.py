"""Combine extract, agencies and metrics into the record the loader writes for one file."""

from __future__ import annotations

import dataclasses
import hashlib

from etl.extract import extract_document
from etl.records import AgencyMention, DocumentRecord, ExtractedDocument, MetricRecord
from etl.transform.agencies import attribution, find_agencies
from etl.transform.duplicates import simhash
from etl.transform.metrics import document_on_topic, extract_metrics
from etl.transform.script import has_traditional, to_simplified
from etl.transform.units import local_currency
from etl.transform.unresolved import unresolved_mentions
from etl.version import extractor_version


def rules_view(extracted: ExtractedDocument) -> ExtractedDocument:
    """The document as the rules read it: traditional characters in simplified form, same lengths.

    The very same object when nothing is in traditional script (the usual case costs one scan)."""
    fields = ("title", "body_text", "publisher_agency", "dateline")
    texts = (extracted.title, extracted.body_text, extracted.publisher_agency, extracted.dateline,
             *extracted.issuers, *extracted.cc)
    if not any(has_traditional(text) for text in texts):
        return extracted
    changes = {name: to_simplified(getattr(extracted, name)) for name in fields}
    changes["issuers"] = tuple(to_simplified(text) for text in extracted.issuers)
    changes["cc"] = tuple(to_simplified(text) for text in extracted.cc)
    return dataclasses.replace(extracted, **changes)


def _as_written(agencies: list[AgencyMention], original: str) -> list[AgencyMention]:
    """Mentions with the surface forms as the document writes them (國家醫保局) among their aliases."""
    out = []
    for mention in agencies:
        written = {original[start:end]: None for start, end in mention.spans}
        aliases = tuple(dict.fromkeys((*mention.aliases, *written)))
        out.append(dataclasses.replace(mention, aliases=aliases) if aliases != mention.aliases else mention)
    return out


def _evidence_as_written(metrics: list[MetricRecord], read: ExtractedDocument, original: ExtractedDocument) -> None:
    """raw_text and sentence from the text as written: offsets are the same in both forms."""
    body, read_body = original.body_text or "", read.body_text or ""
    for metric in metrics:
        if metric.char_start is not None and metric.char_end is not None:
            metric.raw_text = body[metric.char_start:metric.char_end]
            at = read_body.find(metric.sentence, max(0, metric.char_start - len(metric.sentence)))
            if at != -1:
                metric.sentence = body[at:at + len(metric.sentence)]
        elif read.title and original.title and metric.raw_text in read.title:
            at = read.title.find(metric.raw_text)
            metric.raw_text = original.title[at:at + len(metric.raw_text)]
            if metric.sentence == read.title.strip():
                metric.sentence = original.title.strip()


def transform_document(
    data: bytes, source_path: str, *, sha256: str | None = None
) -> DocumentRecord:
    """Everything the database will hold for this file. Raises StageError for input it cannot use."""
    extracted = extract_document(data, source_path)
    read = rules_view(extracted)
    agencies = find_agencies(read)
    metrics = extract_metrics(read.body_text, title=read.title, published_on=read.published_on)
    outlets = tuple(ref.name for ref in (extracted.source, extracted.original_source) if ref is not None)
    currency = local_currency(outlets, read.body_text or "") if outlets else None
    for metric in metrics:
        metric.agency_name, metric.agency_basis = attribution(metric.char_start, agencies, read.body_text)
        if currency is not None and metric.unit == "CNY":
            metric.unit = currency  # 5000元 on a Hong Kong outlet's page is HKD
    if read is not extracted:
        agencies = _as_written(agencies, extracted.body_text or "")
        _evidence_as_written(metrics, read, extracted)
    return DocumentRecord(
        source_path=source_path,
        content_sha256=sha256 or hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        extractor_version=extractor_version(),
        extracted=extracted,
        on_topic=document_on_topic(read.title, read.body_text),
        simhash=simhash(extracted.body_text) if extracted.body_text else None,
        agencies=agencies,
        metrics=metrics,
        # only where a figure may have fallen back for want of its agency: the review queue's concern
        unresolved_agencies=unresolved_mentions(read.body_text, agencies) if metrics else (),
    )
