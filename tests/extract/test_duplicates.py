"""SimHash near-duplicates: republished copies link, template-sharing briefings do not."""

from __future__ import annotations

import itertools

from etl.transform.duplicates import DUPLICATE_MAX_DISTANCE, hamming, simhash
from tests.conftest import needs_shared
from tests.extract.conftest import CORPUS, FIXTURES, extract_path


def test_simhash_is_a_signed_64_bit_int_and_stable() -> None:
    value = simhash("国家医保局：累计追回医保基金约506亿元")
    assert -(2**63) <= value < 2**63
    assert value == simhash("国家医保局：累计追回医保基金约506亿元")
    assert simhash("") == 0


def test_punctuation_and_brackets_do_not_matter() -> None:
    assert simhash("重点打击“假病人”“假病情”(三假)") == simhash("重点打击「假病人」「假病情」（三假）")


def test_hamming_counts_bits_of_signed_values() -> None:
    assert hamming(-1, 0) == 64 and hamming(5, 4) == 1


def test_republished_copy_of_seed_002_links(seed_path) -> None:
    original = extract_path(seed_path("002"))
    copy = extract_path(FIXTURES / "republished_002_sina.md")
    assert copy.source.name == "新浪财经" and original.source.name == "贝果财经"
    assert (copy.published_at - original.published_at).total_seconds() == 13
    assert hamming(simhash(original.body_text), simhash(copy.body_text)) <= DUPLICATE_MAX_DISTANCE


def test_different_seeds_do_not_link(seed_path) -> None:
    hashes = [simhash(extract_path(seed_path(prefix)).body_text) for prefix in ("000", "001", "002", "003", "004")]
    assert min(hamming(a, b) for a, b in itertools.combinations(hashes, 2)) > DUPLICATE_MAX_DISTANCE


@needs_shared(CORPUS / "news")
def test_daily_briefings_sharing_a_template_do_not_link() -> None:
    briefings = sorted((CORPUS / "news").glob("mybolgfor__*-DailyFinanceNews*.md"))
    assert len(briefings) > 40
    hashes = [simhash(extract_path(path).body_text) for path in briefings]
    assert min(hamming(a, b) for a, b in itertools.combinations(hashes, 2)) > DUPLICATE_MAX_DISTANCE


def test_simhash_is_the_same_in_another_process() -> None:
    """Fingerprints are stored and compared across runs, so they may not depend on the process (hash seed)."""
    import subprocess
    import sys

    text = "医保基金监管：追回资金3.2亿元，处理定点医药机构1200家"
    code = f"from etl.transform.duplicates import simhash; print(simhash({text!r}))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": ""}, cwd=str(FIXTURES.parents[2]))
    assert int(other.stdout) == simhash(text)


def test_long_texts_are_counted_in_chunks_with_the_same_result(monkeypatch) -> None:
    from etl.transform import duplicates

    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(5000))
    whole = simhash(text)
    monkeypatch.setattr(duplicates, "_ROWS_PER_CHUNK", 64)
    assert simhash(text) == whole
    assert len(duplicates.shingle_hashes(duplicates.letter_codes(text))) > 64


def test_bit_counts_count_each_bit_of_the_hashes(monkeypatch) -> None:
    import numpy as np

    from etl.transform import duplicates

    hashes = np.random.default_rng(3).integers(0, 2**64, size=1000, dtype=np.uint64)
    expected = [int(((hashes >> np.uint64(bit)) & np.uint64(1)).sum()) for bit in range(64)]
    assert duplicates.bit_counts(hashes).tolist() == expected
    assert duplicates.bit_counts(np.full(600, 2**64 - 1, dtype=np.uint64)).tolist() == [600] * 64
    monkeypatch.setattr(duplicates, "_ROWS_PER_CHUNK", 300)
    assert duplicates.bit_counts(hashes).tolist() == expected


def test_letter_table_keeps_what_the_regex_keeps() -> None:
    import numpy as np

    from etl.transform.duplicates import _NOT_WORD, letter_codes

    for text in ("医保基金（3.2亿元）_追回！", "ÀB_c-İ ² ½ ١٢ ⅷ", "ÀB_c 𠀀字𝟘", "\ud800 lone surrogate", ""):
        letters = _NOT_WORD.sub("", text.lower())
        expected = np.frombuffer(letters.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        assert letter_codes(text).tolist() == expected.tolist()


def test_short_texts_have_a_fingerprint() -> None:
    assert simhash("医保") != 0 and simhash("医保") == simhash("医 保!")
    assert simhash("医保局") != simhash("医保卡")
