"""HTML (a whole page or a post body) -> text a person can read, plus the editor line and page metadata.

Parsed once with lxml (much faster than bs4's Python tree) and walked once. Advertising comments are cut
out of the markup before parsing, because an ``<!--article_adlist[`` that is never closed would otherwise
swallow the rest of the page as one comment.
"""

from __future__ import annotations

import html as html_entities
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from etl.extract.boilerplate import is_boilerplate_line

# Sina wraps lists of related-article ads in these comments; some copies lose the closing half.
_ADLIST_CLOSED = re.compile(r"<!--\s*article_adlist\[.*?\]\s*article_adlist\s*-->", re.S)
_ADLIST_UNCLOSED = re.compile(r"<!--\s*article_adlist\[[^\n]*")
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "form", "button", "nav", "aside", "svg", "video", "audio",
    "img", "select", "input", "textarea", "head", "title", "meta", "link", "object", "embed", "canvas",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "ul", "ol", "li",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "figure", "figcaption", "center", "address", "hr",
})
_CELL_TAGS = frozenset({"td", "th"})
# Blocks that hold paragraphs (a paragraph itself is never taken for the whole article).
_CONTAINER_TAGS = frozenset({"div", "section", "article", "main", "td", "table", "tbody", "center"})
# class/id words of page furniture: QR and app promotion, share bars, navigation, comments, ads.
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:appendqr\w*|qr\w*|share\w*|social|app-?promo\w*|download\w*|comments?|breadcrumbs?|"
    r"navbar|nav|menu\w*|sidebar|related\w*|recommend\w*|copyright|ads?|advert\w*|adlist|toolbar|"
    r"pagination|pager|post-meta|post-footer|footer|top-wrapper)(?:$|[\s_-])",
    re.I,
)
_EDITOR_LINE = re.compile(r"^[（(\[【]?\s*责任编辑\s*[:：]\s*(?P<name>[^）)\]】]*)[）)\]】]?\s*$")
_EDITOR_CODE = re.compile(r"\s+[A-Z]{1,4}\d{2,}$")  # Sina's staff code after the name: "刘万里 SF014"
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\u00a0]+")
# libxml2 stops building the tree below 256 levels (2048 with huge_tree) and drops what is deeper without a
# word; the walk below recurses once per level. Pages nested deeper than this (unclosed <font> tags on old
# government sites) are read by the flat reader instead, which has no depth at all.
MAX_TREE_DEPTH = 200
_PARSER = lxml.html.HTMLParser(huge_tree=True)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9:-]*)")


@dataclass(slots=True)
class HtmlText:
    """What the HTML gave: clean text, the editor, and page-level metadata (for whole pages)."""

    text: str
    editor: str | None = None
    title: str | None = None
    h1: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    header_text: str = ""  # text of the article header (dates, categories) before it was dropped
    page_text: str = ""  # text of the whole body, when `text` is only the block found by its text density


def strip_ad_comments(html: str) -> str:
    """Remove Sina's advertising-list comments, closed or not."""
    if "article_adlist" not in html:
        return html
    return _ADLIST_UNCLOSED.sub("", _ADLIST_CLOSED.sub("", html))


def editor_from_line(line: str) -> str | None:
    """"责任编辑：刘万里 SF014" -> "刘万里"; None when the line is not an editor line."""
    if "责任编辑" not in line:
        return None  # the regex needs the word; most lines are tested, few have it
    match = _EDITOR_LINE.match(line.strip())
    if not match:
        return None
    name = _EDITOR_CODE.sub("", match.group("name").strip())
    return name or None


def _is_furniture(element: etree._Element) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}"
    return bool(marks.strip()) and bool(_FURNITURE.search(marks))


class _Walker:
    """One pass over the tree that writes text pieces and notes the editor."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.editor: str | None = None
        self.header_text = ""
        self.cell_depth = 0  # inside a table cell a <br> is a space, so a row stays on one line

    def block_break(self) -> None:
        self.pieces.append("\n\n")

    def walk(self, element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if not tag or tag in _DROP_TAGS or _is_furniture(element):
            return  # comments, processing instructions, dropped tags: their text goes, the tail stays
        element_id = element.get("id") or ""
        if element_id.startswith("quote_"):
            return  # live stock quote next to a ticker link
        if "editor" in (element.get("class") or ""):
            self.editor = self.editor or editor_from_line(element.text_content())
            return
        if tag == "header" and self.pieces == []:
            self.header_text = element.text_content()
        is_block = tag in _BLOCK_TAGS
        if is_block:
            self.block_break()
        if tag == "br":
            self.pieces.append(" " if self.cell_depth else "\n")
        elif tag in _CELL_TAGS:
            self.pieces.append(" | ")
        if element.text:
            self.pieces.append(element.text if tag == "pre" else _SPACE_RUN.sub(" ", element.text))
        self.cell_depth += tag in _CELL_TAGS
        for child in element:
            self.walk(child)
            if child.tail:
                self.pieces.append(_SPACE_RUN.sub(" ", child.tail))
        self.cell_depth -= tag in _CELL_TAGS
        if is_block:
            self.block_break()


def _clean_lines(raw: str, walker: _Walker) -> str:
    """Trim lines, drop boilerplate and editor lines, keep paragraph breaks (one blank line)."""
    paragraphs: list[str] = []
    for paragraph in re.split(r"\n\s*\n", raw):
        lines = []
        for line in paragraph.split("\n"):
            line = line.strip(" \t\u3000\u00a0|")
            if not line:
                continue
            editor = editor_from_line(line)
            if editor is not None:
                walker.editor = walker.editor or editor
                continue
            if is_boilerplate_line(line):
                continue
            lines.append(line)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _page_meta(root: etree._Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in root.iter("meta"):
        key = (element.get("name") or element.get("property") or element.get("itemprop") or "").lower()
        value = (element.get("content") or "").strip()
        if key and value and key not in meta:
            meta[key] = value
    return meta


def _pick_content(root: etree._Element) -> tuple[etree._Element, bool]:
    """(the article, whether only its text density found it): the element the page marks (``<article>``,
    role=main, #content), else the block that holds most of the page's text, else ``<body>``."""
    for xpath in ("//article", "//*[@role='main']", "//main", "//*[@id='artibody']", "//*[@id='content']"):
        found = root.xpath(xpath)
        if found:
            return max(found, key=lambda element: len(element.text_content())), False
    body = root.find("body")
    body = body if body is not None else root
    dense = densest_block(body)
    return (dense, True) if dense is not None else (body, False)


DENSE_SHARE = 0.7  # the article block holds at least this share of the page's text outside links


def densest_block(body: etree._Element) -> etree._Element | None:
    """The deepest block holding DENSE_SHARE of the text that is not link text (menus, related-link columns
    and footers are mostly links or short), or None when no block but the body does.

    One pass in document order and one back, so a deeply nested page costs no recursion."""
    order: list[etree._Element] = []
    in_link: dict[etree._Element, bool] = {}
    own: dict[etree._Element, int] = {}
    for element in body.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        parent = element.getparent()
        linked = tag == "a" or in_link.get(parent, False)
        in_link[element] = linked
        order.append(element)
        dropped = not tag or tag in _DROP_TAGS
        own[element] = 0 if dropped or linked else len((element.text or "").strip())
        if parent is not None and element.tail and not in_link.get(parent, False):
            own[parent] = own.get(parent, 0) + len(element.tail.strip())
    total: dict[etree._Element, int] = {}
    for element in reversed(order):
        total[element] = total.get(element, 0) + own.get(element, 0)
        parent = element.getparent()
        if parent is not None and element is not body:
            skip = not isinstance(element.tag, str) or element.tag in _DROP_TAGS or _is_furniture(element)
            total[parent] = total.get(parent, 0) + (0 if skip else total[element])
    page = total.get(body, 0)
    if page == 0:
        return None
    best: etree._Element | None = None
    for element in order[1:]:  # document order: a later qualifying block is inside an earlier one or beside it
        if element.tag in _CONTAINER_TAGS and total.get(element, 0) >= DENSE_SHARE * page:
            best = element
    # A paragraph written as its own block beside the one found is article text too: climb to their parent.
    while best is not None and best.getparent() is not None and best.getparent() is not body:
        siblings = [child for child in best.getparent() if child is not best and total.get(child, 0) >= 30]
        if not any("。" in child.text_content() for child in siblings if not _is_furniture(child)):
            break
        best = best.getparent()
    return best


def _deeper_than(root: etree._Element, limit: int) -> bool:
    """Whether any element sits more than `limit` levels down (an explicit stack: no recursion)."""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in element)
    return False


def flat_text(html: str) -> str:
    """The text of markup read as a flat run of tags and text: no tree, so no depth limit and no recursion.

    Dropped elements (scripts, styles, forms …) lose their content, block tags break paragraphs, a <br>
    breaks a line, entities are decoded. Linear in the markup: one scan, each skip a single find()."""
    pieces: list[str] = []
    lower = html.lower()
    position, end = 0, len(html)
    while position < end:
        start = html.find("<", position)
        if start < 0:
            pieces.append(_SPACE_RUN.sub(" ", html_entities.unescape(html[position:])))
            break
        if start > position:
            pieces.append(_SPACE_RUN.sub(" ", html_entities.unescape(html[position:start])))
        if html.startswith("<!--", start):
            close = html.find("-->", start + 4)
            position = end if close < 0 else close + 3
            continue
        close = html.find(">", start + 1)
        if close < 0:
            break
        name = _TAG_NAME.match(html, start)
        position = close + 1
        if name is None:
            continue
        tag = name.group(1).lower()
        if tag in _DROP_TAGS and html[start + 1] != "/" and tag not in ("img", "input", "meta", "link", "embed"):
            closing = lower.find(f"</{tag}", position)
            if closing >= 0:
                after = html.find(">", closing)
                position = end if after < 0 else after + 1
            continue
        if tag == "br":
            pieces.append("\n")
        elif tag in _BLOCK_TAGS or tag in _CELL_TAGS:
            pieces.append("\n\n")
    return "".join(pieces)


def html_to_text(html: str, *, whole_page: bool = False) -> HtmlText:
    """Clean text of a post body (whole_page=False) or of a page's article (whole_page=True)."""
    html = strip_ad_comments(html)
    if not html.strip():
        return HtmlText("")
    try:
        root = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return HtmlText("")
    result = HtmlText("")
    if html.count("<") > MAX_TREE_DEPTH and _deeper_than(root, MAX_TREE_DEPTH):
        # too deep for the tree (libxml2 drops the deepest text) and for the walk: read it flat, all of it
        if whole_page:
            result.meta = _page_meta(root)
            title_element = root.find(".//title")
            if title_element is not None and title_element.text:
                result.title = _SPACE_RUN.sub(" ", title_element.text).strip() or None
        walker = _Walker()
        result.text = _clean_lines(flat_text(html), walker)
        result.editor = walker.editor
        return result
    content = root
    if whole_page:
        result.meta = _page_meta(root)
        title_element = root.find(".//title")
        if title_element is not None and title_element.text:
            result.title = _SPACE_RUN.sub(" ", title_element.text).strip() or None
        content, by_density = _pick_content(root)
        if by_density:
            outside = _Walker()  # the headline and date lines often sit beside the article block
            body = root.find("body")
            outside.walk(body if body is not None else root)
            result.page_text = _clean_lines("".join(outside.pieces), outside)
        h1 = content.find(".//h1")
        if h1 is None:
            h1 = root.find(".//h1")
        if h1 is not None:
            result.h1 = _SPACE_RUN.sub(" ", h1.text_content()).strip() or None
    walker = _Walker()
    if whole_page:
        headers = content.xpath(".//header")
        if headers:
            result.header_text = _SPACE_RUN.sub(" ", headers[0].text_content())
            headers[0].drop_tree()
    walker.walk(content)
    result.text = _clean_lines("".join(walker.pieces), walker)
    result.editor = walker.editor
    result.header_text = result.header_text or walker.header_text
    return result
