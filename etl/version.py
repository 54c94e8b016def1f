"""The extractor version: changes whenever what the extract and transform make can change, and only then.

Each document records the version that made it; a run re-transforms documents made by another version, so
an improved extractor reaches files that did not change. The version hashes the rule tables (etl/rules/) and
the code of the stages as Python parses it: comments, docstrings and layout are not part of it, so editing a
comment re-transforms nobody's corpus.

Parsing the code costs a run a fraction of a second, so the result is kept in a small cache file next to the
package's bytecode, keyed by the bytes of every input: it is recomputed only after an edit.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from functools import cache
from pathlib import Path

from etl import __version__

_PACKAGE = Path(__file__).resolve().parent
_PARTS = ("extract", "transform", "rules", "records.py", "constants.py", "load/clean.py")  # clean: what is stored
_CACHE_NAME = "extractor-version.json"


def _inputs(package: Path) -> list[Path]:
    files: list[Path] = []
    for part in _PARTS:
        path = package / part
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        files += [f for f in found if f.suffix != ".pyc" and "__pycache__" not in f.parts and f.name != "README.md"]
    return files


def code_of(source: bytes) -> bytes:
    """What a Python file does, without its comments, docstrings and layout: the dump of its parsed tree."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
                    first.value.value, str):
                node.body[0] = ast.Pass()
    return ast.dump(tree).encode()


def compute_version(package: Path = _PACKAGE) -> str:
    """The version of the extractor in `package` (a folder laid out as etl/), computed afresh."""
    digest = hashlib.sha256()
    for file in _inputs(package):
        digest.update(file.relative_to(package).as_posix().encode())
        data = file.read_bytes()
        digest.update(code_of(data) if file.suffix == ".py" else data)
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _raw_key(package: Path) -> str:
    """A hash of the inputs' bytes as they are: cheap, and the cache key of the version."""
    digest = hashlib.sha256(__version__.encode())
    for file in _inputs(package):
        digest.update(file.relative_to(package).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _cache_files(package: Path) -> list[Path]:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return [package / "__pycache__" / _CACHE_NAME, Path(base) / "yibao-etl" / _CACHE_NAME]


@cache
def extractor_version(package: Path = _PACKAGE) -> str:
    key = _raw_key(package)
    for path in _cache_files(package):
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept.get("key") == key:
                return str(kept["version"])
        except (OSError, ValueError, KeyError, AttributeError):
            continue
    version = compute_version(package)
    for path in _cache_files(package):
        try:  # best effort: a read-only install recomputes it on every run
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}")
            partial.write_text(json.dumps({"key": key, "version": version}), encoding="utf-8")
            os.replace(partial, path)  # whole or not at all: workers and parallel runs read it too
            break
        except OSError:
            continue
    return version
