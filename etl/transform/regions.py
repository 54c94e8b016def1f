"""China's administrative divisions (province, prefecture, county) from the shipped data file.

Agency recognition needs three things from them: whether the characters before 医保局 are a place
(so 云阳县医疗保障局 is matched whole and 和县 in "县委和县纪委" is not taken blindly), the full path and
six-digit code of that place, and its level. The table is read once, lazily, into plain dicts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from etl.rules import rows as rule_rows

# 直辖市 and 自治区 bodies are provincial, 地级市/自治州/地区/盟 prefectural, 县/县级市/区/旗 county.
LEVELS = {"province": "provincial", "prefecture": "prefectural", "county": "county"}

# Ethnic names that make up autonomous-prefecture names (恩施土家族苗族自治州 -> 恩施, 恩施州).
_ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 "
    "裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_RE = re.compile(
    "(?:"
    + "|".join(sorted((e + "族" for e in _ETHNIC), key=len, reverse=True))
    + "|"
    + "|".join(e for e in sorted(_ETHNIC, key=len, reverse=True) if len(e) > 1)
    + ")+$"
)
_PROVINCE_TAIL = re.compile(r"(?:省|市|特别行政区|(?:壮族|回族|维吾尔)?自治区)$")


@dataclass(frozen=True, slots=True)
class Region:
    """One division: its code, official name, level (province/prefecture/county) and whether it is current."""

    code: str
    name: str
    kind: str
    current: bool

    @property
    def level(self) -> str:
        """Agency level of a body of this division, as the contract names it."""
        return LEVELS[self.kind]


class Gazetteer:
    """Lookup tables over the divisions: by code, by name (full and short forms), parents and paths."""

    def __init__(self, rows: list[Region]):
        self.by_code: dict[str, Region] = {}
        for r in rows:  # a current entry wins over a former one with the same code
            if r.code not in self.by_code or (r.current and not self.by_code[r.code].current):
                self.by_code[r.code] = r
        self.full: dict[str, list[Region]] = {}
        for r in rows:
            self.full.setdefault(r.name, []).append(r)
        self.short: dict[str, list[Region]] = {}
        self._build_short_forms(rows)
        self.max_len = max(len(n) for n in (*self.full, *self.short))
        self.lengths_by_head = _lengths_by(lambda name: name[:2], (*self.full, *self.short))
        self.lengths_by_tail = _lengths_by(lambda name: name[-2:], (*self.full, *self.short))

    def _build_short_forms(self, rows: list[Region]) -> None:
        """Short forms people write before an agency name: 北京, 广西, 黄山, 恩施州, 海淀.

        County short forms are only kept when unique and not also a province or prefecture short form,
        because two-character county stems (朝阳, 城关) collide with other places.
        """
        cand: dict[str, list[Region]] = {}
        for r in rows:
            if not r.current:
                continue
            forms: list[str] = []
            if r.kind == "province":
                forms.append(_PROVINCE_TAIL.sub("", r.name))
            elif r.kind == "prefecture":
                if r.name.endswith("自治州"):
                    stem = _ETHNIC_RE.sub("", r.name[:-3])
                    forms += [stem, stem + "州"]
                elif r.name.endswith("地区"):
                    forms.append(r.name[:-2])
                elif r.name.endswith("市"):
                    forms.append(r.name[:-1])
            elif r.name.endswith(("自治县", "自治旗")):  # 民和回族土族自治县 -> 民和, 民和县
                stem = _ETHNIC_RE.sub("", r.name[:-3])
                forms += [stem, stem + r.name[-1]]
            elif r.name[-1] in "市区县" and "自治" not in r.name:
                forms.append(r.name[:-1])
            for f in forms:
                if len(f) >= 2 and f != r.name and f not in self.full:
                    cand.setdefault(f, []).append(r)
        for form, regions in cand.items():
            high = [r for r in regions if r.kind != "county"]
            if high:
                self.short[form] = sorted(high, key=lambda r: r.kind != "province")
            elif len(regions) == 1:
                self.short[form] = regions

    def lookup(self, text: str) -> list[Region]:
        """Divisions a written name can mean (full name first, then short form)."""
        return self.full.get(text) or self.short.get(text) or []

    def parent(self, region: Region) -> Region | None:
        """The prefecture (or, for 直辖市 districts and 省直辖 counties, the province) above a division."""
        if region.kind == "province":
            return None
        if region.kind == "county":
            up = self.by_code.get(region.code[:4] + "00")
            if up is not None and up.code != region.code:
                return up
        up = self.by_code.get(region.code[:2] + "0000")
        return up if up is not None and up.code != region.code else None

    def chain(self, region: Region) -> list[Region]:
        """The division and its ancestors, innermost first."""
        out = [region]
        while (up := self.parent(out[-1])) is not None:
            out.append(up)
        return out

    def path(self, region: Region) -> str:
        """Full path as users read it: 安徽省黄山市歙县, 重庆市云阳县, 北京市."""
        return "".join(r.name for r in reversed(self.chain(region)))

    def is_within(self, inner: Region, outer: Region) -> bool:
        """Whether inner is outer or lies inside it."""
        return any(r.code == outer.code for r in self.chain(inner))

    def ambiguous(self, region: Region) -> bool:
        """Whether another current division has the same full name (朝阳区, 通州区, 城区 …)."""
        return sum(1 for r in self.full.get(region.name, ()) if r.current) > 1


def _lengths_by(key: Callable[[str], str], names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """Lengths of the names sharing a key (first or last two characters), longest first.

    A scan for the longest name at a position then tries only the lengths some name there has, instead of
    every length up to max_len.
    """
    lengths: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:
            lengths.setdefault(key(name), set()).add(len(name))
    return {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}


@cache
def gazetteer() -> Gazetteer:
    """The shipped division table, loaded once per process."""
    rows: list[Region] = []
    for rec in rule_rows("divisions"):
        rows.append(Region(rec["code"], rec["name"], rec["level"], rec["status"] == "current"))
    return Gazetteer(rows)
