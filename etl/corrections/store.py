"""A run's corrections in the database: synced at the start, applied to every batch, accounted for at the end.

At the start (under the writer lock, after the migrations) the folder's corrections are compared with the
`corrections` table by key: new ones are inserted as pending, vanished ones marked withdrawn, and the
documents a pending or withdrawn correction concerns are handed to the planner to be read again (only those:
a change to the corrections alone does not re-read the corpus). Each batch passes through apply() on its way
to the loader. At the end: agency merges and duplicate links are applied to the loaded rows, each transformed
document's `correction_documents` rows are replaced by what apply() did, and every correction gets its status
(applied, orphaned, pending) and etl_runs the corrections version and counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from etl.corrections.apply import AgencyInfo, Applied, Outcome, Rules, apply
from etl.corrections.files import CorrectionSet
from etl.corrections.model import DUPLICATE_KINDS, Correction, CorrectionError, make_correction
from etl.load.db import make_engine
from etl.load.schema import (
    agencies,
    agency_aliases,
    correction_documents,
    corrections,
    document_agencies,
    documents,
    etl_runs,
    metrics,
)
from etl.records import ExtractedDocument, Transformed
from etl.records import Outcome as WorkOutcome

IN_CHUNK = 500


def _chunks(items: list, size: int = IN_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(slots=True)
class Counts:
    applied: int = 0
    orphaned: int = 0
    pending: int = 0
    orphans: list[tuple[str, str, str, str]] = field(default_factory=list)  # (file:line, kind, target, detail)


class CorrectionRun:
    """The corrections of one `etl run`; made by begin(), None there when there is nothing to correct."""

    def __init__(self, run_id: int, items: list[Correction], version: str | None, from_folder: bool):
        self.run_id = run_id
        self.items = items
        self.version = version
        self.from_folder = from_folder
        self.ids: dict[str, int] = {}
        self.unusable: dict[str, str] = {}
        self.rules = Rules([])
        self.agency_ids: dict[str, int] = {}  # bodies corrections name, for the loader's name -> id cache
        self.redo: set[int] = set()  # documents to read again for corrections that changed
        self.changed = False  # the set of corrections differs from the one the database held
        self.outcomes: dict[str, list[Outcome]] = {}  # file_path -> what each correction did to it
        self.transformed: list[str] = []  # file paths written this run (their correction rows are replaced)
        self.active = True  # False: nothing to correct and nothing corrected before (an empty folder)

    # -- each batch --------------------------------------------------------------------------------------

    def correct(self, batch: list[WorkOutcome]) -> list[WorkOutcome]:
        """The batch with every transformed record corrected."""
        out: list[WorkOutcome] = []
        for item in batch:
            if isinstance(item, Transformed):
                path = item.task.ref.file_path
                self.transformed.append(path)
                try:
                    applied = apply(item.record, self.rules)
                except Exception as exc:  # a bug must cost this document its corrections, never the run
                    why = f"could not be applied: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
                    applied = Applied(item.record, [Outcome(c.key, False, why) for c in self.rules.for_record(item.record)])
                if applied.outcomes:
                    self.outcomes[path] = applied.outcomes
                if applied.record is not item.record:
                    item = Transformed(item.task, applied.record)
            out.append(item)
        return out

    def wrap(self, write: Callable[[list[WorkOutcome]], Any]) -> Callable[[list[WorkOutcome]], Any]:
        if not self.active:
            return write
        return lambda batch: write(self.correct(batch))

    # -- the end -----------------------------------------------------------------------------------------

    def finish(self, engine: Engine, removed: int = 0) -> Counts:
        """Apply what works on loaded rows, record lineage and statuses; the counts for the summary."""
        if self.active and (self.transformed or self.changed or removed):
            usable = [c for c in self.items if c.key not in self.unusable]
            with engine.begin() as conn:
                _merge_agencies(conn, usable, self.run_id)
                links = [c for c in usable if c.kind in DUPLICATE_KINDS]
                self._record(conn, _link_duplicates(conn, links), [c.key for c in links])
                self._statuses(conn)
        with engine.begin() as conn:
            counts = _counts(conn)
            conn.execute(update(etl_runs).where(etl_runs.c.id == self.run_id).values(
                corrections_sha256=self.version, corrections_applied=counts.applied,
                corrections_orphaned=counts.orphaned, corrections_pending=counts.pending))
        return counts

    def _record(self, conn: Connection, post: dict[str, tuple[list[int], Outcome]], post_keys: list[str]) -> None:
        """correction_documents: the rows of every document transformed now replaced by what apply() did, and
        those of the corrections applied to loaded rows (post_keys) by what they did now (post)."""
        d = documents.c
        ids: dict[str, int] = {}
        for part in _chunks(self.transformed):
            ids.update(conn.execute(select(d.file_path, d.id).where(d.file_path.in_(part))).all())
        cd = correction_documents.c
        carrying = set(conn.execute(select(cd.document_id).distinct()).scalars())
        stale = [i for i in ids.values() if i in carrying]
        for part in _chunks(stale):
            conn.execute(delete(correction_documents).where(cd.document_id.in_(part)))
        rows: dict[tuple[int, int], dict] = {}
        for path, outcomes in self.outcomes.items():
            for o in outcomes:
                if path in ids and o.key in self.ids:
                    rows[(self.ids[o.key], ids[path])] = _link_row(self.ids[o.key], ids[path], o, self.run_id)
        for key in post_keys:
            if key in self.ids:
                conn.execute(delete(correction_documents).where(cd.correction_id == self.ids[key]))
        for key, (doc_ids, o) in post.items():
            if key in self.ids:
                rows.update(((self.ids[key], i), _link_row(self.ids[key], i, o, self.run_id)) for i in doc_ids)
        if rows:
            conn.execute(insert(correction_documents), list(rows.values()))

    def _statuses(self, conn: Connection) -> None:
        """Every correction's status from what it did where, and whether its target still exists."""
        c_ = corrections.c
        cd = correction_documents.c
        done: dict[int, dict[str, tuple[int, str | None]]] = {}
        for cid, outcome, count, detail in conn.execute(  # only what active documents carry: a removed one's is moot
                select(cd.correction_id, cd.outcome, func.count(), func.min(cd.detail))
                .join(documents, documents.c.id == cd.document_id).where(documents.c.status == "active")
                .group_by(cd.correction_id, cd.outcome)):
            done.setdefault(cid, {})[outcome] = (count, detail)
        by_key = {c.key: c for c in self.items}
        for cid, key, *was in conn.execute(select(c_.id, c_.key, c_.status, c_.detail, c_.documents)).all():
            rows = done.get(cid, {})
            c = by_key.get(key)
            if c is None:  # withdrawn: gone once no document carries it any more
                if not rows and self.from_folder:
                    conn.execute(delete(corrections).where(c_.id == cid))
                elif self.from_folder:
                    count = sum(n for n, _ in rows.values())
                    conn.execute(update(corrections).where(c_.id == cid).values(
                        status="withdrawn", documents=count, run_id=self.run_id,
                        detail=f"removed from the folder; {count} document(s) still carry it until they are read "
                               "again (run over their folders)"))
                continue
            if key in self.unusable:
                new, detail, count = "orphaned", self.unusable[key], 0
            elif "applied" in rows:
                new, detail, count = "applied", None, rows["applied"][0]
            elif "orphaned" in rows:
                new, detail, count = "orphaned", rows["orphaned"][1], 0
            else:
                new, detail = _unmet(conn, c)
                count = 0
            if [new, detail, count] != was:  # a run that changes nothing about a correction does not rewrite it
                conn.execute(update(corrections).where(c_.id == cid).values(
                    status=new, detail=detail, documents=count, run_id=self.run_id))


def _link_row(correction_id: int, document_id: int, o: Outcome, run_id: int) -> dict:
    return {"correction_id": correction_id, "document_id": document_id,
            "outcome": "applied" if o.applied else "orphaned", "detail": o.detail[:1000], "run_id": run_id}


def _counts(conn: Connection) -> Counts:
    c_ = corrections.c
    counts = Counts()
    for status, n in conn.execute(select(c_.status, func.count()).group_by(c_.status)):
        if status in ("applied", "orphaned", "pending"):
            setattr(counts, status, n)
    counts.orphans = [(f"{f}:{line}", kind, target, detail or "") for f, line, kind, target, detail in conn.execute(
        select(c_.file, c_.line, c_.kind, c_.target, c_.detail).where(c_.status == "orphaned")
        .order_by(c_.file, c_.line))]
    return counts


def stored_statuses(db_url: str) -> dict[str, tuple[str, str | None]]:
    """key -> (status, detail) as the last run left them; empty when the database has no corrections table."""
    from sqlalchemy.exc import SQLAlchemyError


    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return {k: (s, d) for k, s, d in conn.execute(
                select(corrections.c.key, corrections.c.status, corrections.c.detail))}
    except SQLAlchemyError:
        return {}
    finally:
        engine.dispose()


# -- the start -----------------------------------------------------------------------------------------------

def begin(engine: Engine, found: CorrectionSet | None, run_id: int, fresh: bool) -> CorrectionRun | None:
    """Sync the corrections table with the folder (found; None: no folder, take the database's own), prepare
    the rules and find the documents to read again. None when there are no corrections either way."""
    c_ = corrections.c
    with engine.begin() as conn:
        stored = {row.key: row for row in conn.execute(
            select(c_.id, c_.key, c_.status, c_.file, c_.line, c_.spec))} if not fresh else {}
        if found is None or found.folder is None:
            if not stored:
                return None
            session = _from_database(conn, stored, run_id)
        else:
            session = CorrectionRun(run_id, found.items, found.version, from_folder=True)
            if not found.items and not stored:
                session.active = False  # an empty folder: only its version is recorded
                return session
            _sync(conn, session, stored, run_id)
        session.ids = dict(conn.execute(select(c_.key, c_.id)).all())
        infos = _agencies(conn, session)
        session.rules = Rules(session.items, infos, session.unusable)
        if not fresh:
            session.redo = _documents_to_redo(conn, session)
    return session


def _from_database(conn: Connection, stored: dict, run_id: int) -> CorrectionRun:
    """No folder: the corrections the last run with a folder left, as they were (none withdrawn or added)."""
    items, unusable = [], {}
    for key, row in stored.items():
        if row.status == "withdrawn":
            continue
        try:
            items.append(make_correction(json.loads(row.spec), row.file, row.line))
        except (CorrectionError, ValueError) as exc:  # e.g. an indicator the vocabulary no longer has
            unusable[key] = f"no longer valid: {exc}"
    version = conn.execute(select(etl_runs.c.corrections_sha256).where(etl_runs.c.corrections_sha256.is_not(None))
                           .order_by(etl_runs.c.id.desc()).limit(1)).scalar()
    session = CorrectionRun(run_id, items, version, from_folder=False)
    session.unusable = unusable
    return session


def _sync(conn: Connection, session: CorrectionRun, stored: dict, run_id: int) -> None:
    c_ = corrections.c
    current = {c.key: c for c in session.items}
    added = [c for key, c in current.items() if key not in stored]
    if added:
        conn.execute(insert(corrections), [
            {"key": c.key, "kind": c.kind, "file": c.file, "line": c.line, "target": c.describe()[:1000],
             "spec": json.dumps(c.spec(), ensure_ascii=False, sort_keys=True), "status": "pending",
             "detail": "not applied yet", "documents": 0, "first_run_id": run_id, "run_id": run_id}
            for c in added])
    for key, row in stored.items():
        c = current.get(key)
        if c is None:
            if row.status != "withdrawn":
                conn.execute(update(corrections).where(c_.id == row.id).values(status="withdrawn", run_id=run_id))
        elif (row.file, row.line) != (c.file, c.line) or row.status == "withdrawn":
            spec = json.dumps(c.spec(), ensure_ascii=False, sort_keys=True)  # moved, or its note edited
            values = {"file": c.file, "line": c.line, "spec": spec}
            if row.status == "withdrawn":
                values.update(status="pending", detail="not applied yet")
            conn.execute(update(corrections).where(c_.id == row.id).values(run_id=run_id, **values))
    session.changed = bool(added) or any(key not in current for key in stored)


def _agencies(conn: Connection, session: CorrectionRun) -> dict[str, AgencyInfo]:
    """The bodies corrections name, by name: from the database, else an alias or merge correction that says
    what it is, else the transform's own reading of the name (国家医疗保障局, 北京市公安局). A body a figure or merge
    needs is made in the database if need be, and its id goes into the loader's cache, so that the figure's
    agency does not depend on which documents a batch holds; one that cannot be placed makes the correction
    unusable (orphaned, saying why)."""
    wanted = set()
    for c in session.items:
        if c.kind == "set_metric" and c.get("agency"):
            wanted.add(c.get("agency"))
        elif c.kind == "merge_agencies":
            wanted.add(c.get("into"))
        elif c.kind == "agency_alias":
            wanted.add(c.get("name"))
    a = agencies.c
    infos: dict[str, AgencyInfo] = {}
    for part in _chunks(sorted(wanted)):
        for row in conn.execute(select(a.id, a.name, a.level, a.region, a.region_code).where(a.name.in_(part))):
            infos[row.name] = AgencyInfo(row.name, row.level, row.region, row.region_code)
            session.agency_ids[row.name] = row.id
    described: dict[str, AgencyInfo] = {}
    for c in session.items:
        if c.kind == "agency_alias":
            described.setdefault(c.get("name"), AgencyInfo(c.get("name"), c.get("level"), c.get("region"),
                                                           c.get("region_code")))
        elif c.kind == "merge_agencies" and c.get("level"):
            described.setdefault(c.get("into"), AgencyInfo(c.get("into"), c.get("level"), c.get("region"),
                                                           c.get("region_code")))
    for name, info in described.items():
        if name in infos:
            continue
        if info.region_code is None:  # its division code, when the transform places the name the same way
            read = _read_name(name)
            if read is not None and (read.level, read.region) == (info.level, info.region):
                info = read
        infos[name] = info
    for c in session.items:
        name = c.get("agency") if c.kind == "set_metric" else c.get("into") if c.kind == "merge_agencies" else None
        if not name or name in session.agency_ids:
            continue
        info = infos.get(name) or _read_name(name)
        if info is None:
            session.unusable[c.key] = (f"unknown agency {name}: not in the database, and not a name the transform "
                                       "can place (an agency_alias correction can define it: name, level, region)")
            continue
        session.agency_ids[name] = conn.execute(insert(agencies).returning(a.id), {
            "name": name, "level": info.level, "region": info.region, "region_code": info.region_code,
            "run_id": session.run_id}).scalar_one()
        infos[name] = info
    return infos


def _read_name(name: str) -> AgencyInfo | None:
    """What the transform makes of an agency's canonical name on its own: the body, if it reads as exactly that."""
    from etl.transform.agencies import (
        find_agencies,  # start-up: the transform, only for a name the database lacks
    )

    found = find_agencies(ExtractedDocument(format="text", encoding="utf-8", body_text=name))
    match = next((m for m in found if m.name == name), None)
    return AgencyInfo(name, match.level, match.region, match.region_code) if match is not None else None


def _documents_to_redo(conn: Connection, session: CorrectionRun) -> set[int]:
    """Documents a pending or withdrawn correction concerns: read again so that the change reaches them."""
    c_ = corrections.c
    # orphaned ones too when the folder changed: a new correction may be what they lacked (an alias defining
    # their agency), and a file restored may bring their figure back
    statuses = ("pending", "withdrawn", "orphaned") if session.changed else ("pending", "withdrawn")
    open_rows = conn.execute(select(c_.id, c_.key).where(c_.status.in_(statuses))).all()
    if not open_rows:
        return set()
    by_key = {c.key: c for c in session.items}
    cd = correction_documents.c
    redo: set[int] = set()
    withdrawn_ids = [cid for cid, key in open_rows if key not in by_key]
    for part in _chunks(withdrawn_ids):
        redo.update(conn.execute(select(cd.document_id).where(cd.correction_id.in_(part))).scalars())
    for _, key in open_rows:
        c = by_key.get(key)
        if c is not None and c.kind not in DUPLICATE_KINDS and key not in session.unusable:
            redo.update(concerned_documents(conn, c))
    return redo


def concerned_documents(conn: Connection, c: Correction) -> set[int]:
    """Active documents a correction concerns now: its target document, or every document whose text has an
    alias's surface form, or that names an agency merged away."""
    d = documents.c
    active = d.status == "active"
    if c.targets_document:
        where = [active]
        if c.document is not None:
            where.append(d.source_path == c.document)
        if c.sha256 is not None:
            where.append(d.content_sha256 == c.sha256)
        return set(conn.execute(select(d.id).where(and_(*where))).scalars())
    if c.kind == "agency_alias":
        form = c.get("alias")
        return set(conn.execute(select(d.id).where(active, or_(
            d.body_text.contains(form, autoescape=True), d.title.contains(form, autoescape=True)))).scalars())
    if c.kind == "merge_agencies":
        a = agencies.c
        named = select(a.id).where(a.name == c.get("agency")).scalar_subquery()
        ids = set(conn.execute(select(document_agencies.c.document_id).where(
            document_agencies.c.agency_id == named)).scalars())
        ids.update(conn.execute(select(metrics.c.document_id).where(metrics.c.agency_id == named)).scalars())
        return ids
    return set()


def _unmet(conn: Connection, c: Correction) -> tuple[str, str]:
    """The status of a correction no transformed document took: pending if its target is there, else orphaned."""
    if concerned_documents(conn, c):
        return "pending", "its document has not been read again since (it was not under this run's paths)"
    d = documents.c
    if c.targets_document and c.document is not None and c.sha256 is not None:
        now = conn.execute(select(d.content_sha256).where(d.source_path == c.document, d.status == "active")
                           .limit(1)).scalar()
        if now is not None:
            return "orphaned", (f"the file {c.document} changed since (sha256 {c.sha256[:12]}… is now {now[:12]}…): "
                                "check the correction, then update or drop its sha256")
    if c.targets_document:
        named = " and ".join(filter(None, (c.document and f"path {c.document}", c.sha256 and f"sha256 {c.sha256}")))
        return "orphaned", f"no active document with {named}"
    if c.kind == "agency_alias":
        return "orphaned", f"no document contains {c.get('alias')}"
    return "orphaned", f"no document names {c.get('agency')}"


# -- applied to the loaded rows ------------------------------------------------------------------------------

def _merge_agencies(conn: Connection, items: list[Correction], run_id: int) -> None:
    """An agency merged away keeps no row once no document names it: its aliases (and its name, as an alias)
    move to the body it was merged into."""
    a, al = agencies.c, agency_aliases.c
    for c in items:
        if c.kind != "merge_agencies":
            continue
        old_id = conn.execute(select(a.id).where(a.name == c.get("agency"))).scalar()
        new_id = conn.execute(select(a.id).where(a.name == c.get("into"))).scalar()
        if old_id is None or new_id is None:
            continue
        still = conn.execute(select(func.count()).select_from(document_agencies)
                             .where(document_agencies.c.agency_id == old_id)).scalar_one()
        still += conn.execute(select(func.count()).select_from(metrics).where(metrics.c.agency_id == old_id)).scalar_one()
        if still:
            continue  # documents not read again yet (not under this run's paths) still name it
        have = set(conn.execute(select(al.alias).where(al.agency_id == new_id)).scalars())
        moving = [s for s in conn.execute(select(al.alias).where(al.agency_id == old_id)).scalars()]
        rows = [{"agency_id": new_id, "alias": s, "run_id": run_id}
                for s in dict.fromkeys([*moving, c.get("agency")]) if s not in have]
        conn.execute(delete(agency_aliases).where(al.agency_id == old_id))
        if rows:
            conn.execute(insert(agency_aliases), rows)
        conn.execute(delete(agencies).where(a.id == old_id))


def _link_duplicates(conn: Connection, items: list[Correction]) -> dict[str, tuple[list[int], Outcome]]:
    """link_duplicate / unlink_duplicate on documents.duplicate_of_id, after the run's own duplicate pass."""
    d = documents.c
    done: dict[str, tuple[list[int], Outcome]] = {}
    for c in items:
        subjects = _documents(conn, c.document, c.sha256)
        other_path, other_sha = c.get("duplicate_of"), c.get("duplicate_of_sha256")
        others = _documents(conn, other_path, other_sha) if (other_path or other_sha) else []
        if not subjects:
            continue  # _unmet says why
        if c.kind == "link_duplicate" and not others:
            named = other_path or other_sha
            done[c.key] = ([], Outcome(c.key, False, f"no active document {named} to link to"))
            continue
        changed = []
        for doc_id in subjects:
            if c.kind == "link_duplicate":
                changed += _link(conn, doc_id, others[0])
            else:
                changed += _unlink(conn, doc_id, others[0] if others else None)
        for doc_id, was in changed:
            _note_document(conn, doc_id, "duplicate_of_id", was)
        conn.execute(update(documents).where(d.id.in_(subjects)).values(corrected=True))
        verb = "linked to" if c.kind == "link_duplicate" else "unlinked from"
        target = other_path or other_sha or "its copies"
        done[c.key] = (subjects, Outcome(c.key, True, f"{verb} {target}"))
    return done


def _documents(conn: Connection, path: str | None, sha: str | None) -> list[int]:
    d = documents.c
    where = [d.status == "active"]
    if path is not None:
        where.append(d.source_path == path)
    if sha is not None:
        where.append(d.content_sha256 == sha)
    return list(conn.execute(select(d.id).where(and_(*where)).order_by(d.id)).scalars())


def _link_of(conn: Connection, doc_id: int) -> int | None:
    return conn.execute(select(documents.c.duplicate_of_id).where(documents.c.id == doc_id)).scalar()


def _set_link(conn: Connection, doc_id: int, target: int | None) -> tuple[int, int | None] | None:
    was = _link_of(conn, doc_id)
    if was == target:
        return None
    conn.execute(update(documents).where(documents.c.id == doc_id).values(duplicate_of_id=target))
    return doc_id, was


def _link(conn: Connection, doc_id: int, other: int) -> list[tuple[int, int | None]]:
    """doc_id becomes a copy of other's story: it and its own copies point at that story's canonical copy."""
    d = documents.c
    canonical = _link_of(conn, other) or other
    changes = []
    if canonical == doc_id:  # other is a copy of doc_id: other becomes the canonical one
        changes.append(_set_link(conn, other, None))
        canonical = other
    for copy_id in conn.execute(select(d.id).where(d.duplicate_of_id == doc_id)).scalars().all():
        changes.append(_set_link(conn, copy_id, canonical if copy_id != canonical else None))
    changes.append(_set_link(conn, doc_id, canonical))
    return [c for c in changes if c is not None]


def _unlink(conn: Connection, doc_id: int, other: int | None) -> list[tuple[int, int | None]]:
    """doc_id is not a copy of other's story (of any, without other): neither points at the other."""
    link = _link_of(conn, doc_id)
    changes = []
    if link is not None and (other is None or link in (other, _link_of(conn, other) or other)):
        changes.append(_set_link(conn, doc_id, None))
    if other is not None and _link_of(conn, other) == doc_id:
        changes.append(_set_link(conn, other, None))
    return [c for c in changes if c is not None]


def _note_document(conn: Connection, doc_id: int, name: str, was: Any) -> None:
    """Keep the value a document had before a correction changed it on the loaded row (first change only)."""
    d = documents.c
    stored = conn.execute(select(d.extracted_values).where(d.id == doc_id)).scalar()
    values = json.loads(stored) if stored else {}
    if name not in values:
        values[name] = was
        conn.execute(update(documents).where(d.id == doc_id).values(
            extracted_values=json.dumps(values, ensure_ascii=False, sort_keys=True)))
