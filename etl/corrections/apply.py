"""Apply corrections to one transformed record: a pure function, run after the transform and before the load.

Order within a document: agency aliases (new mentions, figures re-attributed), agency merges, figure
corrections (set, accept, then suppress), document corrections. Each correction that concerns the record
yields an Outcome (applied, or why not: the figure it names is gone); each row it changes keeps the
extractor's own values in `extracted_values` (JSON), so nothing the extractor said is lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from etl.constants import BEIJING
from etl.corrections.model import DUPLICATE_KINDS, Correction
from etl.corrections.targets import matches_document, metric_occurrence
from etl.records import AgencyMention, DocumentRecord, MetricRecord, SourceRef

CORRECTION_BASIS = "correction"
METRIC_FIELDS = {"agency": "agency_name"}  # correction field -> MetricRecord attribute, where they differ


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    """A body a correction names, as the agencies table holds it."""

    name: str
    level: str
    region: str | None = None
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one correction did to one document."""

    key: str
    applied: bool
    detail: str


@dataclass(slots=True)
class Applied:
    record: DocumentRecord
    outcomes: list[Outcome] = field(default_factory=list)


class Rules:
    """The corrections of a run indexed for apply(), with what the database said about them.

    agencies: bodies the database or an alias defines, by name (a figure may be given to one its document does
    not name); unusable: corrections that apply nowhere, by key, with why (set by the run that prepared them).
    """

    def __init__(self, corrections: list[Correction], agencies: dict[str, AgencyInfo] | None = None,
                 unusable: dict[str, str] | None = None):
        self.agencies = dict(agencies or {})
        self.unusable = unusable or {}
        self.by_path: dict[str, list[Correction]] = {}
        self.by_sha: dict[str, list[Correction]] = {}
        self.global_aliases: dict[str, list[Correction]] = {}
        self.merges: dict[str, Correction] = {}
        for c in corrections:
            if c.key in self.unusable or c.kind in DUPLICATE_KINDS:
                continue
            if c.kind == "agency_alias":
                self.agencies.setdefault(c.get("name"), AgencyInfo(c.get("name"), c.get("level"), c.get("region"),
                                                                   c.get("region_code")))
            if c.kind == "merge_agencies":
                self.merges[c.get("agency")] = c
            elif c.targets_document:
                if c.document is not None:
                    self.by_path.setdefault(c.document, []).append(c)
                else:
                    self.by_sha.setdefault(c.sha256, []).append(c)
            elif c.kind == "agency_alias":
                self.global_aliases.setdefault(c.get("alias"), []).append(c)
        self.alias_re = re.compile("|".join(map(re.escape, sorted(self.global_aliases, key=len, reverse=True)))) \
            if self.global_aliases else None

    def __bool__(self) -> bool:
        return bool(self.by_path or self.by_sha or self.global_aliases or self.merges)

    def for_record(self, record: DocumentRecord) -> list[Correction]:
        """The corrections that concern this record, in the order they are written."""
        found: dict[str, Correction] = {}
        for c in (*self.by_path.get(record.source_path, ()), *self.by_sha.get(record.content_sha256, ())):
            if matches_document(c, record.source_path, record.content_sha256):
                found[c.key] = c
        if self.alias_re is not None:
            doc = record.extracted
            for text in (doc.body_text or "", doc.title or ""):
                for form in {m.group() for m in self.alias_re.finditer(text)}:
                    found.update((c.key, c) for c in self.global_aliases[form])
        if self.merges:
            names = {m.name for m in record.agencies} | {m.agency_name for m in record.metrics if m.agency_name}
            found.update((self.merges[n].key, self.merges[n]) for n in names if n in self.merges)
        return sorted(found.values(), key=lambda c: (c.file, c.line))


def apply(record: DocumentRecord, rules: Rules) -> Applied:
    """The record as corrected (a new object; the given one is not changed), and what each correction did."""
    concerned = rules.for_record(record)
    if not concerned:
        return Applied(record)
    work = _Work(record, rules)
    for kind in ("agency_alias", "merge_agencies", "set_metric", "accept", "suppress_metric", "set_document"):
        for c in concerned:
            if c.kind == kind:
                work.outcomes.append(getattr(work, kind)(c))
    return Applied(work.finish(), work.outcomes)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class _Work:
    """One record being corrected: copies of its parts, and the extractor's values of what changed."""

    def __init__(self, record: DocumentRecord, rules: Rules):
        self.original = record
        self.rules = rules
        self.extracted = replace(record.extracted)
        self.agencies = list(record.agencies)
        self.metrics: list[MetricRecord | None] = list(record.metrics)  # None: suppressed
        self.metric_was: dict[int, dict[str, Any]] = {}
        self.doc_was: dict[str, Any] = json.loads(record.extracted_values) if record.extracted_values else {}
        self.doc_touched = record.extracted_values is not None
        self.on_topic = record.on_topic
        self.unresolved = record.unresolved_agencies
        self.outcomes: list[Outcome] = []
        body = self.extracted.body_text or ""
        self.occurrence = [metric_occurrence(body, m.raw_text, m.char_start) for m in record.metrics]

    # -- figures -----------------------------------------------------------------------------------------

    def _find(self, c: Correction) -> list[int]:
        return [i for i, m in enumerate(self.metrics)
                if m is not None and m.raw_text == c.raw_text and self.occurrence[i] == c.occurrence]

    def _missing(self, c: Correction) -> Outcome:
        now = sorted({self.occurrence[i] for i, m in enumerate(self.metrics) if m is not None
                      and m.raw_text == c.raw_text})
        body = self.extracted.body_text or ""
        if now:
            hint = f"it is read as a figure at occurrence {', '.join(map(str, now))}"
        elif c.raw_text in body or c.raw_text in (self.extracted.title or ""):
            hint = "the text is there but no longer read as a figure"
        else:
            hint = "the text is not in the document"
        return Outcome(c.key, False, f"no figure {c.raw_text} at occurrence {c.occurrence} now ({hint})")

    def _change(self, i: int, c: Correction, attribute: str, value: Any) -> None:
        m = self.metrics[i]
        assert m is not None
        was = self.metric_was.setdefault(i, {})
        name = next((k for k, v in METRIC_FIELDS.items() if v == attribute), attribute)
        was.setdefault(name, _plain(getattr(m, attribute)))
        updates = {attribute: value}
        if attribute == "agency_name":
            updates["agency_basis"] = CORRECTION_BASIS
            was.setdefault("agency_basis", m.agency_basis)
        self.metrics[i] = replace(m, **updates)

    def set_metric(self, c: Correction) -> Outcome:
        found = self._find(c)
        if not found:
            return self._missing(c)
        agency = c.get("agency") if c.has("agency") else None
        if agency is not None and agency not in self._known_agencies():
            return Outcome(c.key, False, f"unknown agency {agency}: not in the database nor named by the document "
                                         "(an agency_alias correction can define it)")
        for i in found:
            m = self.metrics[i]
            value = c.get("value", m.value) if c.has("value") else m.value
            value_max = c.get("value_max") if c.has("value_max") else m.value_max
            if value_max is not None and value_max < value:
                return Outcome(c.key, False, f"value_max {value_max} would be below value {value}")
        for i in found:
            for name, value in c.values:
                self._change(i, c, METRIC_FIELDS.get(name, name), value)
        fields = ", ".join(f"{k} {_plain(v)}" for k, v in c.values)
        return Outcome(c.key, True, f"set {fields} on {c.raw_text}")

    def suppress_metric(self, c: Correction) -> Outcome:
        found = self._find(c)
        if not found:
            return self._missing(c)
        gone = [self.metrics[i] for i in found]
        for i in found:
            self.metrics[i] = None
        m = gone[0]
        return Outcome(c.key, True, f"suppressed {c.raw_text} ({_plain(m.value)} {m.unit}, "
                                    f"indicator {m.indicator or 'none'})")

    def accept(self, c: Correction) -> Outcome:
        if c.raw_text is None:
            self.doc_touched = True
            return Outcome(c.key, True, "document accepted as extracted")
        found = self._find(c)
        if not found:
            return self._missing(c)
        for i in found:
            self.metric_was.setdefault(i, {})
        return Outcome(c.key, True, f"{c.raw_text} accepted as extracted")

    # -- agencies ----------------------------------------------------------------------------------------

    def _known_agencies(self) -> set[str]:
        return {m.name for m in self.agencies} | set(self.rules.agencies)

    def agency_alias(self, c: Correction) -> Outcome:
        form, name = c.get("alias"), c.get("name")
        body = self.extracted.body_text or ""
        in_title = form in (self.extracted.title or "")
        taken = [(s, e) for m in self.agencies if m.name != name for s, e in m.spans]
        places = []
        at = body.find(form)
        while at >= 0:
            end = at + len(form)
            # inside a longer name (市医保局 in 北京市医保局) the form is not this body
            if not any(s <= at and end <= e and e - s > end - at for s, e in taken):
                places.append((at, end))
            at = body.find(form, end)
        if not places and not in_title:
            return Outcome(c.key, False, f"{form} does not appear in the document (as itself)")
        info = self.rules.agencies.get(name) or AgencyInfo(name, c.get("level"), c.get("region"), c.get("region_code"))
        before = {m.name for m in self.agencies}
        self._take_spans(places)
        self._add_mention(info, form, places)
        self.unresolved = tuple(u for u in self.unresolved if u not in form)
        moved = self._reattribute(c)
        lost = before - {m.name for m in self.agencies}
        detail = f"{form} -> {name} at {len(places)} place(s)" + (f"; {moved} figure(s) re-attributed" if moved else "")
        return Outcome(c.key, True, detail + (f"; no longer named: {', '.join(sorted(lost))}" if lost else ""))

    def _take_spans(self, places: list[tuple[int, int]]) -> None:
        """Mentions that covered these places lose them; a mere mention left with none is dropped."""
        if not places:
            return
        kept = []
        for m in self.agencies:
            spans = tuple(sp for sp in m.spans if not any(sp[0] < e and s < sp[1] for s, e in places))
            if spans == m.spans:
                kept.append(m)
            elif spans or m.role != "mentioned":
                kept.append(replace(m, spans=spans, mention_count=max(1, m.mention_count - (len(m.spans) - len(spans)))))
        self.agencies = kept

    def _add_mention(self, info: AgencyInfo, form: str, places: list[tuple[int, int]]) -> None:
        ours = [i for i, m in enumerate(self.agencies) if m.name == info.name]
        if not ours:
            self.agencies.append(AgencyMention(name=info.name, level=info.level, region=info.region,
                                               region_code=info.region_code, role="mentioned",
                                               mention_count=max(1, len(places)), aliases=(form,),
                                               spans=tuple(places)))
            return
        for i in ours:
            m = self.agencies[i]
            spans = tuple(sorted({*m.spans, *places}))
            aliases = m.aliases if form in m.aliases else (*m.aliases, form)
            self.agencies[i] = replace(m, spans=spans, aliases=aliases,
                                       mention_count=m.mention_count + len(set(places) - set(m.spans)))

    def _reattribute(self, c: Correction) -> int:
        """Figures whose agency the new mentions change, as the transform would now attribute them."""
        from etl.transform.agencies import attribution  # start-up: the transform, only when an alias applies

        body = self.extracted.body_text or ""
        moved = 0
        for i, m in enumerate(self.metrics):
            if m is None or m.agency_basis == CORRECTION_BASIS:
                continue
            name, basis = attribution(m.char_start, self.agencies, body)
            if name != m.agency_name or basis != m.agency_basis:
                was = self.metric_was.setdefault(i, {})
                was.setdefault("agency", m.agency_name)
                was.setdefault("agency_basis", m.agency_basis)
                self.metrics[i] = replace(m, agency_name=name, agency_basis=basis)
                moved += name != m.agency_name
        return moved

    def merge_agencies(self, c: Correction) -> Outcome:
        old, new = c.get("agency"), c.get("into")
        info = next((AgencyInfo(m.name, m.level, m.region, m.region_code) for m in self.agencies if m.name == new),
                    None) or self.rules.agencies.get(new)
        if info is None and c.get("level"):
            info = AgencyInfo(new, c.get("level"), c.get("region"), c.get("region_code"))
        if info is None:
            return Outcome(c.key, False, f"unknown agency {new}: not in the database nor named by the document "
                                         "(give its level and region)")
        merged: dict[tuple[str, str], AgencyMention] = {}
        order: list[tuple[str, str]] = []
        for m in self.agencies:
            if m.name == old:
                m = replace(m, name=info.name, level=info.level, region=info.region, region_code=info.region_code)
            key = (m.name, m.role)
            if key in merged:
                first = merged[key]
                merged[key] = replace(first, mention_count=first.mention_count + m.mention_count,
                                      aliases=tuple(dict.fromkeys((*first.aliases, *m.aliases))),
                                      spans=tuple(sorted({*first.spans, *m.spans})))
            else:
                merged[key] = m
                order.append(key)
        self.agencies = [merged[k] for k in order]
        figures = 0
        for i, m in enumerate(self.metrics):
            if m is not None and m.agency_name == old:
                was = self.metric_was.setdefault(i, {})
                was.setdefault("agency", old)
                self.metrics[i] = replace(m, agency_name=new)
                figures += 1
        return Outcome(c.key, True, f"{old} -> {new}" + (f"; {figures} figure(s)" if figures else ""))

    # -- the document ------------------------------------------------------------------------------------

    def set_document(self, c: Correction) -> Outcome:
        doc = self.extracted
        changes: dict[str, Any] = {}
        for name, value in c.values:
            if name == "title":
                self._doc_was("title", doc.title)
                changes["title"] = value
            elif name == "date":
                self._doc_was("published_on", doc.published_on)
                changes["published_on"] = value
                if doc.published_at is not None and (value is None or doc.published_at.astimezone(BEIJING).date() != value):
                    self._doc_was("published_at", doc.published_at)
                    changes["published_at"] = None
                    changes["published_offset"] = None
            elif name in ("source", "original_source"):
                current = getattr(doc, name)
                self._doc_was(name, current.name if current else None)
                kind = c.get("source_kind") if name == "source" and c.has("source_kind") else (
                    current.kind if current is not None and current.name == value else "other")
                changes[name] = SourceRef(value, kind) if value is not None else None
            elif name == "on_topic":
                self._doc_was("on_topic", self.on_topic)
                self.on_topic = value
        self.extracted = replace(self.extracted, **changes)
        self.doc_touched = True
        return Outcome(c.key, True, "set " + ", ".join(f"{k} {_plain(v)}" for k, v in c.values))

    def _doc_was(self, name: str, value: Any) -> None:
        self.doc_was.setdefault(name, _plain(value))

    def finish(self) -> DocumentRecord:
        metrics = []
        for i, m in enumerate(self.metrics):
            if m is None:
                continue
            if i in self.metric_was:
                m = replace(m, extracted_values=json.dumps(self.metric_was[i], ensure_ascii=False, sort_keys=True))
            metrics.append(m)
        return replace(
            self.original, extracted=self.extracted, agencies=self.agencies, metrics=metrics, on_topic=self.on_topic,
            unresolved_agencies=self.unresolved,
            extracted_values=json.dumps(self.doc_was, ensure_ascii=False, sort_keys=True) if self.doc_touched else None,
        )
