"""The review queue (sql/review_queue.sql) as items a person can act on, and its CSV round trip.

Export: the queue's rows with what a correction needs to find its target again (the document's path and
SHA-256, a figure's occurrence) and empty columns for the fix. Import: the rows someone filled in become
correction files (etl.corrections.files.append), checked like any other; the next `etl run` applies them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from etl.corrections.model import CorrectionError, make_correction
from etl.corrections.targets import metric_occurrence
from etl.load.schema import documents, metrics
from etl.reporting.queries import get_report, run_report

REPORT = "review_queue"
ISSUES = ("conflicting_figure", "missing_agency", "missing_indicator", "unresolved_agency", "agency_by_fallback",
          "missing_date", "missing_source")
LIST_SEPARATOR = "; "
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


@dataclass(slots=True)
class ReviewItem:
    """One thing for a person to look at, with its target as a correction names it."""

    priority: int
    issue: str
    detail: str
    document: str  # source_path
    sha256: str
    title: str | None = None
    raw_text: str | None = None
    occurrence: int | None = None
    value: Any = None
    unit: str | None = None
    indicator: str | None = None
    agency: str | None = None
    agency_basis: str | None = None
    period_start: Any = None
    period_end: Any = None
    sentence: str | None = None
    form: str | None = None  # an unresolved agency mention (市医保局)
    published_on: Any = None
    source: str | None = None
    document_id: int | None = None
    metric_id: int | None = None


# What the person fills in: each column maps to a correction (see import_csv).
FIX_COLUMNS = ("suppress", "accept", "set_indicator", "set_agency", "set_value", "set_value_max", "set_unit",
               "set_qualifier", "set_period_start", "set_period_end", "set_title", "set_date", "set_source",
               "set_on_topic", "alias_name", "alias_level", "alias_region")
INFO_COLUMNS = tuple(f.name for f in fields(ReviewItem))
CSV_COLUMNS = INFO_COLUMNS + FIX_COLUMNS
METRIC_SETS = ("indicator", "agency", "value", "value_max", "unit", "qualifier", "period_start", "period_end")
DOCUMENT_SETS = {"title": "title", "date": "date", "source": "source", "on_topic": "on_topic"}


def review_queue(engine: Engine, issues: Iterable[str] | None = None, limit: int | None = None) -> list[ReviewItem]:
    """The queue, most urgent first (optionally only some issues, at most limit items)."""
    wanted = set(issues) if issues else None
    with engine.connect() as conn:
        result = run_report(conn, get_report(REPORT))
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        if wanted is not None:
            rows = [r for r in rows if r["issue"] in wanted]
        doc_ids = sorted({r["document_id"] for r in rows})
        metric_ids = sorted({r["metric_id"] for r in rows if r["metric_id"] is not None})
        docs: dict[int, tuple[str, str]] = {}
        for part in _chunks(doc_ids):
            d = documents.c
            docs.update((i, (sha, body)) for i, sha, body in conn.execute(
                select(d.id, d.content_sha256, d.body_text).where(d.id.in_(part))))
        starts: dict[int, int | None] = {}
        for part in _chunks(metric_ids):
            starts.update(conn.execute(select(metrics.c.id, metrics.c.char_start).where(metrics.c.id.in_(part))).all())
    items: list[ReviewItem] = []
    for r in rows:
        sha, body = docs[r["document_id"]]
        base = ReviewItem(
            priority=r["priority"], issue=r["issue"], detail=r["detail"] or "", document=r["source_path"], sha256=sha,
            title=r["title"], raw_text=r["raw_text"], value=r["value"], unit=r["unit"], indicator=r["indicator"],
            agency=r["agency_name"], agency_basis=r["agency_basis"], period_start=r["period_start"],
            period_end=r["period_end"], sentence=r["sentence"], published_on=r["published_on"],
            source=r["source_name"], document_id=r["document_id"], metric_id=r["metric_id"])
        if r["metric_id"] is not None:
            base.occurrence = metric_occurrence(body or "", r["raw_text"], starts.get(r["metric_id"]))
            items.append(base)
        elif r["issue"] == "unresolved_agency":
            for form in (r["detail"] or "").split(LIST_SEPARATOR):
                item = ReviewItem(**{**asdict(base), "form": form, "detail": f"{form}: no place to tell which body",
                                     "sentence": _sentence_of(body or "", form)})
                items.append(item)
        else:
            items.append(base)
        if limit is not None and len(items) >= limit:
            return items[:limit]
    return items


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _sentence_of(body: str, form: str) -> str | None:
    at = body.find(form)
    if at < 0:
        return None
    starts = [m.end() for m in _SENTENCE_END.finditer(body, 0, at)]
    end = _SENTENCE_END.search(body, at)
    return body[starts[-1] if starts else 0:end.end() if end else len(body)].strip()


def export_csv(items: list[ReviewItem], path: Path) -> int:
    """Write the items with empty fix columns (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for item in items:
            row = {k: ("" if v is None else v) for k, v in asdict(item).items()}
            writer.writerow({**row, **dict.fromkeys(FIX_COLUMNS, "")})
    return len(items)


def import_csv(path: Path) -> list[dict[str, Any]]:
    """The corrections an edited export asks for, one or more per filled-in row; CorrectionError names the
    CSV line of the first mistake. Rows with no fix column filled in are left out."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("document", "sha256", "raw_text", "occurrence") if c not in (reader.fieldnames or [])]
            if missing:
                raise CorrectionError(path.name, f"not an `etl review --export` file: no column {missing[0]}")
            specs: list[dict[str, Any]] = []
            for row in reader:
                line = reader.line_num
                for spec in _row_specs({k: (v or "").strip() for k, v in row.items() if k is not None}, path.name, line):
                    make_correction(spec, path.name, line)  # checked here, so the error names the CSV line
                    specs.append(spec)
            return specs
    except UnicodeDecodeError:
        raise CorrectionError(path.name, "not UTF-8 text") from None
    except csv.Error as exc:
        raise CorrectionError(path.name, f"not a readable CSV file ({exc})") from None


def _yes(value: str) -> bool:
    return value.lower() in ("yes", "y", "true", "1", "x", "✓")


def _row_specs(row: dict[str, str], name: str, line: int) -> list[dict[str, Any]]:
    target: dict[str, Any] = {k: row[k] for k in ("document", "sha256") if row.get(k)}
    figure = {"raw_text": row["raw_text"], "occurrence": row.get("occurrence") or "1"} if row.get("raw_text") else {}
    specs: list[dict[str, Any]] = []
    metric_sets = {k: row[f"set_{k}"] for k in METRIC_SETS if row.get(f"set_{k}")}
    document_sets = {field: row[f"set_{k}"] for k, field in DOCUMENT_SETS.items() if row.get(f"set_{k}")}
    if metric_sets and not figure:
        raise CorrectionError(f"{name}:{line}", "set_… columns of a figure on a row without one (no raw_text)")
    if metric_sets:
        specs.append({"kind": "set_metric", **target, **figure, **metric_sets})
    if document_sets:
        specs.append({"kind": "set_document", **target, **document_sets})
    if row.get("alias_name"):
        if not row.get("form"):
            raise CorrectionError(f"{name}:{line}", "alias_name on a row without a form (an unresolved_agency row)")
        alias = {"kind": "agency_alias", "alias": row["form"], "name": row["alias_name"],
                 "level": row.get("alias_level") or None, "region": row.get("alias_region") or None, **target}
        specs.append({k: v for k, v in alias.items() if v is not None})
    if _yes(row.get("accept", "")):
        specs.append({"kind": "accept", **target, **figure})
    if _yes(row.get("suppress", "")):
        if not figure:
            raise CorrectionError(f"{name}:{line}", "suppress on a row without a figure (no raw_text)")
        specs.append({"kind": "suppress_metric", **target, **figure})
    return specs
