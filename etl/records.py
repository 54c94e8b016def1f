"""Typed records that flow between the stages.

extract (FileRef, bytes -> ExtractedDocument) -> transform (-> DocumentRecord with agencies and metrics) -> load
(an Outcome per file: Transformed, Unchanged, NotDocument or Failed, each with its Task).
Every record is a plain dataclass so it pickles cheaply across process pools and reads well in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from etl.wire import fast_pickle


@fast_pickle
@dataclass(frozen=True, slots=True)
class SourceRef:
    """An outlet or office as it calls itself (新浪财经, 新华社, 歙县政府办)."""

    name: str
    kind: str  # media, wire, government, other


@dataclass(slots=True)
class ExtractedDocument:
    """What the extract stage reads out of one file: format, metadata and clean body text."""

    format: str  # hexo, jekyll, hugo, front_matter, gov_notice, gov_disclosure, markdown, html, text
    encoding: str
    title: str | None = None
    published_at: datetime | None = None  # timezone-aware, UTC; only when a time of day is given
    published_offset: str | None = None  # the original UTC offset as written, e.g. "+08:00", "+00:00"
    published_on: date | None = None  # calendar date in Beijing time
    source: SourceRef | None = None  # publisher of this copy
    original_source: SourceRef | None = None  # outlet that first published the story
    doc_number: str | None = None  # 发文字号
    index_number: str | None = None  # 索引号
    editor: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    url: str | None = None
    issuers: tuple[str, ...] = ()  # issuing bodies as written (first lines / signature of a notice)
    publisher_agency: str | None = None  # 发布机构 / 发布单位 as written
    cc: tuple[str, ...] = ()  # 抄送 recipients as written
    dateline: str | None = None  # place of a dateline (新华社北京12月8日电 -> 北京)
    body_text: str = ""
    adopted_on: date | None = None  # laws: date of adoption (通过/批准/修正/修订) as written in the header
    effective_on: date | None = None  # laws: date of entry into force (施行)
    notes: tuple[str, ...] = ()  # what the extract dropped or repaired (a date out of range …): documents.notes


@fast_pickle
@dataclass(frozen=True, slots=True)
class AgencyMention:
    """A government body named in a document, under its canonical name."""

    name: str  # canonical full name, e.g. 国家医疗保障局
    level: str  # national, provincial, prefectural, county, township
    region: str | None  # full path, e.g. 安徽省黄山市歙县; None for national bodies
    region_code: str | None  # six-digit division code
    role: str  # issuer, publisher, mentioned
    mention_count: int = 1
    aliases: tuple[str, ...] = ()  # surface forms met in the document
    spans: tuple[tuple[int, int], ...] = ()  # character offsets of mentions in body_text


@dataclass(slots=True)
class MetricRecord:
    """One reported figure with its evidence."""

    value: Decimal  # base units (yuan for CNY)
    unit: str  # CNY, %, or the measure word (起, 家, 人 …)
    qualifier: str  # exact, approx, more_than, at_least, less_than, at_most, range
    raw_text: str  # the figure as written
    sentence: str  # where it was found
    indicator: str | None = None  # code from the indicators vocabulary
    value_max: Decimal | None = None
    char_start: int | None = None  # offsets of raw_text in body_text (None when found in the title only)
    char_end: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    # year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case (etl.transform.periods)
    period_kind: str | None = None
    cumulative: bool = False
    on_topic: bool = True
    agency_name: str | None = None  # canonical name of the agency the figure belongs to
    agency_basis: str | None = None  # how it was chosen: sentence, issuer, publisher, most_named, none, correction
    extracted_values: str | None = None  # JSON: the extractor's values of the fields corrections changed


@dataclass(slots=True)
class DocumentRecord:
    """Everything the load stage writes for one file."""

    source_path: str
    content_sha256: str
    size_bytes: int
    extractor_version: str
    extracted: ExtractedDocument
    on_topic: bool = False
    simhash: int | None = None  # 64-bit signed, for near-duplicate detection
    agencies: list[AgencyMention] = field(default_factory=list)
    metrics: list[MetricRecord] = field(default_factory=list)
    unresolved_agencies: tuple[str, ...] = ()  # bare agency mentions with no place to resolve them (市医保局)
    extracted_values: str | None = None  # JSON: the extractor's values of the fields corrections changed


@fast_pickle
@dataclass(frozen=True, slots=True)
class Failure:
    """A file that could not become a document, and why (one line a person understands)."""

    source_path: str
    stage: str  # walk, read, decode, parse, transform, load
    reason: str
    content_sha256: str | None = None


class StageError(Exception):
    """Raised by a stage for input it cannot handle; becomes a Failure row, never a crash."""

    def __init__(self, stage: str, reason: str):
        super().__init__(reason)
        self.stage = stage
        self.reason = reason


class NotADocument(StageError):
    """A readable file that is navigation, not a document (a section index page): skipped, not failed."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class FileRef:
    """A document file found by the walk."""

    file_path: str  # absolute path as stored (stored_path): identifies the document
    source_path: str  # relative to the folder given (a file given directly: its name), shown_name() form
    size: int
    mtime_ns: int
    open_path: str = ""  # the OS path to read when it is not file_path (a resolved link, a non-UTF-8 name)

    @property
    def os_path(self) -> str:
        return self.open_path or self.file_path


# What a worker hands the load for one file (etl.work makes them; the loader writes them).
@fast_pickle
@dataclass(frozen=True, slots=True)
class Task:
    """A file to look at, with what the database already knows of it."""

    ref: FileRef
    doc_id: int | None  # the existing document at this path, if any
    known_sha256: str | None  # its stored hash
    force: bool  # re-transform even if the bytes are unchanged (new extractor version, --reprocess)
    was_skipped: bool = False  # skipped_files has a row for this path (turned away by an earlier run)


@fast_pickle
@dataclass(frozen=True, slots=True)
class Unchanged:
    task: Task
    sha256: str


@fast_pickle
@dataclass(frozen=True, slots=True)
class Transformed:
    task: Task
    record: DocumentRecord


@fast_pickle
@dataclass(frozen=True, slots=True)
class NotDocument:
    """A readable file that is not a document (e.g. a section index page): counted as skipped."""

    task: Task
    reason: str
    sha256: str | None = None  # remembered in skipped_files, so the next run need not read it again


@fast_pickle
@dataclass(frozen=True, slots=True)
class Failed:
    task: Task
    failure: Failure


Outcome = Unchanged | Transformed | NotDocument | Failed
