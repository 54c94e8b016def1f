"""How records cross from worker processes to the writer: pickled, and cheaply.

A frozen dataclass with slots pickles through `dataclasses`' own `__getstate__` / `__setstate__`, which call
`fields()` in Python for every object, both ways. For the tasks, outcomes and agency mentions of a run that was
most of the writer's unpickling time and a like share of the workers' pickling (bench/README.md). `fast_pickle`
makes such a class pickle as its constructor and field values.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import TypeVar

T = TypeVar("T")


def fast_pickle(cls: type[T]) -> type[T]:
    """Class decorator (outermost, over @dataclass): pickle instances as `cls(*field values)`.

    Only for dataclasses whose fields are all __init__ arguments, in order, so that the constructor rebuilds
    the same object."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field must be an __init__ argument to pickle by constructor")
    values = operator.attrgetter(*(f.name for f in fields))
    if len(fields) == 1:
        def __reduce__(self):
            return cls, (values(self),)
    else:
        def __reduce__(self):
            return cls, values(self)
    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
