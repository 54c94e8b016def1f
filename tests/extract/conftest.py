"""Shared paths and a one-call helper for the extract tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.extract import extract_document
from etl.records import ExtractedDocument

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
FIXTURES = REPO / "tests" / "fixtures" / "extract"
CORPUS = REPO.parent / "shared" / "corpus"
GOLD = REPO.parent / "shared" / "gold" / "seeds.json"


def extract_path(path: Path) -> ExtractedDocument:
    return extract_document(path.read_bytes(), path.name)


def extract_text(text: str) -> ExtractedDocument:
    return extract_document(text.encode("utf-8"), "snippet.txt")


@pytest.fixture
def seed_path():
    def find(prefix: str) -> Path:
        return next(SEEDS.glob(f"{prefix}_*.txt"))

    return find
