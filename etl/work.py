"""The unit of parallel work: read, hash and transform one file. Runs in worker processes; no database."""

from __future__ import annotations

from dataclasses import dataclass

from etl.extract.files import FileRef, read_file
from etl.records import DocumentRecord, Failure, StageError


@dataclass(frozen=True, slots=True)
class Task:
    """A file to look at, with what the database already knows of it."""

    ref: FileRef
    doc_id: int | None  # the existing document at this path, if any
    known_sha256: str | None  # its stored hash
    force: bool  # re-transform even if the bytes are unchanged (new extractor version, --reprocess)


@dataclass(frozen=True, slots=True)
class Unchanged:
    task: Task
    sha256: str


@dataclass(frozen=True, slots=True)
class Transformed:
    task: Task
    record: DocumentRecord


@dataclass(frozen=True, slots=True)
class Failed:
    task: Task
    failure: Failure


Outcome = Unchanged | Transformed | Failed


def process(task: Task, max_bytes: int | None) -> Outcome:
    """Never raises: an unusable file becomes a Failed outcome with a one-line reason."""
    from etl.transform import transform_document

    ref = task.ref
    sha: str | None = None
    try:
        data, sha = read_file(ref.file_path, max_bytes)
        if sha == task.known_sha256 and not task.force:
            return Unchanged(task, sha)
        return Transformed(task, transform_document(data, ref.source_path, sha256=sha))
    except StageError as exc:
        return Failed(task, Failure(ref.source_path, exc.stage, exc.reason, sha))
    except RecursionError:
        return Failed(task, Failure(ref.source_path, "transform", "document nested too deeply to parse", sha))
    except MemoryError:
        return Failed(task, Failure(ref.source_path, "transform", "out of memory while transforming", sha))
    except Exception as exc:  # a bug must cost one file, never the run
        reason = f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        return Failed(task, Failure(ref.source_path, "transform", reason, sha))


def process_batch(tasks: list[Task], max_bytes: int | None) -> list[Outcome]:
    return [process(task, max_bytes) for task in tasks]
