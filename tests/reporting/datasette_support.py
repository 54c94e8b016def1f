"""Serving a test database in Datasette and reading its pages (tests/reporting, tests/frontend)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from etl.load.db import make_engine, sqlite_path
from etl.reporting.datasette import available, datasette_command, write_metadata_for

needs_datasette = pytest.mark.skipif(not available(), reason="datasette is not installed (optional extra: "
                                                             "pip install 'yibao-etl[datasette]')")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, deadline: float) -> bytes:
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError as exc:  # not listening yet
            last = exc
            time.sleep(0.2)
    raise AssertionError(f"Datasette did not answer {url}: {last}")


def get_json(url: str, deadline: float) -> object:
    return json.loads(get(url, deadline).decode("utf-8"))


@contextmanager
def served(sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    """`etl datasette`'s command serving the database at sqlite_url; yields the database's base URL."""
    db_file = Path(sqlite_path(sqlite_url))
    engine = make_engine(sqlite_url)
    meta = write_metadata_for(engine, tmp_path / "metadata.json")
    engine.dispose()
    port = free_port()
    server = subprocess.Popen(datasette_command(db_file, meta, "127.0.0.1", port),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/{db_file.stem}"
        get(f"{base}.json", time.monotonic() + 60)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
