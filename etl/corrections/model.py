"""What a correction is: its kinds, their fields, and the validation every one passes before a run uses it.

A correction names its target so that it survives re-transforms and extractor upgrades: a document by its
`document` (source_path) and/or `sha256` (content_sha256), a figure by its `raw_text` as written and its
`occurrence` (the n-th place that text appears in the document's body; 0 for a figure only in the title),
never by a database id.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from etl.constants import LEVELS, QUALIFIERS
from etl.load.vocabulary import indicator_codes

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_NAME = 200  # agencies.name, sources.name
MAX_UNIT = 16  # metrics.unit

# The fields every correction may have, and those of each kind.
COMMON = ("kind", "note")
DOCUMENT = ("document", "sha256")
METRIC = ("raw_text", "occurrence")
METRIC_VALUES = ("indicator", "agency", "value", "value_max", "unit", "qualifier", "period_start", "period_end",
                 "cumulative", "on_topic")
DOCUMENT_VALUES = ("title", "date", "source", "source_kind", "original_source", "on_topic")
ALIAS_VALUES = ("alias", "name", "level", "region", "region_code")
MERGE_VALUES = ("agency", "into", "level", "region", "region_code")
LINK_VALUES = ("duplicate_of", "duplicate_of_sha256")

KINDS: dict[str, tuple[str, ...]] = {
    "suppress_metric": DOCUMENT + METRIC,
    "set_metric": DOCUMENT + METRIC + METRIC_VALUES,
    "set_document": DOCUMENT + DOCUMENT_VALUES,
    "agency_alias": ALIAS_VALUES + DOCUMENT,
    "merge_agencies": MERGE_VALUES,
    "link_duplicate": DOCUMENT + LINK_VALUES,
    "unlink_duplicate": DOCUMENT + LINK_VALUES,
    "accept": DOCUMENT + METRIC,
}
# Kinds whose target is a document (for agency_alias: only when it names one, else every document).
DOCUMENT_KINDS = frozenset({"suppress_metric", "set_metric", "set_document", "link_duplicate", "unlink_duplicate",
                            "accept"})
METRIC_KINDS = frozenset({"suppress_metric", "set_metric"})
DUPLICATE_KINDS = frozenset({"link_duplicate", "unlink_duplicate"})
NULLABLE = frozenset({"indicator", "agency", "value_max", "period_start", "period_end", "title", "date", "source",
                      "original_source", "region", "region_code"})
SOURCE_KINDS = ("media", "wire", "government", "other")


class CorrectionError(ValueError):
    """A correction that cannot be used, with where it is written: a usage error (exit 2), nothing is written."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True, slots=True)
class Correction:
    """One validated correction. `values` holds the kind's own fields (what to set, the alias, the merge)."""

    kind: str
    file: str  # relative to the corrections folder
    line: int
    document: str | None = None  # source_path
    sha256: str | None = None  # content_sha256
    raw_text: str | None = None
    occurrence: int | None = None
    values: tuple[tuple[str, Any], ...] = ()
    note: str | None = None
    key: str = field(default="", compare=False)

    def get(self, name: str, default: Any = None) -> Any:
        for key, value in self.values:
            if key == name:
                return value
        return default

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.values)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def targets_document(self) -> bool:
        return self.document is not None or self.sha256 is not None

    def spec(self) -> dict[str, Any]:
        """The correction as the mapping it was written as (JSON-ready: dates and decimals as text)."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in ("document", "sha256", "raw_text", "occurrence"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        out.update((k, _plain(v)) for k, v in self.values)
        if self.note:
            out["note"] = self.note
        return out

    def describe(self) -> str:
        """What it corrects, in a few words (the corrections.target column, the run summary)."""
        where = self.document or (self.sha256[:12] if self.sha256 else None)
        figure = f"{self.raw_text} (occurrence {self.occurrence})" if self.raw_text is not None else None
        if self.kind == "agency_alias":
            text = f"{self.get('alias')} -> {self.get('name')}"
            return f"{text} in {where}" if where else text
        if self.kind == "merge_agencies":
            return f"{self.get('agency')} -> {self.get('into')}"
        if self.kind in DUPLICATE_KINDS:
            other = self.get("duplicate_of") or (self.get("duplicate_of_sha256") or "")[:12] or None
            return f"{where} -> {other}" if other else f"{where}"
        return f"{figure} in {where}" if figure else f"{where}"


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


def correction_key(c: Correction) -> str:
    """SHA-256 of what the correction says (not where it is written nor its note): editing it makes a new one."""
    spec = c.spec()
    spec.pop("note", None)
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def make_correction(data: Any, file: str, line: int, field_lines: dict[str, int] | None = None,
                    indicator_codes: frozenset[str] | None = None) -> Correction:
    """Validate one mapping (from YAML, CSV or the database) into a Correction; CorrectionError names the line."""
    lines = field_lines or {}

    def fail(message: str, name: str | None = None) -> CorrectionError:
        at = lines.get(name, line) if name else line
        return CorrectionError(f"{file}:{at}" if at else file, message)

    if not isinstance(data, dict):
        raise fail(f"a correction is a mapping of fields (kind: …), not {_what(data)}")
    kind = data.get("kind")
    if kind not in KINDS:
        known = ", ".join(KINDS)
        raise fail(f"unknown kind {kind!r}; the kinds are {known}" if kind else f"no kind; the kinds are {known}",
                   "kind")
    allowed = set(COMMON) | set(KINDS[kind])
    for name in data:
        if name not in allowed:
            raise fail(f"{kind} has no field {name!r}; its fields are {', '.join(KINDS[kind])}, note", name)
    values: dict[str, Any] = {}
    for name, raw in data.items():
        if name in COMMON:
            continue
        try:
            values[name] = _convert(name, raw, indicator_codes)
        except ValueError as exc:
            raise fail(f"{name}: {exc}", name) from None
    note = data.get("note")
    if note is not None and not isinstance(note, str | int | float):
        raise fail("note: write it as text", "note")
    try:
        _check_kind(kind, values)
    except ValueError as exc:
        raise fail(str(exc)) from None
    target = {name: values.pop(name) for name in (*DOCUMENT, *METRIC) if name in values}
    if kind in METRIC_KINDS or (kind == "accept" and "raw_text" in target):
        target.setdefault("occurrence", 1)
    correction = Correction(kind=kind, file=file, line=line, values=tuple(values.items()),
                            note=str(note).strip() if note is not None else None, **target)
    return _with_key(correction)


def _with_key(c: Correction) -> Correction:
    from dataclasses import replace

    return replace(c, key=correction_key(c))


def _what(value: Any) -> str:
    return "a list" if isinstance(value, list) else "empty" if value is None else f"the {type(value).__name__} {value!r}"


def _check_kind(kind: str, v: dict[str, Any]) -> None:
    """The rules between fields of one kind (each field's own value is checked in _convert)."""
    has_document = v.get("document") is not None or v.get("sha256") is not None
    if kind in DOCUMENT_KINDS and not has_document:
        raise ValueError(f"{kind} needs its document: document (its source_path) and/or sha256")
    if kind in METRIC_KINDS and not v.get("raw_text"):
        raise ValueError(f"{kind} needs raw_text: the figure as written in the document (e.g. 2.5亿元)")
    if "occurrence" in v and "raw_text" not in v:
        raise ValueError("occurrence counts places of raw_text: give raw_text too")
    if kind == "set_metric" and not any(name in v for name in METRIC_VALUES):
        raise ValueError(f"set_metric sets nothing: give one of {', '.join(METRIC_VALUES)}")
    if kind == "set_document" and not any(name in v for name in DOCUMENT_VALUES if name != "source_kind"):
        raise ValueError(f"set_document sets nothing: give one of {', '.join(DOCUMENT_VALUES)}")
    if "source_kind" in v and "source" not in v:
        raise ValueError("source_kind is the kind of the source set here: give source too")
    if kind == "agency_alias":
        for name in ("alias", "name", "level"):
            if not v.get(name):
                raise ValueError(f"agency_alias needs {name}")
        if v["level"] != "national" and not v.get("region"):
            raise ValueError(f"a {v['level']} agency needs its region (the full path, e.g. 安徽省黄山市)")
    if kind == "merge_agencies":
        for name in ("agency", "into"):
            if not v.get(name):
                raise ValueError(f"merge_agencies needs {name}")
        if v["agency"] == v["into"]:
            raise ValueError("merge_agencies: agency and into are the same")
    if kind == "link_duplicate" and v.get("duplicate_of") is None and v.get("duplicate_of_sha256") is None:
        raise ValueError("link_duplicate needs the copy it duplicates: duplicate_of and/or duplicate_of_sha256")
    if kind == "set_metric" and "value_max" in v and v.get("value_max") is not None and "value" in v:
        if v["value_max"] < v["value"]:
            raise ValueError("value_max is below value")
    start, end = v.get("period_start"), v.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        raise ValueError("period_end is before period_start")


def _convert(name: str, raw: Any, indicator_codes: frozenset[str] | None) -> Any:
    """One field's value, checked and in the form the database holds (ValueError says what is wrong)."""
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("null", "none", "~")):
        if name in NULLABLE:
            return None
        raise ValueError("may not be empty")
    if name in ("value", "value_max"):
        return _number(raw)
    if name in ("period_start", "period_end", "date"):
        return _date(raw)
    if name in ("cumulative", "on_topic"):
        return _boolean(raw)
    if name == "occurrence":
        if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).strip().isdigit():
            raise ValueError(f"a whole number ≥ 0 (1 = the first place the text appears), not {raw!r}")
        return int(raw)
    text = _text(raw)
    if name in ("sha256", "duplicate_of_sha256"):
        text = text.lower()
        if not SHA256.match(text):
            raise ValueError(f"a SHA-256 is 64 hex digits, not {text!r}")
    elif name == "indicator":
        codes = indicator_codes if indicator_codes is not None else _indicator_codes()
        if text not in codes:
            raise ValueError(f"unknown indicator {text!r} (the codes are in etl/rules/indicators.csv)")
    elif name == "qualifier" and text not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {text!r}; one of {', '.join(QUALIFIERS)}")
    elif name == "level" and text not in LEVELS:
        raise ValueError(f"unknown level {text!r}; one of {', '.join(LEVELS)}")
    elif name == "source_kind" and text not in SOURCE_KINDS:
        raise ValueError(f"unknown source kind {text!r}; one of {', '.join(SOURCE_KINDS)}")
    elif name == "unit" and len(text) > MAX_UNIT:
        raise ValueError(f"at most {MAX_UNIT} characters")
    elif name == "region_code" and not re.fullmatch(r"\d{6}", text):
        raise ValueError(f"a six-digit division code, not {text!r}")
    elif name in ("agency", "into", "name", "alias", "source", "original_source") and len(text) > MAX_NAME:
        raise ValueError(f"at most {MAX_NAME} characters")
    return text


def _text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(f"write it as text, not {_what(raw)}")
    text = str(raw).strip()
    if not text:
        raise ValueError("may not be empty")
    return text


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"a number in base units (yuan for CNY), not {raw!r}")
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"a number in base units (yuan for CNY; 250000000 for 2.5亿元), not {raw!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"a finite number ≥ 0, not {raw!r}")
    return value


def _date(raw: Any) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(f"a date as YYYY-MM-DD, not {raw!r}") from None


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "yes", "1", "y"):
        return True
    if text in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"true or false, not {raw!r}")


def _indicator_codes() -> frozenset[str]:

    return indicator_codes()
