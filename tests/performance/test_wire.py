"""Outcomes cross from the workers to the writer by pickle: they must arrive equal, and by the cheap path.

Why: `etl.wire.fast_pickle` replaces dataclasses' own pickling of frozen slots classes (which looks up
`fields()` in Python for every object) with the constructor and the field values. A field missed or put out
of order would hand the writer a different record; the class losing the decorator would go slow silently.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from etl.records import (
    AgencyMention,
    Failed,
    Failure,
    FileRef,
    NotDocument,
    SourceRef,
    Task,
    Transformed,
    Unchanged,
)
from etl.wire import fast_pickle
from etl.work import process

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
CROSSING = (AgencyMention, Failure, SourceRef, FileRef, Task, Unchanged, Transformed, NotDocument, Failed)


def _task(path: Path, **changes) -> Task:
    ref = FileRef(str(path), path.name, path.stat().st_size, path.stat().st_mtime_ns)
    return dataclasses.replace(Task(ref, None, None, False), **changes)


def _outcomes() -> list:
    seeds = sorted(SEEDS.iterdir())
    outcomes = [process(_task(path), None) for path in seeds]
    first = outcomes[0]
    assert isinstance(first, Transformed)
    outcomes.append(process(_task(seeds[0], doc_id=7, known_sha256=first.record.content_sha256), None))
    outcomes.append(NotDocument(_task(seeds[1], was_skipped=True), "a section index page", "ab" * 32))
    outcomes.append(Failed(_task(seeds[2]), Failure("x.txt", "decode", "not text", None)))
    return outcomes


def test_real_outcomes_arrive_equal() -> None:
    outcomes = _outcomes()
    assert {type(o) for o in outcomes} == {Transformed, Unchanged, NotDocument, Failed}
    agencies = [a for o in outcomes if isinstance(o, Transformed) for a in o.record.agencies]
    assert agencies, "the seeds name agencies: the mentions must be part of what is compared"
    assert any(o.record.extracted.source for o in outcomes if isinstance(o, Transformed))
    for protocol in (pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL):
        assert pickle.loads(pickle.dumps(outcomes, protocol=protocol)) == outcomes


@pytest.mark.parametrize("cls", CROSSING, ids=lambda c: c.__name__)
def test_frozen_records_pickle_by_constructor(cls) -> None:
    instance = next(_instances(cls))
    constructor, args = instance.__reduce_ex__(pickle.HIGHEST_PROTOCOL)[:2]
    assert constructor is cls
    assert args == tuple(getattr(instance, f.name) for f in dataclasses.fields(cls))


def _instances(cls):
    for outcome in _outcomes():
        for value in _walk(outcome):
            if type(value) is cls:
                yield value


def _walk(value):
    yield value
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)


def test_a_field_outside_init_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError, match="__init__"):
        fast_pickle(Derived)


@fast_pickle
@dataclasses.dataclass(frozen=True, slots=True)
class _OneField:
    values: tuple[int, ...]


def test_one_field_classes_round_trip() -> None:
    assert pickle.loads(pickle.dumps(_OneField((1, 2)))) == _OneField((1, 2))
