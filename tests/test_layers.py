"""The stages import one way (docs/architecture.md): extract <- transform <- load <- pipeline <- api <- cli, with
reporting beside load reading the database only. Read from the source (AST, like the security test): an import
that runs back, an import circle, or an import of the project's own code inside a function that does not say
which start-up time it saves fails here, naming the file and line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "etl"

# component -> the components it may import (besides itself)
MAY_IMPORT: dict[str, set[str]] = {
    "base": set(),  # records, constants, rules, config, wire, version: what every stage shares
    "extract": {"base"},
    "transform": {"base", "extract"},
    "load": {"base"},  # writes records; knows nothing of how they were made
    "corrections": {"base", "extract", "transform", "load"},  # applied between the transform and the load
    "reporting": {"base", "load", "corrections"},  # reads the database (its schema, the review's corrections)
    "pipeline": {"base", "extract", "transform", "load", "corrections"},  # pipeline, work, executors
    "api": {"base", "extract", "transform", "load", "corrections", "reporting", "pipeline"},
    "cli": {"base", "api"},
    "migrations": {"base", "load"},
}
PIPELINE = {"etl.pipeline", "etl.work", "etl.executor", "etl.executor_dask"}
BASE = {"etl.records", "etl.constants", "etl.rules", "etl.config", "etl.wire", "etl.version"}
# The package's own convenience names (`from etl import run`) come from the API, on first use only.
ALLOWED_BACK = {("etl", "etl.api")}
LAZY_REASONS = ("start-up",)


def component(module: str) -> str:
    """The component a module of the package belongs to."""
    parts = module.split(".")
    if module == "etl" or module in BASE:
        return "base"
    if module in PIPELINE:
        return "pipeline"
    if module == "etl.api":
        return "api"
    if module == "etl.show":
        return "reporting"
    if parts[1] in ("cli", "cli_options", "cli_reporting", "cli_corrections", "__main__"):
        return "cli"
    if parts[1] in MAY_IMPORT:
        return parts[1]
    raise AssertionError(f"{module}: give it a layer in tests/test_layers.py (and docs/architecture.md)")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module of the package it imports
    file: str
    line: int
    in_function: bool
    says_why: bool  # a comment on the line (or the one above) names what it saves


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def imports(source: str, module: str, is_package: bool, known: set[str], file: str = "") -> Iterator[Import]:
    """Every import of the package's own modules in source, where and whether inside a function."""
    lines = source.splitlines()

    def says_why(node: ast.stmt) -> bool:
        text = " ".join(lines[node.lineno - 2:node.end_lineno])
        return any(reason in text for reason in LAZY_REASONS)

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names]
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - node.level + 1]
            name = ".".join(base + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        return [f"{name}.{a.name}" if f"{name}.{a.name}" in known else name for a in node.names]

    def walk(node: ast.AST, in_function: bool) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in targets(child):
                    if target == "etl" or target.startswith("etl."):
                        yield Import(module, target, file, child.lineno, in_function, says_why(child))
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.If) and _type_checking(child):
                continue  # for type checkers only: never imported
            yield from walk(child, inner)

    yield from walk(ast.parse(source), False)


def _type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


@cache
def _all_imports() -> list[Import]:
    modules = _modules()
    found: list[Import] = []
    for name, path in modules.items():
        found += imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", set(modules),
                         str(path.relative_to(PACKAGE.parent)))
    return found


def back_arrows(found: list[Import]) -> list[str]:
    return [f"{i.file}:{i.line}: {i.module} ({component(i.module)}) imports {i.target} ({component(i.target)})"
            for i in found
            if component(i.target) != component(i.module)
            and component(i.target) not in MAY_IMPORT[component(i.module)]
            and (i.module, i.target) not in ALLOWED_BACK]


def circles(found: list[Import]) -> list[list[str]]:
    """Groups of modules that import each other (at any depth, inside functions too)."""
    graph: dict[str, set[str]] = {}
    for i in found:
        if i.target != i.module and (i.module, i.target) not in ALLOWED_BACK:
            graph.setdefault(i.module, set()).add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_runs_back() -> None:
    assert back_arrows(_all_imports()) == []


def test_no_import_circle() -> None:
    assert circles(_all_imports()) == []


def test_imports_inside_functions_say_which_start_up_time_they_save() -> None:
    unexplained = [f"{i.file}:{i.line}: {i.module} imports {i.target} inside a function"
                   for i in _all_imports() if i.in_function and not i.says_why]
    assert unexplained == []


@pytest.mark.parametrize(("source", "module", "found"), [
    ("from etl.api import run", "etl.load.loader", ["etl/load/loader.py:1: etl.load.loader (load) imports etl.api (api)"]),
    ("import etl.pipeline", "etl.transform.metrics", ["etl/transform/metrics.py:1: etl.transform.metrics (transform) "
                                                      "imports etl.pipeline (pipeline)"]),
    ("def f():\n    from etl.reporting.dimdate import x", "etl.load.bulk",
     ["etl/load/bulk.py:2: etl.load.bulk (load) imports etl.reporting.dimdate (reporting)"]),
    ("from etl.records import Failure", "etl.load.loader", []),
    ("from ..records import Failure", "etl.extract.files", []),
    ("from ..pipeline import run", "etl.load.loader", ["etl/load/loader.py:1: etl.load.loader (load) imports "
                                                       "etl.pipeline (pipeline)"]),
])
def test_the_check_catches_a_back_arrow(source: str, module: str, found: list[str]) -> None:
    file = module.replace(".", "/") + ".py"
    assert back_arrows(list(imports(source, module, False, set(_modules()), file))) == found


def test_the_check_catches_a_circle_and_an_unexplained_lazy_import() -> None:
    known = set(_modules())
    found = [*imports("from etl.load.lock import writer_lock", "etl.load.db", False, known),
             *imports("def f():\n    from etl.load.db import sqlite_path", "etl.load.lock", False, known)]
    assert circles(found) == [["etl.load.db", "etl.load.lock"]]
    assert [i.says_why for i in found if i.in_function] == [False]
    lazy = imports("def f():\n    # start-up: NumPy\n    from etl.transform import x", "etl.work", False, known)
    assert [i.says_why for i in lazy] == [True]
