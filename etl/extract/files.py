"""Find document files under the paths a run is given, and read their bytes safely.

The walk streams (memory does not grow with the tree), visits entries in name order (so runs are
reproducible), never follows a symlink out of the given folders unless asked, and reports what it cannot
use (dangling links, loops, FIFOs, unreadable folders) as failures instead of stopping.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from etl.records import FileRef, StageError

# Files that are not documents: media, archives, office binaries, code and data. Skipped and counted.
NOT_DOCUMENT_SUFFIXES = frozenset(
    """
    .png .jpg .jpeg .gif .webp .svg .ico .bmp .tif .tiff .heic .mp3 .mp4 .m4a .wav .avi .mov .mkv .webm
    .zip .gz .tgz .bz2 .xz .7z .rar .tar .zst .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .epub
    .exe .dll .so .dylib .o .a .pyc .pyo .class .jar .whl .woff .woff2 .ttf .otf .eot
    .css .js .mjs .map .ts .py .sh .bat .ps1 .json .jsonl .tsv .csv .yaml .yml .toml .ini .cfg .lock
    .sqlite .sqlite3 .db .db-wal .db-shm .parquet .avro .bin .dat .iso .dmg .psd .ai .swp .tmp .log
    """.split()
)
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "CVS", "_darcs"})


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file passed over on purpose (hidden, VCS, excluded, not a document)."""

    file_path: str
    source_path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Unusable:
    """A path the walk found but cannot read as a file (dangling link, loop, FIFO …)."""

    file_path: str
    source_path: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnlistedFolder(Unusable):
    """A folder that exists but cannot be listed (permissions, a network share): nothing under it is gone."""


WalkItem = FileRef | Skipped | Unusable

# -- file names that are not UTF-8 ----------------------------------------------------------------------
# Python gives a name's undecodable bytes as lone surrogates U+DC80..U+DCFF (surrogateescape); neither
# database accepts those. The stored form writes each such byte as \xNN (two lowercase hex digits) and, so
# that the form can be read back unambiguously, a backslash that the original name has right before an `x`,
# another backslash or such a byte as \\. Every other path is stored as it is.
_NEEDS_ESCAPE = re.compile(r"\\(?=[x\\\udc80-\udcff])|[\udc80-\udcff]")
_ESCAPED = re.compile(r"\\(\\|x[89a-f][0-9a-f])")


def _escape(match: re.Match) -> str:
    char = match.group()
    return "\\\\" if char == "\\" else f"\\x{ord(char) - 0xDC00:02x}"


def stored_path(path: str) -> str:
    """The form of an OS path a database stores: valid UTF-8, reversible with os_path_of()."""
    if "\\" not in path:
        try:
            path.encode("utf-8")
            return path
        except UnicodeEncodeError:
            pass
    return _NEEDS_ESCAPE.sub(_escape, path)


def os_path_of(stored: str) -> str:
    """The OS path (surrogateescape str, as os.listdir gives it) a stored path stands for."""
    if "\\" not in stored:
        return stored

    def unescape(match: re.Match) -> str:
        token = match.group(1)
        return "\\" if token == "\\" else chr(0xDC00 + int(token[1:], 16))

    return _ESCAPED.sub(unescape, stored)


def shown_name(name: str) -> str:
    """A name a person can read: undecodable bytes read as GB18030 (archives made on Chinese Windows) when
    they decode so, else the stored \\xNN form."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return stored_path(name)


def matches_any(patterns: Iterable[str], rel: str) -> bool:
    """Whether a file's path relative to its root matches a glob as users type them: the whole path or the
    file's name (`*.md`, `2021/*`), or one of its folders by name or path (`laws`, `laws/`, `./laws`,
    `laws/刑法`, `l*`), so a folder excludes everything under it."""
    parts = rel.split("/")
    for pattern in patterns:
        pattern = _clean_glob(pattern)
        if not pattern:
            continue
        if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(parts[-1], pattern):
            return True
        if "/" in pattern:
            if any(fnmatch.fnmatchcase("/".join(parts[:i]), pattern) for i in range(1, len(parts))):
                return True
        elif any(fnmatch.fnmatchcase(folder, pattern) for folder in parts[:-1]):
            return True
    return False


def _clean_glob(pattern: str) -> str:
    """`./laws/`, `laws/` and `laws//` all mean the folder laws; Windows separators mean the same as /."""
    pattern = pattern.strip().replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/").replace("//", "/")


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def _stat_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "dangling symlink (its target does not exist)"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot stat: {exc.strerror or exc}"


def walk(
    paths: Iterable[str],
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    follow_symlinks: bool = False,
) -> Iterator[WalkItem]:
    """Every file under the paths, as FileRef, Skipped or Unusable, in a reproducible order."""
    given = distinct_paths(paths)
    roots = tuple(os.path.realpath(p) for p in given)
    visited: set[tuple[int, int]] = set()
    for path in given:
        try:
            st = os.stat(path)
        except OSError as exc:
            reason = "no such file or folder" if exc.errno == errno.ENOENT and not os.path.islink(path) else _stat_reason(exc)
            yield Unusable(stored_path(path), shown_name(os.path.basename(path)), reason)
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk_folder(os.path.realpath(path), include, exclude, follow_symlinks, roots, visited)
        else:
            real = os.path.realpath(path)
            yield from _classify_file(real, shown_name(os.path.basename(path)), st, include, exclude, explicit=True)


def distinct_paths(paths: Iterable[str]) -> list[str]:
    """The given paths, absolute, without those another one covers: the same path twice, a folder inside
    another given folder, a file inside a given folder. One walk then meets each file once (two walks
    over the same file made two inserts of one unique path)."""
    given: list[tuple[str, str]] = []
    for path in paths:
        absolute = os.path.abspath(os.path.expanduser(path))
        real = os.path.realpath(absolute)
        if all(real != seen for _, seen in given):
            given.append((absolute, real))
    folders = [real for absolute, real in given if os.path.isdir(absolute)]
    return [absolute for absolute, real in given
            if not any(real != folder and real.startswith(folder.rstrip("/") + "/") for folder in folders)]


def _classify_file(
    os_file: str, rel: str, st: os.stat_result, include, exclude, explicit: bool = False, open_path: str = ""
) -> Iterator[WalkItem]:
    file_path = stored_path(os_file)
    if file_path != os_file and not open_path:
        open_path = os_file
    if not stat.S_ISREG(st.st_mode):
        kind = "FIFO" if stat.S_ISFIFO(st.st_mode) else "socket" if stat.S_ISSOCK(st.st_mode) else "device"
        yield Unusable(file_path, rel, f"not a regular file ({kind})")
        return
    if not explicit:
        if include and not matches_any(include, rel):
            yield Skipped(file_path, rel, "not matched by --include")
            return
        if exclude and matches_any(exclude, rel):
            yield Skipped(file_path, rel, "matched by --exclude")
            return
        suffix = os.path.splitext(rel)[1].lower()
        if suffix in NOT_DOCUMENT_SUFFIXES:
            yield Skipped(file_path, rel, f"not a document ({suffix} file)")
            return
    yield FileRef(file_path, rel, st.st_size, st.st_mtime_ns, open_path)


def _walk_folder(root: str, include, exclude, follow_symlinks: bool, roots: tuple[str, ...],
                 visited: set[tuple[int, int]]) -> Iterator[WalkItem]:
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            folder_stat = os.stat(folder)
            if (folder_stat.st_dev, folder_stat.st_ino) in visited:
                # reached a second time through a followed link: its files are walked once, never an error
                yield Skipped(stored_path(folder), rel_folder or ".", "folder already walked (reached again through a symlink)")
                continue
            visited.add((folder_stat.st_dev, folder_stat.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield UnlistedFolder(stored_path(folder), shown_name(rel_folder or "."),
                                 f"cannot list folder: {exc.strerror or exc}")
            continue
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            name = shown_name(entry.name)
            rel = f"{rel_folder}/{name}" if rel_folder else name
            if entry.name.startswith(".") and not (include and matches_any(include, rel)):
                yield Skipped(stored_path(entry.path), rel, "hidden file or folder")
                continue
            is_link = entry.is_symlink()
            try:
                st = os.stat(entry.path)  # follows links
            except OSError as exc:
                yield Unusable(stored_path(entry.path), rel, _stat_reason(exc))
                continue
            target = os.path.realpath(entry.path) if is_link else entry.path
            inside = is_link and _inside(target, roots)
            if is_link and not follow_symlinks and not inside:
                yield Skipped(stored_path(entry.path), rel, "symlink leads outside the given folders (use --follow-symlinks)")
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in SKIPPED_FOLDERS:
                    yield Skipped(stored_path(entry.path), rel, "tooling folder")
                    continue
                if inside:  # its files are met under their real path; walking the alias too loaded them twice
                    yield Skipped(stored_path(entry.path), rel, "symlink to a folder inside the given folders "
                                                                 "(walked under its real path)")
                    continue
                subfolders.append((target, rel))
            else:
                # a link is read through the target the walk resolved, never through the link itself
                yield from _classify_file(os.path.join(folder, entry.name), rel, st, include, exclude,
                                          open_path=target if is_link else "")
        stack.extend(reversed(subfolders))


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_file(file_path: str, max_bytes: int | None, follow_symlinks: bool = False) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256; StageError('read', …) for what cannot be read.

    The walk resolves links and checks where they lead; a file swapped for a link after that (to
    /etc/passwd, say) is refused here, not read: the open does not follow a link unless asked."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_symlinks else _NOFOLLOW)
    try:
        fd = os.open(file_path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise StageError("read", "the file became a symlink after the walk (not followed)") from exc
        raise StageError("read", f"cannot open: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StageError("read", "not a regular file")
        if max_bytes is not None and st.st_size > max_bytes:
            raise StageError(
                "read", f"file is {st.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit (--max-file-mb)"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as exc:
        raise StageError("read", f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    if max_bytes is not None and len(data) > max_bytes:
        raise StageError("read", f"file grew over the {max_bytes / 1e6:.0f} MB limit while being read")
    return data, hashlib.sha256(data).hexdigest()
