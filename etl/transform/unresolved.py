"""Bare agency mentions the transform could not place: 市医保局 in a story that never says which city.

find_agencies resolves a bare 市/县/区 prefix against the place its sentence or document is about, and leaves
the mention out when there is none; a figure in that sentence then falls back to the document's main body.
These forms are what the review queue shows, so that a person can say which body is meant (an agency_alias
correction). A bare prefix counts where the transform would read it as "this place's": after a boundary or
a word such as 我, 由, 联合 (never 各市, 全省 or a list of levels such as 省、市、县).
"""

from __future__ import annotations

import bisect
import itertools
import re
from functools import cache

from etl.records import AgencyMention
from etl.rules import rows
from etl.transform.agencies import longest_first_pattern

BARE_PREFIXES = ("自治区", "自治州", "省", "市", "县", "区", "州", "旗")
# The last character of the words after which a bare prefix still means "this place's" (我市, 由县, 联合市).
_LEAD_ENDS = "我本该由与和及同向经对在据是为并将请报送交至到从被以等了或暨会后给则也均已即有合织过促导求头"
_LEVEL_CHARS = "省市县区乡镇级"


@cache
def _pattern() -> re.Pattern[str]:
    suffixes = [row["surface"] for row in rows("local_agency_suffixes")]
    # starts with the prefix, not with a look-behind: the engine then skips to the next 市/县/区 … at C speed
    return re.compile(longest_first_pattern(BARE_PREFIXES) + longest_first_pattern(suffixes))


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def unresolved_mentions(body_text: str, mentions: list[AgencyMention]) -> tuple[str, ...]:
    """The bare agency forms in body_text that no mention's span covers, each once, in order of appearance."""
    if not body_text:
        return ()
    spans = sorted(span for mention in mentions for span in mention.spans)
    starts = [start for start, _ in spans]
    reach = list(itertools.accumulate((end for _, end in spans), max))  # furthest end of spans[:i + 1]
    found: dict[str, None] = {}
    for match in _pattern().finditer(body_text):
        start, end = match.span()
        before = body_text[start - 1] if start else ""
        if before and _is_cjk(before) and before not in _LEAD_ENDS:
            continue  # 各市医保局, 全省, or the tail of a place name (歙县医保局): not "this place's"
        if start >= 2 and before in "、，," and body_text[start - 2] in _LEVEL_CHARS:
            continue  # 省、市医保局: a list of levels, not a body
        i = bisect.bisect_left(starts, end)  # spans[:i] start before the match ends: does one reach into it?
        if i and reach[i - 1] > start:
            continue
        found.setdefault(match.group())
    return tuple(found)
