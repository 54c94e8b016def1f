"""Government bodies named in a document -> one canonical AgencyMention per body and role.

Documents name one body many ways (国家医保局 / 国家医疗保障局; 市公安局 in a Beijing story; 县医保局 in a
歙县 press release). The rules here are about the language, not about any one document:

- national bodies come from a gazetteer of official names and short forms (etl/rules/national_agencies.csv);
- a local body is {place}{suffix}: the suffix table (etl/rules/local_agency_suffixes.csv) expands short forms
  (医保局 -> 医疗保障局), the division table (etl/rules/divisions.csv, via regions.py) says whether the
  characters before it are a place, and which;
- a bare 市/县/区/省 prefix (市公安局, 我县医疗保障局) resolves to the place the sentence is about: the
  last place named in the sentence, else the document's own place (issuer, publisher, source, title,
  dateline); a county's 市 is its city (云阳县 -> 重庆市, 歙县 -> 黄山市);
- in an enumeration a prefix carries over: 县法院、检察院、公安局 are all the county's;
- generic references (医保部门, 公安部门, 各市医保局, 省、市、县人民政府) and event names
  (国务院政策例行吹风会) are not bodies; internal departments fold into their body
  (国家医保局基金监管司 -> 国家医疗保障局).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from etl.records import AgencyMention, ExtractedDocument
from etl.rules import government_suffixes, rows
from etl.transform.regions import Gazetteer, Region, gazetteer

# What may stand right before a bare 市/县/区 prefix for it to mean "this place's" (我县, 联合市公安局).
_BARE_PREFIXES = ("自治区", "自治州", "省", "市", "县", "区", "州", "旗")
_BARE_PREFIX_ENDS = frozenset(prefix[-1] for prefix in _BARE_PREFIXES)  # cheap test before trying each
_LEAD_WORDS = tuple(
    "我 本 该 由 与 和 及 同 向 经 对 在 据 是 为 并 将 请 报 送 交 至 到 从 被 以 等 了 或 暨 会 后 给 则 也 均 已 即 有 "
    "会同 联合 配合 协同 牵头 组织 通过 督促 指导 要求".split()
)
# Words that turn "{body}…" into an event or a thing, not a mention of the body.
_EVENT_AFTER = re.compile(
    r"(?:政策)?(?:例行)?(?:新闻)?(?:吹风会|发布会|通气会)|常务会议|全体会议|电视电话会议|联防联控机制"
    r"|代表(?!团)|委员(?!会)"
)
_GOVERNMENT_AS_MODIFIER = re.compile(r"投资|采购|债|性|机关|部门|购买|补贴|定价|指导价|信息公开|网站|门户")
_LEVEL_CHARS = set("省市县区乡镇级")
_SENTENCE_END_CHARS = "。！？!?；;\n"
MAX_SENTENCE_CHARS = 1000  # as etl.transform.metrics: no sentence is read back further than this
_SENTENCE_END = re.compile(f"[{_SENTENCE_END_CHARS}]")
_CLAUSE_END = re.compile(r"[，,：:。！？!?；;\n]")
# Characters after which a two-character place name (和县) more likely reads as word + bare prefix.
_FUNCTION_CHARS = set("和及与同向对由在经为并将请报送交至到从被以等或暨我本该全各")
# Short national aliases that are also the tail of common words (中央行政 -> 央行).
_NOT_AFTER = {"央行": "中", "人民银行": "国", "国办": "全中各"}
_NOT_BEFORE = {"最高法": "定律规", "最高检": "察"}
# An issuer string we cannot parse is still kept when it reads like a body's name.
_BODY_TAIL = re.compile("(?:" + "|".join(map(re.escape, government_suffixes("agency"))) + ")$")


@dataclass(frozen=True, slots=True)
class _Body:
    """A resolved body: canonical name, level and place."""

    name: str
    level: str
    region: Region | None


@dataclass(slots=True)
class _Hit:
    """One mention found in a text: the body, the surface form and where it is."""

    body: _Body
    alias: str
    start: int
    end: int
    explicit: Region | None = None  # the place written in front of it, when one was


@dataclass(slots=True)
class _Agg:
    """What the document says about one body, collected over all its mentions."""

    body: _Body
    roles: set[str] = field(default_factory=set)
    aliases: dict[str, None] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)
    title_hits: int = 0
    first: int = 1 << 30


def longest_first_pattern(words: Iterable[str]) -> str:
    """A regex for any of the words that prefers the longest one matching at a position.

    Written as a trie (国家(?:医疗保障局|医保局)) rather than a flat alternation sorted longest first: it
    matches the same, but the engine tries one branch per character instead of every word at every position.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, dict]) -> str:
        alternatives = [re.escape(ch) + branch(child) for ch, child in node.items() if ch]
        if not alternatives:
            return ""
        pattern = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        # a word that ends here is the fallback: greedy `?` tries the longer words first
        return f"(?:{pattern})?" if "" in node else pattern

    return branch(trie)


def _read_csv(name: str) -> list[dict[str, str]]:
    return rows(name.removesuffix(".csv"))


class _Matcher:
    """The compiled gazetteer: national names, local suffixes and the division table."""

    def __init__(self) -> None:
        self.g: Gazetteer = gazetteer()
        self.national: dict[str, str] = {}
        for row in _read_csv("national_agencies.csv"):
            self.national[row["name"]] = row["name"]
            for alias in filter(None, (a.strip() for a in row["aliases"].split("|"))):
                self.national[alias] = row["name"]
        self.national_re = re.compile(longest_first_pattern(self.national))
        self.suffix: dict[str, tuple[str, str | None]] = {
            row["surface"]: (row["canonical"], row["level"] or None)
            for row in _read_csv("local_agency_suffixes.csv")
        }
        self.suffix_re = re.compile(longest_first_pattern(self.suffix))
        self.foreign_re = _foreign_regex()

    # ---- places -------------------------------------------------------------------------------------------
    def place_before(
        self, text: str, end: int, floor: int
    ) -> tuple[int, int, list[Region], list[Region]] | None:
        """The longest place name ending at `end` (not before `floor`), with the places written before it.

        Returns (start, start of the innermost name, candidates, written ancestors), so 安徽省黄山市歙县
        resolves to 歙县 in 黄山市.
        """
        g = self.g
        hit = self._name_ending(text, end, floor)
        if hit is None:
            return None
        start, cands = hit
        inner = start
        ancestors: list[Region] = []
        while (up := self._name_ending(text, start, floor)) is not None:
            ups = [u for u in up[1] if any(g.is_within(c, u) and c.code != u.code for c in cands)]
            if not ups:
                break
            cands = [c for c in cands if any(g.is_within(c, u) for u in ups)]
            ancestors.extend(ups)
            start = up[0]
        if text.startswith("中共", max(floor, start - 2), start):
            start -= 2
        return start, inner, cands, ancestors

    def _name_ending(self, text: str, end: int, floor: int) -> tuple[int, list[Region]] | None:
        """The longest place name ending at `end` and starting at or after `floor`, with what it can mean."""
        longest = end - floor
        for n in self.g.lengths_by_tail.get(text[end - 2 : end], ()):
            if n <= longest:
                regions = self.g.lookup(text[end - n : end])
                if regions:
                    return end - n, regions
        return None

    def places_in(self, text: str) -> list[Region]:
        """Places named in a short text (title, dateline, source name), full names anywhere, short at a start."""
        g, out, i = self.g, [], 0
        while i < len(text):
            at_start = i == 0 or not _is_cjk(text[i - 1])
            for n in g.lengths_by_head.get(text[i : i + 2], ()):
                if n > len(text) - i:
                    continue
                piece = text[i : i + n]
                regions = g.full.get(piece) or (g.short.get(piece) if at_start else None)
                if regions:
                    current = [r for r in regions if r.current] or regions
                    if len({r.code for r in current}) == 1 or piece in g.short:
                        out.append(current[0])
                    i += n
                    break
            else:
                i += 1
        return out

    # ---- scanning -----------------------------------------------------------------------------------------
    def scan(self, text: str, home: Region | None) -> list[_Hit]:
        """Every body named in text, in order; bare prefixes resolve against the sentence, else `home`."""
        hits: list[_Hit] = []
        taken: list[tuple[int, int]] = []
        for m in self.national_re.finditer(text):
            alias, s, e = m.group(), m.start(), m.end()
            if alias.endswith("部") and text.startswith("门", e):  # 公安部门, 财政部门: generic
                continue
            if _EVENT_AFTER.match(text, e):
                continue
            if alias in _NOT_AFTER and s and text[s - 1] in _NOT_AFTER[alias]:
                continue
            if alias in _NOT_BEFORE and e < len(text) and text[e] in _NOT_BEFORE[alias]:
                continue
            if self.foreign_re.search(text, max(0, s - _FOREIGN_REACH), s) and _foreign_before(text, s, self.foreign_re):
                continue  # 韩国企划财政部, 美国财政部: a foreign body, never China's
            hits.append(_Hit(_Body(self.national[alias], "national", None), alias, s, e))
            taken.append((s, e))
        ti = 0
        floor = 0
        last_local: _Hit | None = None
        last_explicit: _Hit | None = None
        for m in self.suffix_re.finditer(text):
            s, e = m.start(), m.end()
            while ti < len(taken) and taken[ti][1] <= s:
                floor = max(floor, taken[ti][1])
                ti += 1
            if ti < len(taken) and taken[ti][0] < e:
                continue  # inside a national name (国家医疗保障局)
            if _EVENT_AFTER.match(text, e):
                continue
            if m.group() == "政府" and _GOVERNMENT_AS_MODIFIER.match(text, e):
                continue  # 新建政府投资建筑项目, 市政府采购: "government" qualifies a noun
            canonical, level_override = self.suffix[m.group()]
            hit = self._local(text, s, e, floor, canonical, level_override, home, last_local, last_explicit)
            if hit is None:
                continue
            if canonical == "公安局" and (branch := self._branch(text, hit)) is not None:
                hit, e = branch, branch.end
            hits.append(hit)
            floor = e
            last_local = hit
            if hit.explicit is not None:
                last_explicit = hit
        hits.sort(key=lambda h: h.start)
        return hits

    def _branch(self, text: str, hit: _Hit) -> _Hit | None:
        """上海市公安局长宁分局, 成都市公安局金牛区分局: a city police bureau's district branch, its own body."""
        m = _BRANCH_RE.match(text, hit.end)
        city = hit.body.region
        if m is None or city is None:
            return None
        written = m.group(1)
        for form in (written, written + "区", written + "县", written + "市"):
            inside = [r for r in self.g.lookup(form) if r.kind == "county" and self.g.is_within(r, city)]
            if inside:
                name = hit.body.name + written + "分局"
                return _Hit(_Body(name, "county", inside[0]), text[hit.start:m.end()], hit.start, m.end(), hit.explicit)
        return None

    def _local(
        self,
        text: str,
        s: int,
        e: int,
        floor: int,
        canonical: str,
        level_override: str | None,
        home: Region | None,
        last_local: _Hit | None,
        last_explicit: _Hit | None,
    ) -> _Hit | None:
        """Resolve the place in front of a suffix at text[s:e]; None when there is no definite place."""
        g = self.g
        anchor = home
        if last_explicit is not None and not _SENTENCE_END.search(text, last_explicit.end, s):
            anchor = last_explicit.explicit
        place = self.place_before(text, s, floor)
        if place is not None:
            start, inner, cands, ancestors = place
            written = text[inner:s]
            if not ancestors:
                functional, bare = self._function_reading(text, start, written, anchor)
                if functional:
                    if bare is None:
                        return None
                    return self._hit(bare, canonical, level_override, text, s - len(written) + 1, e, None)
            short = written in g.short
            if short and canonical == "人民政府" and text.startswith("政府", s):
                return (
                    None  # a short form before a bare 政府 is too weak (新建政府投资项目 is no 新建区 body)
                )
            if short and not ancestors and cands[0].kind == "county":
                # 海淀法院 yes, but 会同人民检察院 ("jointly with the procuratorate") is no 会同县 body
                if written in _LEAD_WORDS or (start and _is_cjk(text[start - 1])):
                    return None
            region = self._choose(cands, anchor, ancestors, short)
            if region is None or region.code[:2] in _NOT_MAINLAND:
                return None
            return self._hit(region, canonical, level_override, text, start, e, region)
        bare_prefixes = _BARE_PREFIXES if s > floor and text[s - 1] in _BARE_PREFIX_ENDS else ()
        for b in bare_prefixes:
            bs = s - len(b)
            if bs >= floor and text.startswith(b, bs):
                if not _bare_ok(text, bs):
                    return None
                region = _resolve_bare(g, b, anchor) or (
                    _resolve_bare(g, b, home) if anchor is not home else None
                )
                if region is None:
                    return None
                start = bs - 1 if bs and text[bs - 1] in "我本该" else bs
                return self._hit(region, canonical, level_override, text, start, e, None)
        # no prefix at all: only an enumeration carries its first item's place (县法院、检察院、公安局)
        if last_local is not None and last_local.body.region is not None:
            if _ENUM_GAP.fullmatch(text, last_local.end, s):  # the gap since the last body, not copied out
                return self._hit(last_local.body.region, canonical, level_override, text, s, e, None)
        return None

    def _function_reading(
        self, text: str, start: int, written: str, anchor: Region | None
    ) -> tuple[bool, Region | None]:
        """Whether a two-character place such as 和县 is really a function character plus a bare prefix,
        and if so which division that prefix means (None: a generic reference, no body).

        "县委、县政府的坚强领导和县纪委监委" in a 歙县 notice is 歙县纪委监委, not 和县 in 马鞍山;
        "各区和县人民政府" lists levels; "和县公安局" with nothing around it is 和县's.
        """
        if len(written) != 2 or written[0] not in _FUNCTION_CHARS:
            return False, None
        if start and text[start - 1] in _LEVEL_CHARS:
            return True, None
        if anchor is None:
            return False, None
        home_city = next((r for r in self.g.chain(anchor) if r.kind != "county"), anchor)
        if any(self.g.is_within(c, home_city) for c in self.g.lookup(written)):
            return False, None  # the place is in the document's own city: take it at its word
        return True, _resolve_bare(self.g, written[1], anchor)

    def _choose(
        self, cands: list[Region], anchor: Region | None, ancestors: list[Region], short: bool
    ) -> Region | None:
        """Pick one division among same-named ones, by the places written before it and the context."""
        g = self.g
        if len(cands) > 1 and anchor is not None:
            near = [c for c in cands if g.is_within(c, g.chain(anchor)[-1]) or g.is_within(anchor, c)]
            cands = near or cands
        if len(cands) > 1:
            current = [c for c in cands if c.current]
            cands = current or cands
        if len(cands) > 1 and not short and not ancestors:
            return None  # 朝阳区 with nothing to tell Beijing from Changchun
        return cands[0] if cands else None

    def _hit(
        self,
        region: Region,
        canonical: str,
        level_override: str | None,
        text: str,
        start: int,
        end: int,
        explicit: Region | None,
    ) -> _Hit | None:
        g = self.g
        if canonical == "人民法院" and region.kind != "county":
            return None  # 北京市法院, 本市人民法院: the courts of a city or province, not one court
        if canonical == "中级人民法院" and region.kind == "province":
            return None  # a 直辖市 has numbered 中级人民法院s; 市中级人民法院 there names none
        if canonical == "公安局" and region.kind == "province" and not region.name.endswith("市"):
            canonical = "公安厅"  # a province's police is its 公安厅 (省公安机关); a 直辖市 has a 公安局
        prefix = region.name
        if g.ambiguous(region) and (up := g.parent(region)) is not None:
            prefix = up.name + region.name  # 北京市朝阳区 vs 长春市朝阳区: one name per body
        level = level_override or region.level
        return _Hit(_Body(prefix + canonical, level, region), text[start:end], start, end, explicit)


# 香港/澳门/台湾 bodies do not follow the mainland {place}{suffix} naming (香港特别行政区政府, not 人民政府).
_NOT_MAINLAND = {"71", "81", "82"}
_BRANCH_RE = re.compile(r"([\u4e00-\u9fff]{2,5}?)分局")
_ENUM_GAP = re.compile(r"(?:[（(][^（()）]{0,20}[）)])?[）)]?(?:、|和|及|与|以及|[（(])")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _bare_ok(text: str, bs: int) -> bool:
    """A bare prefix means "this place's" only after a boundary or a function word (联合市公安局, 我县),
    never in a list of levels (省、市、县人民政府; 市县两级) or after 各/全/城/直辖."""
    if bs == 0:
        return True
    prev = text[bs - 1]
    if prev in "、，," and bs >= 2 and text[bs - 2] in _LEVEL_CHARS:
        return False
    if not _is_cjk(prev):
        return True
    return text.endswith(_LEAD_WORDS, 0, bs)


def _resolve_bare(g: Gazetteer, bare: str, anchor: Region | None) -> Region | None:
    """The division a bare 市/县/区/省 means from a place: a county's 市 is its city, 重庆's 县 is none."""
    if anchor is None:
        return None
    for r in g.chain(anchor):
        if bare == "市" and r.name.endswith("市"):
            return r
        if bare in ("县", "区", "旗") and r.kind == "county" and r.name.endswith(bare):
            return r
        if bare == "省" and r.kind == "province" and r.name.endswith("省"):
            return r
        if bare == "自治区" and r.kind == "province" and r.name.endswith("自治区"):
            return r
        if bare in ("州", "自治州") and r.kind == "prefecture" and r.name.endswith("州"):
            return r
    return None


# How far before a national name a country may stand and still make it that country's body (韩国企划财政部).
_FOREIGN_REACH = 8
_FOREIGN_GAP = re.compile(r"[\u4e00-\u9fff]*")


@cache
def _foreign_regex() -> re.Pattern[str]:
    """Countries and foreign institutions (etl/rules/foreign_countries.csv) whose bodies are not China's."""
    return re.compile(longest_first_pattern(row["name"] for row in _read_csv("foreign_countries.csv")))


def _foreign_before(text: str, start: int, foreign: re.Pattern[str]) -> bool:
    """Whether a country name stands right before text[start] with only Chinese characters between."""
    for m in foreign.finditer(text, max(0, start - _FOREIGN_REACH), start):
        if _FOREIGN_GAP.fullmatch(text, m.end(), start):
            return True
    return False


# 当地医保部门, 当地公安机关: the body of that kind named last before (an anaphor, not a new body)
@cache
def _local_anaphora() -> tuple[dict[str, str], re.Pattern[str]]:
    """当地医保部门 → 医疗保障局 … (etl/rules/local_anaphora.csv), and a regex for any of the forms."""
    table = {row["surface"]: row["canonical_suffix"] for row in _read_csv("local_anaphora.csv")}
    return table, re.compile(longest_first_pattern(table))


@cache
def _matcher() -> _Matcher:
    """Built once per process: compiling the gazetteer costs far more than scanning a document with it."""
    return _Matcher()


def _home_region(doc: ExtractedDocument, m: _Matcher) -> Region | None:
    """The document's own place: its issuer's, publisher's, source office's, title's or dateline's."""
    g = m.g
    official = [*doc.issuers, doc.publisher_agency or ""]
    if doc.source is not None and doc.source.kind == "government":
        official.append(doc.source.name)
    found_national = False
    for text in official:
        if not text:
            continue
        hits = m.scan(text, None)
        regions = [h.body.region for h in hits if h.body.region is not None]
        if regions:
            return max(regions, key=lambda r: len(g.chain(r)))
        found_national = found_national or any(h.body.level == "national" for h in hits)
        places = m.places_in(text)
        if places:
            return places[0]
    if found_national:
        return None
    for text in (doc.title or "", doc.dateline or ""):
        places = m.places_in(text)
        if places:
            return max(places, key=lambda r: len(g.chain(r)))
    return None


def _body_home(hits: list[_Hit]) -> Region | None:
    """When nothing else says where a story is, the place its bodies are most often named with."""
    counts = Counter(h.explicit.code for h in hits if h.explicit is not None)
    if not counts:
        return None
    code = counts.most_common(1)[0][0]
    return next(h.explicit for h in hits if h.explicit is not None and h.explicit.code == code)


def _fallback_issuer(text: str, m: _Matcher) -> _Body | None:
    """An issuer we have no suffix for (云阳县社会保险事务中心): kept as written when it starts with a place."""
    text = re.sub(r"\s+", "", text)
    if not _BODY_TAIL.search(text):
        return None
    for n in range(min(m.g.max_len, len(text) - 1), 1, -1):
        regions = m.g.full.get(text[:n])
        if regions:
            current = [r for r in regions if r.current] or regions
            if len({r.code for r in current}) == 1:
                return _Body(text, current[0].level, current[0])
    return None


def find_agencies(doc: ExtractedDocument) -> list[AgencyMention]:
    """Every government body the document names, once per canonical name and role (issuer, publisher,
    mentioned); an issuer or publisher is not listed again as mentioned."""
    m = _matcher()
    home = _home_region(doc, m)
    body = doc.body_text or ""
    body_hits = m.scan(body, home)
    if home is None:
        home = _body_home(body_hits)
        if home is not None:
            body_hits = m.scan(body, home)
    aggs: dict[str, _Agg] = {}

    def agg(b: _Body) -> _Agg:
        if b.name not in aggs:
            aggs[b.name] = _Agg(b)
        return aggs[b.name]

    for role, texts in (
        ("issuer", doc.issuers),
        ("publisher", (doc.publisher_agency,) if doc.publisher_agency else ()),
    ):
        for text in texts:
            hits = m.scan(text, home)
            if hits:
                for h in hits:
                    a = agg(h.body)
                    a.roles.add(role)
                    a.aliases.setdefault(h.alias)
            elif (b := _fallback_issuer(text, m)) is not None:
                a = agg(b)
                a.roles.add(role)
                a.aliases.setdefault(b.name)
    for text in doc.cc:
        for h in m.scan(text, home):
            agg(h.body).aliases.setdefault(h.alias)
    for h in m.scan(doc.title or "", home):
        a = agg(h.body)
        a.aliases.setdefault(h.alias)
        a.title_hits += 1
    for h in body_hits:
        a = agg(h.body)
        a.aliases.setdefault(h.alias)
        a.spans.append((h.start, h.end))
        a.first = min(a.first, h.start)

    out: list[AgencyMention] = []
    for a in sorted(aggs.values(), key=lambda a: (a.first, a.body.name)):
        b = a.body
        count = max(1, len(a.spans) + (a.title_hits if not a.spans else 0))
        region = m.g.path(b.region) if b.region is not None else None
        code = b.region.code if b.region is not None else None
        for role in [r for r in ("issuer", "publisher") if r in a.roles] or ["mentioned"]:
            out.append(
                AgencyMention(
                    name=b.name,
                    level=b.level,
                    region=region,
                    region_code=code,
                    role=role,
                    mention_count=count,
                    aliases=tuple(a.aliases),
                    spans=tuple(a.spans),
                )
            )
    return out


def attribute_metric(char_start: int | None, mentions: list[AgencyMention], body_text: str) -> str | None:
    """Canonical name of the agency a figure at char_start belongs to (see attribution)."""
    return attribution(char_start, mentions, body_text)[0]


def attribution(char_start: int | None, mentions: list[AgencyMention], body_text: str) -> tuple[str | None, str]:
    """(agency, basis) for a figure at char_start: the subject of its clause (the first body named in the
    nearest clause of its sentence that names one, before the figure; basis 'sentence'), else the
    document's main agency (basis 'issuer', 'publisher' or 'most_named': a fallback the review queue shows;
    'none' when the document names no body)."""
    if char_start is not None and body_text:
        # the last sentence end before the figure, found backwards (C-speed rfind, not a scan from 0:
        # that made attribution quadratic in figures x text)
        # within MAX_SENTENCE_CHARS: a text without sentence ends made each figure's rfind scan it all
        floor = max(0, char_start - MAX_SENTENCE_CHARS)
        found = max(body_text.rfind(end, floor, char_start) for end in _SENTENCE_END_CHARS)
        sent_start = found + 1 if found >= 0 else floor
        spans = sorted(
            (s, mt.name) for mt in mentions for s, e in mt.spans if sent_start <= s and e <= char_start
        )
        if spans:
            bounds = [sent_start] + [x.end() for x in _CLAUSE_END.finditer(body_text, sent_start, char_start)]
            for cs in reversed(bounds):
                in_clause = [name for s, name in spans if s >= cs]
                if in_clause:
                    return in_clause[0], "sentence"
        head = body_text[sent_start:char_start]
        anaphora, anaphora_re = _local_anaphora()
        if (anaphor := anaphora_re.search(head)) is not None:
            suffix = anaphora[anaphor.group()]
            earlier = [(s, mt.name) for mt in mentions if mt.level != "national" and mt.name.endswith(suffix)
                       for s, _ in mt.spans if s < sent_start]
            if earlier:
                return max(earlier)[1], "sentence"
        if _matcher().foreign_re.search(head):
            return None, "none"  # a foreign body's figure (韩国…883.4万亿韩元) is no Chinese body's
    return _main_agency(mentions)


def main_agency(mentions: list[AgencyMention]) -> str | None:
    """The body a document is chiefly by or about: its issuer, else publisher, else the most-named one."""
    return _main_agency(mentions)[0]


def _main_agency(mentions: list[AgencyMention]) -> tuple[str | None, str]:
    """main_agency, with the role that chose it: issuer, publisher, most_named (none: no body)."""
    for role in ("issuer", "publisher"):
        for mt in mentions:
            if mt.role == role:
                return mt.name, role
    if not mentions:
        return None, "none"
    best = max(mentions, key=lambda mt: (mt.mention_count, -min((s for s, _ in mt.spans), default=1 << 30)))
    return best.name, "most_named"
