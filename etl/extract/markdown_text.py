"""Markdown (laws, Jekyll and Hugo posts, daily briefings) -> plain readable text, line by line.

A line-based pass with regexes: Markdown here is simple (headings, lists, tables, links), and a full
Markdown renderer followed by HTML cleaning would cost several times more on the 58 MB law corpus.
"""

from __future__ import annotations

import re

from etl.extract.boilerplate import is_boilerplate_line
from etl.extract.html_text import editor_from_line

AUTOLINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(?:[*+-]|\d+\\?\.(?=\s))\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")
_RULE_CHARS = "-*_"
_BULLET_STARTS = ("*", "+", "-")  # or a digit (str.isdigit covers every \d): cheap tests before _BULLET
_EMPHASIS = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_ENTITIES = {"&nbsp;": " ", "&lt;": "‹", "&gt;": "›", "&amp;": "&", "&quot;": "\"", "&#123;": "{", "&#125;": "}"}
_ENTITY = re.compile("|".join(map(re.escape, _ENTITIES)))
_EDGE_SPACES = " \t\u3000\u00a0"
# What _unmark_line can act on: a line starting with one of _MARKUP_STARTS or a digit, or holding a mark.
_MARKUP_STARTS = ">#+-"
_INLINE_MARKS = ("*", "_", "~", "\\", "&", "|", "--")


def first_autolink(text: str) -> str | None:
    """The first <http://…> link of a post: the eastmoney and finews mirrors put the original URL there."""
    match = AUTOLINK.search(text)
    return match.group("url") if match else None


def inline_links_to_text(text: str) -> str:
    """[words](url) -> words; images and bare <http://…> links go."""
    return MARKDOWN_LINK.sub(lambda m: m.group("text"), _IMAGE.sub("", AUTOLINK.sub("", text)))


def _is_rule(line: str) -> bool:
    """A horizontal rule or a table's header rule: tested only when the line could be one (most lines cannot)."""
    return (line[0] in _RULE_CHARS and _RULE.match(line) is not None) or (
        "--" in line and _TABLE_RULE.match(line) is not None
    )


def _unmark_line(line: str) -> str | None:
    """One edge-trimmed, non-empty line without its Markdown: "" for a blank line (a bare quote mark), None
    for a line to drop without a paragraph break (a rule, or markup with no text)."""
    if line.startswith(">"):
        line = line.lstrip("> ")
        if not line:
            return ""
    if _is_rule(line):
        return None
    if line.startswith("#"):
        line = _HEADING.sub("", line)
    if line.startswith(_BULLET_STARTS) or line[:1].isdigit():
        line = _BULLET.sub("", line)
    if line.startswith("|") or line.endswith("|"):
        line = " | ".join(cell.strip() for cell in line.strip("|").split("|"))
    if "*" in line or "_" in line or "~" in line:
        line = _EMPHASIS.sub(r"\2", line)
    if "\\" in line:
        line = _ESCAPE.sub(r"\1", line)
    if "&" in line:
        line = _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], line)
    return line.strip() or None


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """(plain text with one blank line between paragraphs, editor named in a 责任编辑 line or None)."""
    markdown = _HTML_COMMENT.sub("", markdown)
    markdown = inline_links_to_text(markdown)
    markdown = _HTML_TAG.sub("", markdown)
    # A line goes through _unmark_line only when it could hold markup: testing every line for every mark
    # cost more than the rest of the pass, and a mark absent from the whole text is absent from each line.
    inline_marks = [mark for mark in _INLINE_MARKS if mark in markdown]
    editor: str | None = None
    out: list[str] = []
    blank = True
    for raw in markdown.split("\n"):
        line = raw.strip(_EDGE_SPACES)
        if line and (
            line[0] in _MARKUP_STARTS
            or line[0].isdigit()
            or (inline_marks and any(mark in line for mark in inline_marks))
        ):
            unmarked = _unmark_line(line)
            if unmarked is None:
                continue
            line = unmarked
        if not line:
            if not blank:
                out.append("")
                blank = True
            continue
        line = line.strip()
        if not line:
            continue
        found_editor = editor_from_line(line)
        if found_editor is not None:
            editor = editor or found_editor
            continue
        if is_boilerplate_line(line):
            continue
        out.append(line)
        blank = False
    return "\n".join(out).strip(), editor
