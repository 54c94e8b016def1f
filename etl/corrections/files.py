"""The corrections folder: YAML files a user keeps under version control, read and written here.

Which folder (etl.corrections.folder): `etl run --corrections DIR`, else $ETL_CORRECTIONS_DIR, else
./corrections when it exists; with none, a run goes on applying the corrections the database holds from the
last run that had a folder. Every
`*.yaml` / `*.yml` file under it (hidden ones aside) is a list of corrections, read in path order; a mistake
anywhere stops the run before it writes anything, naming the file and line.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from etl.corrections.folder import DEFAULT_FOLDER, ENV_VAR, folder_for_writing, resolve_folder  # noqa: F401
from etl.corrections.model import Correction, CorrectionError, make_correction

DEFAULT_FILE = "corrections.yaml"
SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class CorrectionSet:
    """The corrections of one folder (or of the database, when no folder was found), in the order written."""

    items: list[Correction] = field(default_factory=list)
    folder: Path | None = None  # None: taken from the database
    version: str | None = None  # SHA-256 over the files' paths and bytes: what etl_runs records

    def __bool__(self) -> bool:
        return bool(self.items)


def correction_files(folder: Path) -> list[Path]:
    """The YAML files under folder, hidden files and folders left out, in path order."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / name for name in files
                     if name.endswith(SUFFIXES) and not name.startswith("."))
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def load_folder(folder: Path) -> CorrectionSet:
    """Every correction under folder, validated; raises CorrectionError at the first mistake."""
    digest = hashlib.sha256()
    items: list[Correction] = []
    for path in correction_files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorrectionError(name, f"cannot read it ({exc.strerror or exc})") from None
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        try:
            items.extend(parse(data, name))
        except CorrectionError as exc:  # named from where the user stands, not from inside the folder
            raise CorrectionError(f"{folder / exc.where}", exc.message) from None
    try:
        check_together(items)
    except CorrectionError as exc:
        raise CorrectionError(f"{folder / exc.where}", exc.message) from None
    return CorrectionSet(items, folder, digest.hexdigest())


def parse(data: bytes | str, name: str) -> list[Correction]:
    """The corrections in one YAML text (a list of mappings), each with the line it starts on."""
    import yaml  # only when there are corrections to read
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise CorrectionError(name, "not UTF-8 text") from None
    loader = _loader_class()(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return []
        if not isinstance(root, yaml.SequenceNode):
            raise CorrectionError(f"{name}:{root.start_mark.line + 1}",
                                  "a corrections file is a list: start each correction with '- kind: …'")
        out = []
        for node in root.value:
            line = node.start_mark.line + 1
            field_lines = ({k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
                           if isinstance(node, yaml.MappingNode) else {})
            out.append(make_correction(loader.construct_object(node, deep=True), name, line, field_lines))
        return out
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark else name
        raise CorrectionError(where, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise CorrectionError(name, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


@cache
def _loader_class():
    """YAML's safe loader (libyaml's parser when there is one: a folder of thousands of corrections is read on
    every run), dates left as text: the model checks them and says what is wrong (2022-13-01)."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)
    return Loader


def check_together(items: Iterable[Correction]) -> None:
    """Two corrections that say the same, or set one field of one target to different values, are a mistake;
    so is merging into an agency that is itself merged away (merge into the last one directly)."""
    seen: dict[str, Correction] = {}
    setting: dict[tuple, tuple[Any, Correction]] = {}
    items = list(items)
    merged_away = {c.get("agency"): c for c in items if c.kind == "merge_agencies"}
    for c in items:
        if c.kind == "merge_agencies" and c.get("into") in merged_away:
            later = merged_away[c.get("into")]
            raise CorrectionError(c.where, f"{c.get('into')} is itself merged into {later.get('into')} by "
                                           f"{later.where}: merge {c.get('agency')} into that directly")
        if c.key in seen:
            raise CorrectionError(c.where, f"the same correction as {seen[c.key].where}")
        seen[c.key] = c
        if c.kind not in ("set_metric", "set_document", "agency_alias"):
            continue
        target = (c.kind, c.document, c.sha256, c.raw_text, c.occurrence)
        fields = [(k, v) for k, v in c.values] if c.kind != "agency_alias" else [("name", c.get("name"))]
        for name, value in fields:
            key = (*target, c.get("alias") if c.kind == "agency_alias" else None, name)
            earlier = setting.get(key)
            if earlier is not None and earlier[0] != value:
                raise CorrectionError(c.where, f"{name} is set to {earlier[0]!r} by {earlier[1].where} for the same "
                                               "target: keep one")
            setting[key] = (value, c)


def to_yaml(specs: list[dict[str, Any]]) -> str:
    """Corrections as a YAML list, fields in the order given, Chinese as written."""
    import yaml
    return yaml.safe_dump(specs, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def append(folder: Path, specs: list[dict[str, Any]], file: str = DEFAULT_FILE) -> tuple[Path, list[Correction]]:
    """Add corrections to a file of the folder (created if need be) after checking them and the whole folder
    with them; what the folder already says is left out. Returns the file and the corrections added."""
    folder = Path(folder)
    path = folder / file
    if path.suffix not in SUFFIXES:
        raise CorrectionError(file, "a corrections file ends in .yaml or .yml")
    existing = load_folder(folder) if folder.is_dir() else CorrectionSet()
    known = {c.key for c in existing.items}
    new: list[Correction] = []
    new_specs: list[dict[str, Any]] = []
    for index, spec in enumerate(specs):
        c = make_correction(spec, "new correction" + (f" {index + 1}" if len(specs) > 1 else ""), 0)
        if c.key in known:
            continue
        known.add(c.key)
        new.append(c)
        new_specs.append(c.spec())
    if not new:
        return path, []
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = old + ("\n" if old and not old.endswith("\n") else "") + to_yaml(new_specs)
    written = parse(text, file)  # the file as it will be: still a list of valid corrections
    new = written[len(written) - len(new):]  # with the lines they will have
    others = [c for c in existing.items if c.file != file]
    check_together([*others, *written])
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path, new
