"""Run a command on a pseudo-terminal, as a user at a terminal does (progress bars, prompts)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
from pathlib import Path


def run_on_terminal(args: list[str], cwd: Path, typed: str = "", env: dict | None = None,
                    timeout: float = 120) -> tuple[int, str]:
    """Exit status and everything the command wrote (stdout and stderr share the terminal). typed is what
    the user types; the terminal holds it until the command reads it, so no timing is involved."""
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env={**os.environ, **(env or {})}, stdin=child_fd,
                               stdout=child_fd, stderr=child_fd, close_fds=True)
    os.close(child_fd)
    if typed:
        os.write(main_fd, typed.encode())
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([main_fd], [], [], timeout)
            if not ready:
                process.kill()
                raise TimeoutError(f"{args} wrote nothing for {timeout} s")
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the command closed the terminal (it exited)
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main_fd)
    return process.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")
