"""Helpers shared by tests (not fixtures)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_etl(etl_bin: list[str], *args: str, cwd: Path | None = None, env: dict | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([*etl_bin, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
