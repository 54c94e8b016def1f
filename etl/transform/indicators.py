"""Classify a figure into an indicator code of the packaged vocabulary by the words around it.

Chinese reports put the action before the figure (追回医保基金506亿元, 暂停医保服务协议142家), the
counted thing right after it (7名医务人员, 24个行政处罚决定) or, for post-posed verbs, after that
(157家定点医药机构公告处理). So a cue in the figure's own clause wins, with three refinements:
- a cue before the figure beats one after it, and the stretch after it ends at the next list item (、),
  so in "移交公安司法机关536家（人）、移交纪检监察机关76家（人）" each figure keeps its own verb;
- specific cues (referrals, agreements, arrests, fines …) beat generic ones (检查, 处理, 线索), because
  "向纪检监察机关移送问题线索5" is a referral of leads, not a lead found;
- a cue only counts when the figure's unit fits it (money cues for 元, 7名 cannot be 7 institutions).
Cues come from the CSV's typical_cues; "A…B" matches A and B a few characters apart within a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.rules import RULES_DIR, TABLES, items, read_table, rows
from etl.transform.units import PERCENT_UNITS, is_money

VOCABULARY_PATH = RULES_DIR / "indicators.csv"

# Codes whose cues name a specific act; they beat generic cues anywhere in the clause (indicator_rules.csv).
SPECIFIC_CODES = frozenset(row["code"] for row in rows("indicator_rules") if row["rank"] == "specific")

# Count codes that only make sense with some measure words; codes without units take any count unit.
COMPATIBLE_UNITS: dict[str, frozenset[str]] = {
    row["code"]: frozenset(items(row["units"], " ")) for row in rows("indicator_rules") if row["units"]
}
# Measure words that belong to one kind of figure only: a code must list them to take them (restricted_units.csv).
RESTRICTED_UNITS = frozenset(row["unit"] for row in rows("restricted_units"))

_GAP = "[^，,；;。！？!?\n]{0,12}?"
# Cues that name the wrong-doing rather than an act against it: "追回被骗取的医保基金12万元" is a recovery.
WEAK_CUES = frozenset(row["cue"] for row in rows("weak_cues"))


@dataclass(frozen=True, slots=True)
class Indicator:
    """One row of the vocabulary."""

    code: str
    label_zh: str
    label_en: str
    measures: str  # money or count
    cues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The indicators and one compiled regex over all their cues (a group per cue gives its codes)."""

    indicators: dict[str, Indicator]
    cue_regex: re.Pattern[str]
    codes_of_group: tuple[tuple[str, ...], ...]
    weak_group: tuple[bool, ...]


def load_indicators(path: Path = VOCABULARY_PATH) -> dict[str, Indicator]:
    """Read the vocabulary CSV (code,label_zh,label_en,measures,typical_cues)."""
    table = rows("indicators") if path == VOCABULARY_PATH else read_table(TABLES["indicators"], path.parent)
    return {
        row["code"]: Indicator(
            code=row["code"],
            label_zh=row["label_zh"],
            label_en=row["label_en"],
            measures=row["measures"],
            cues=tuple(cue.strip() for cue in row["typical_cues"].split(";") if cue.strip()),
        )
        for row in table
    }


@lru_cache(maxsize=4)
def vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """The packaged vocabulary, compiled once per process.

    A cue may belong to several codes (行政处罚: a penalty decision counted in 个, an institution in 家);
    the unit of the figure then picks the one that fits.
    """
    indicators = load_indicators(path)
    codes_of_cue: dict[str, list[str]] = {}
    for indicator in indicators.values():
        for cue in indicator.cues:
            codes_of_cue.setdefault(cue, []).append(indicator.code)
    # longest first, so 暂停医保服务协议 is tried before 暂停协议 and 追退回 before 退回
    cues = sorted(codes_of_cue, key=len, reverse=True)
    parts = ["(" + _GAP.join(re.escape(piece) for piece in cue.split("…")) + ")" for cue in cues]
    # inside a lookahead, so overlapping cues are all found: 并处罚金 holds 处罚 and 罚金
    return Vocabulary(
        indicators,
        re.compile("(?=" + "|".join(parts) + ")"),
        tuple(tuple(codes_of_cue[cue]) for cue in cues),
        tuple(cue in WEAK_CUES for cue in cues),
    )


def _fits(code: str, measures: str, unit: str) -> bool:
    money = is_money(unit)
    if unit in PERCENT_UNITS.values():
        return False
    if measures == "money":
        return money
    if money:
        return False
    allowed = COMPATIBLE_UNITS.get(code)
    if allowed is None:
        return unit not in RESTRICTED_UNITS
    return unit in allowed


def _cues_in(text: str, vocab: Vocabulary) -> tuple[tuple[int, int, int], ...]:
    """(group, start, end) of every cue in text. Remembered for the last texts of a regex: the figures of
    one long clause (a list of thousands, a pathological file) share it, and the scan is the costly part."""
    return _cached_cues(text, vocab.cue_regex)


@lru_cache(maxsize=64)
def _cached_cues(text: str, cue_regex: re.Pattern[str]) -> tuple[tuple[int, int, int], ...]:
    found = []
    for match in cue_regex.finditer(text):
        group = match.lastindex or 1
        found.append((group, *match.span(group)))
    return tuple(found)


def _best_cue(text: str, figure_start: int, figure_end: int, unit: str, vocab: Vocabulary) -> str | None:
    """The code of the best cue in text: specific before generic, then nearest to the figure."""
    best: tuple[int, int, int, str] | None = None
    for group, start, end in _cues_in(text, vocab):
        side = 1 if start >= figure_end else 0  # the verb usually comes first: a cue before wins
        distance = max(figure_start - end, start - figure_end, 0)
        weak = vocab.weak_group[group - 1]
        for code in vocab.codes_of_group[group - 1]:
            if not _fits(code, vocab.indicators[code].measures, unit):
                continue
            rank = (side, 0 if code in SPECIFIC_CODES and not weak else 1, distance, code)
            if best is None or rank < best:
                best = rank
    return best[3] if best else None


def classify(
    clause: str, figure_start: int, figure_end: int, unit: str, near_start: int, near_end: int,
    vocab: Vocabulary | None = None,
) -> str | None:
    """Indicator code for the figure at [figure_start, figure_end) of clause, or None where none fits.

    [near_start, near_end) is the figure's own stretch of the clause (from the previous figure to the next
    one, or the next 、); it is searched first, the whole clause only if it has no cue that fits.
    """
    vocab = vocab or vocabulary()
    list_break = clause.find("、", figure_end, near_end)
    if list_break != -1:
        near_end = list_break
    # and it starts at the list item's own start: 142家被暂停协议、61家被解除协议
    near_start = max(near_start, clause.rfind("、", near_start, figure_start) + 1)
    near = clause[near_start:near_end]
    code = _best_cue(near, figure_start - near_start, figure_end - near_start, unit, vocab)
    if code is None and (near_start > 0 or near_end < len(clause)):
        code = _best_cue(clause, figure_start, figure_end, unit, vocab)
    return code
