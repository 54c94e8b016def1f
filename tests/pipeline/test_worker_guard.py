"""One pathological file costs that file: the worker's time limit turns a hang into a recorded failure."""

from __future__ import annotations

import time

import etl.transform
from etl import work
from etl.records import Failed, FileRef, Task
from etl.work import process


def test_a_file_that_takes_too_long_is_a_failure_not_a_hang(monkeypatch, tmp_path):
    path = tmp_path / "slow.txt"
    path.write_text("关于加强医保基金监管的通知\n正文", encoding="utf-8")

    def endless(data, source_path, sha256=None):
        time.sleep(5)

    monkeypatch.setattr(work, "FILE_TIME_LIMIT_SECONDS", 0.2)
    monkeypatch.setattr(etl.transform, "transform_document", endless)
    started = time.monotonic()
    outcome = process(Task(FileRef(str(path), "slow.txt", path.stat().st_size, 0), None, None, False), None)
    assert time.monotonic() - started < 2
    assert isinstance(outcome, Failed)
    assert outcome.failure.stage == "transform" and "took over" in outcome.failure.reason
