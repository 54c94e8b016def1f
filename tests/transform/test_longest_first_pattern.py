"""The trie regex for word lists: it must match exactly what a flat longest-first alternation matches."""

from __future__ import annotations

import random
import re

import pytest

from etl.transform.agencies import longest_first_pattern


def _flat(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


@pytest.mark.parametrize(
    ("words", "text"),
    [
        (["国家医保局", "国家医疗保障局", "国务院", "国务院办公厅"], "国务院办公厅和国家医保局、国家医疗保障局、国务"),
        (["a", "abc", "abd", "b"], "abcabdabxab"),
        (["ab", "abcd"], "abcx abcd"),
        (["a.b", "a*"], "a.b a* axb"),
    ],
)
def test_same_matches_as_a_flat_alternation(words: list[str], text: str) -> None:
    trie = re.compile(longest_first_pattern(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in _flat(words).finditer(text)]


def test_same_matches_on_random_words_and_texts() -> None:
    rng = random.Random(7)
    for _ in range(200):
        words = list({"".join(rng.choices("abc", k=rng.randint(1, 4))) for _ in range(rng.randint(1, 8))})
        text = "".join(rng.choices("abcd", k=60))
        trie = re.compile(longest_first_pattern(words))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in _flat(words).finditer(text)]
