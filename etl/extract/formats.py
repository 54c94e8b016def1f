"""Which layout a text is in, decided by its content (never by the file name or extension).

Front matter comes first: YAML between ``---`` lines (also after blank lines, as Hexo writes it) or TOML
between ``+++`` lines (Hugo). Without front matter the first lines decide: header fields of a government
information-disclosure page, a 发文字号 on a notice, HTML markup, a Markdown ``#`` title.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

from etl.records import StageError

# Front matter is a few hundred bytes in practice; anything far larger is not front matter we trust.
MAX_FRONT_MATTER_CHARS = 64_000
# Real front matter never needs aliases; a handful is tolerated, more is refused (billion-laughs guard).
MAX_YAML_ALIASES = 10

_YAML_BLOCK = re.compile(r"\A\s*?^---[ \t]*\n(?P<meta>.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.M | re.S)
_TOML_BLOCK = re.compile(r"\A\s*?^\+\+\+[ \t]*\n(?P<meta>.*?)^\+\+\+[ \t]*$\n?", re.M | re.S)

# Labels of the header table of a government information-disclosure page (信息公开).
DISCLOSURE_LABELS = (
    "索引号", "信息分类", "主题分类", "体裁分类", "组配分类", "发文日期", "成文日期", "发布机构", "发布日期",
    "生效日期", "废止日期", "发布文号", "文号", "关键词", "内容概述", "有效性", "公开方式", "公开范围",
    "公开时限", "所属机构", "信息来源", "发布时间", "作者", "阅读次数", "发布主题", "发布地点", "发布单位",
    "发布人", "来源", "名称", "标题", "主题词", "发文机关", "文种", "时效",
)
_DISCLOSURE_KEY = re.compile(r"(?:^|\s)(?:索引号|号|信息分类|发布机构|发文日期|主题分类|公开方式)\s*[:：]")
DOC_NUMBER = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]{1,16}?)\s*[〔\[［【(（](?P<year>(?:19|20)\d{2})[〕\]］】)）]\s*(?P<no>\d{1,5})\s*号"
)
_HTML_START = re.compile(r"\A\s*(?:<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_HTML_BLOCK_TAG = re.compile(r"<(?:p|div|br|table|section|article|h[1-6]|ul|ol|li)[\s/>]", re.I)
_MARKDOWN_TITLE = re.compile(r"^#[ \t]+\S", re.M)
_LAW_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日\s*\S", re.M)


@dataclass(slots=True)
class FrontMatter:
    """Metadata block of a post and what follows it."""

    syntax: str  # yaml or toml
    fields: dict[str, Any]
    body: str


class _GuardedSafeLoader(yaml.SafeLoader):
    """SafeLoader (never constructs objects) that caps aliases and reads timestamps as plain strings.

    Dates stay strings so that parse_when sees them as written (a naive time is Beijing time, not UTC).
    """

    aliases_seen = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_YAML_ALIASES:
                raise StageError("parse", "YAML front matter uses too many aliases (possible alias bomb)")
        return super().compose_node(parent, index)


_GuardedSafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_yaml(text: str) -> dict[str, Any]:
    if len(text) > MAX_FRONT_MATTER_CHARS:
        raise StageError("parse", f"YAML front matter is {len(text):,} characters, over the safe limit")
    try:
        loaded = yaml.load(text, Loader=_GuardedSafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise StageError("parse", f"broken YAML front matter: {exc.problem or exc.context}{where}") from exc
    except yaml.YAMLError as exc:
        raise StageError("parse", f"broken YAML front matter: {str(exc).splitlines()[0]}") from exc
    except RecursionError as exc:
        raise StageError("parse", "broken YAML front matter: nested too deeply") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise StageError("parse", "broken YAML front matter: not a list of key: value fields")
    return {str(key).strip().lower(): value for key, value in loaded.items()}


def split_front_matter(text: str) -> FrontMatter | None:
    """The front matter block and the body after it; None when the text has none."""
    head = text[:200].lstrip()
    if head.startswith("---"):
        match = _YAML_BLOCK.match(text)
        if match is None:
            return None  # a lone "---" rule, not front matter
        return FrontMatter("yaml", _load_yaml(match.group("meta")), text[match.end():])
    if head.startswith("+++"):
        match = _TOML_BLOCK.match(text)
        if match is None:
            return None
        try:
            fields = tomllib.loads(match.group("meta"))
        except tomllib.TOMLDecodeError as exc:
            raise StageError("parse", f"broken TOML front matter: {exc}") from exc
        return FrontMatter("toml", {key.lower(): value for key, value in fields.items()}, text[match.end():])
    return None


def front_matter_format(front: FrontMatter) -> str:
    """hexo, jekyll, hugo, markdown (a law with a book-theme header) or front_matter (other)."""
    fields = front.fields
    date_value = str(fields.get("date") or "")
    if front.syntax == "toml":
        return "hugo"
    if any(key.startswith("book") for key in fields) or ("title" not in fields and _MARKDOWN_TITLE.search(front.body)):
        return "markdown"
    if "layout" in fields:
        return "jekyll"
    if re.match(r"^[A-Za-z]{3},? ", date_value) or {"comments", "thumbnail", "headimg"} & fields.keys():
        return "hexo"
    if "draft" in fields or "slug" in fields or re.match(r"^\d{4}-\d{2}-\d{2}T", date_value):
        return "hugo"
    return "front_matter"


def body_is_html(body: str) -> bool:
    """Whether a post body is HTML markup (Sina mirrors, Jekyll posts of <p> paragraphs) rather than Markdown."""
    return len(_HTML_BLOCK_TAG.findall(body[:20000])) >= 2


# How a script bundle (a .js saved as .html, a webpack chunk) opens, after comments and whitespace.
_SCRIPT_START = re.compile(
    r"\A(?:\s|/\*.*?\*/|//[^\n]*\n)*(?:[!;]?\s*\(?\s*function\b|\(\s*\(\s*\)\s*=>|[\"']use strict[\"']|"
    r"(?:var|let|const)\s+[\w$]+\s*=|(?:window|self|globalThis|this)\s*[.\[]|\(self\.webpackChunk|webpackJsonp|"
    r"define\s*\(|require\s*\(|import\s+[\w{*]|export\s+(?:default|const|function|\{))",
    re.S,
)
_CODE_PUNCTUATION = re.compile(r"[{}();=]")
SCRIPT_PUNCTUATION_SHARE = 0.04  # prose, even with some code in it, has far fewer of these ASCII marks


def looks_like_script(text: str) -> bool:
    """Whether a text without front matter is program code (JavaScript), not a document: it opens like a
    script and its first 4,000 characters are dense in code punctuation. Its strings may hold Chinese
    sentences with figures; those are not a publication's."""
    head = text[:4000]
    if not _SCRIPT_START.match(head):
        return False
    visible = len(head) - head.count(" ") - head.count("\n")
    return visible > 0 and len(_CODE_PUNCTUATION.findall(head)) >= SCRIPT_PUNCTUATION_SHARE * visible


def detect_plain_format(text: str) -> str:
    """Format of a text without front matter: gov_disclosure, html, gov_notice, markdown or text."""
    head = text[:1500]
    first_lines = "\n".join(head.splitlines()[:6])
    if len(_DISCLOSURE_KEY.findall(first_lines)) >= 2:
        return "gov_disclosure"
    if _HTML_START.match(text) or body_is_html(head):
        return "html"
    content_lines = [line for line in head.splitlines() if line.strip()]
    if content_lines and _MARKDOWN_TITLE.match(content_lines[0]):
        return "markdown"  # a Markdown "# title" first line (laws) wins over a 发文字号 quoted below it
    first_content = "\n".join(content_lines[:8])
    if DOC_NUMBER.search(first_content) or (re.search(r"^\s*关于.{2,60}$", first_content, re.M)
                                            and re.search(r"^\s*抄送[:：]", text, re.M)):
        return "gov_notice"
    if _MARKDOWN_TITLE.search(head):
        return "markdown"
    return "text"


def is_law_header(text: str) -> bool:
    """Whether a Markdown text opens like a law: dated adoption / promulgation lines or an INFO END mark."""
    return "<!-- INFO END -->" in text[:5000] or bool(_LAW_DATE_LINE.search(text[:3000]))
