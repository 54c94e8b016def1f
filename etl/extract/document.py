"""Read one file's bytes into an ExtractedDocument: the single entry point the pipeline calls."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from etl.extract.dates import find_labelled_when, find_when, parse_when, plausible_day
from etl.extract.decode import (
    CP1252_IN_GB,
    MIXED_UTF8_GB,
    detect_and_decode,
    normalise_text,
    trim_line_edges,
)
from etl.extract.formats import (
    body_is_html,
    detect_plain_format,
    front_matter_format,
    is_law_header,
    looks_like_script,
    split_front_matter,
)
from etl.extract.html_text import HtmlText, html_to_text
from etl.extract.markdown_text import first_autolink, inline_links_to_text, markdown_to_text
from etl.extract.metadata import (
    Fields,
    read_bylines,
    read_disclosure,
    read_front_matter,
    read_law,
    read_notice,
)
from etl.extract.outlets import outlet_from_name, stated_outlet
from etl.records import ExtractedDocument, NotADocument, SourceRef, StageError

if TYPE_CHECKING:
    from etl.extract.page_header import PageHeader

_SITE_SUFFIX = re.compile(r"\s*(?:[-|｜_–—]\s*[^-|｜_–—]{1,40})$")


def extract_document(data: bytes, source_path: str, *, max_bytes: int | None = None) -> ExtractedDocument:
    """Decode, detect the format, read metadata and clean the body.

    Raises StageError (stage read, decode or parse) for input it cannot turn into a document, and
    nothing else: an unexpected error becomes StageError("parse", …) so one odd file never stops a run.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise StageError("read", f"file is {_megabytes(len(data))} MB, over the {_megabytes(max_bytes)} MB limit")
    if not data.strip():
        raise StageError("read", "empty file")
    try:
        return _extract(data)
    except StageError:
        raise
    except RecursionError:
        raise StageError("parse", "markup nested too deeply to read") from None
    except Exception as exc:  # noqa: BLE001 - the contract: never crash the run on one file
        raise StageError("parse", f"unexpected {type(exc).__name__}: {str(exc)[:120]}") from exc


def _megabytes(size: int) -> str:
    value = size / 1_000_000
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _extract(data: bytes) -> ExtractedDocument:
    raw_text, encoding = detect_and_decode(data)
    text = normalise_text(raw_text)
    if not text.strip():
        raise StageError("read", "empty file (only whitespace)")
    front = split_front_matter(text)
    if front is not None:
        fmt = front_matter_format(front)
        if fmt == "markdown":
            found = read_law(front.body)
            found.title = found.title or _title_field(front.fields)
            found.body, _ = markdown_to_text(found.body)
        else:
            found = read_front_matter(front.fields, fmt)
            _fill_body(found, front.body)
            if found.when is None and found.title:
                found.when = find_when(found.title)  # dated series: "陆家嘴财经早餐 2024年8月1日 星期四"
        if not found.body and not found.title:
            raise NotADocument("parse", "front matter only, no text (a section index page, not a document)")
    else:
        if looks_like_script(text):
            raise NotADocument("parse", "a script bundle (JavaScript), not a document")
        fmt = detect_plain_format(text)
        found = _read_plain(text, fmt)
    if not found.body.strip() and not found.title:
        raise StageError("parse", "no readable text")
    notes = _DECODE_NOTES.get(encoding, ())
    return _to_record(found, fmt, encoding, notes)


# What a repaired decode says in documents.notes.
_DECODE_NOTES = {
    CP1252_IN_GB: ("Windows-1252 quotes and dashes in the GB18030 text read as such (repaired)",),
    MIXED_UTF8_GB: ("lines in GB18030 inside a UTF-8 text, each read in its own code page (repaired)",),
}


def _title_field(fields: dict[str, object]) -> str | None:
    title = fields.get("title")
    return str(title).strip() or None if title else None


def _fill_body(found: Fields, body: str) -> None:
    """Clean a post body (HTML or Markdown) and read bylines out of it."""
    found.url = found.url or first_autolink(body)
    if body_is_html(body):
        cleaned = html_to_text(inline_links_to_text(body))
        found.body, editor = cleaned.text, cleaned.editor
    else:
        found.body, editor = markdown_to_text(body)
    found.editor = found.editor or editor
    read_bylines(found.body, found)


def _read_plain(text: str, fmt: str) -> Fields:
    if fmt == "gov_disclosure":
        found = read_disclosure(text)
    elif fmt == "gov_notice":
        found = read_notice(text)
    elif fmt == "html":
        return _read_html_page(text)
    elif fmt == "markdown" and is_law_header(text):
        found = read_law(text)
        found.body, _ = markdown_to_text(found.body)
        return found
    elif fmt == "markdown":
        found = Fields()
        heading = re.search(r"^#[ \t]+(.+)$", text, re.M)
        found.title = heading.group(1).strip() if heading else None
        found.body, found.editor = markdown_to_text(text)
        read_bylines(found.body, found)
        return found
    else:
        from etl.extract.page_header import read_page_header  # start-up: on first use, laws/ never needs it

        found = Fields(body=text)
        header = read_page_header(text)
        _apply_page_header(found, header, site=header.masthead)
    found.body = trim_line_edges(found.body)
    return found


def _apply_page_header(found: Fields, header: PageHeader, *, site: SourceRef | None = None) -> None:
    """Fill what a page's own lines state; the outlet named in them (来源, a dateline) is the source.

    A wire or paper credited in a dateline or byline is the original source when the page names another
    outlet as its source; a page naming only its site (og:site_name) takes the site last.
    """
    found.title = found.title or header.title
    found.when = found.when or header.when
    found.source = found.source or header.source
    found.authors = list(dict.fromkeys([*found.authors, *header.authors]))
    found.editor = found.editor or header.editor
    read_bylines(found.body, found)
    credited = found.original_source or header.byline_outlet
    if found.source is None:
        found.source, found.original_source = credited or site, None
    elif found.original_source is None and credited and credited.name != found.source.name:
        found.original_source = credited


# Meta tags as sites emit them (names lower-cased): Chinese government CMSs (ArticleTitle, PubDate,
# ContentSource, SiteName), Open Graph, article:*, Dublin Core and schema.org itemprops.
_META_TITLE = ("articletitle", "og:title", "twitter:title")
_META_DATE = ("article:published_time", "pubdate", "publishdate", "firstpublishedtime", "datepublished",
              "dc.date", "dc.date.issued", "publish_time", "published_time", "apub:time", "date")
_META_SOURCE = ("contentsource", "source", "article:source")
_META_SITE = ("og:site_name", "sitename", "application-name")


def _read_html_page(html: str) -> Fields:
    """A whole HTML page: meta tags first, then the page's own header lines, then <h1> or <title>."""
    from etl.extract.page_header import read_page_header  # start-up: on first use, laws/ never needs it

    page = html_to_text(html, whole_page=True)
    header = read_page_header(page.page_text or page.text)
    meta = page.meta
    found = Fields(body=page.text, editor=page.editor, title=_html_title(page, header), url=meta.get("og:url"))
    for key in _META_DATE:
        if meta.get(key):
            found.when = parse_when(meta[key]) or find_labelled_when(meta[key])
            if found.when:
                break
    if found.when is None and header.when is None and page.header_text:
        found.when = find_when(page.header_text)
    found.source = _meta_outlet(meta, _META_SOURCE)
    keywords = meta.get("keywords")
    if keywords:
        found.tags = [word for word in re.split(r"\s*[,，]\s*", keywords) if word]
    _apply_inner_layout(found, page.text)
    _apply_page_header(found, header, site=_meta_outlet(meta, _META_SITE) or header.masthead)
    return found


def _html_title(page: HtmlText, header: PageHeader) -> str | None:
    """ArticleTitle / og:title / <title> without the site's suffix, or the headline when they contain it; a
    <title> or an <h1> that is only the site's name ("某某网", a logo) names no page."""
    title = next((page.meta[key] for key in _META_TITLE if page.meta.get(key)), None) or page.title
    stripped = (_SITE_SUFFIX.sub("", title) or title) if title else None
    if stripped and outlet_from_name(stripped):
        title = stripped = None
    h1 = page.h1 if page.h1 and len(page.h1) >= 5 and not outlet_from_name(page.h1) else None
    headline = h1 or header.title
    return headline if headline and (not title or headline in title) else stripped


def _meta_outlet(meta: dict[str, str], keys: tuple[str, ...]) -> SourceRef | None:
    """The outlet the first of these meta tags names ("来源：人民网－人民日报" -> 人民网)."""
    for key in keys:
        value = meta.get(key, "").removeprefix("来源：").removeprefix("来源:")
        outlet = stated_outlet(value) if value else None
        if outlet:
            return outlet
    return None


def _apply_inner_layout(found: Fields, text: str) -> None:
    """A notice or a disclosure page published as HTML: its 发文字号, issuers, signature date and header
    fields, as the plain-text readers find them in the page's text."""
    inner = detect_plain_format(text)
    if inner not in ("gov_notice", "gov_disclosure"):
        return
    read = read_notice(text) if inner == "gov_notice" else read_disclosure(text)
    found.when = found.when or read.when
    found.source = found.source or read.source
    found.doc_number = found.doc_number or read.doc_number
    found.index_number = found.index_number or read.index_number
    found.issuers = found.issuers or read.issuers
    found.publisher_agency = found.publisher_agency or read.publisher_agency
    found.cc = found.cc or read.cc


def _to_record(found: Fields, fmt: str, encoding: str, notes: tuple[str, ...] = ()) -> ExtractedDocument:
    when = found.when
    if when is not None and not plausible_day(when.published_on):
        notes = (*notes, f"publication date {when.published_on.isoformat()} dropped (outside 1900 … tomorrow)")
        when = None
    adopted_on = found.adopted_on
    if not plausible_day(adopted_on):
        notes = (*notes, f"adoption date {adopted_on.isoformat()} dropped (outside 1900 … tomorrow)")
        adopted_on = None
    return ExtractedDocument(
        format=fmt,
        encoding=encoding,
        title=re.sub(r"\s+", " ", found.title).strip() if found.title else None,
        published_at=when.published_at if when else None,
        published_offset=when.published_offset if when else None,
        published_on=when.published_on if when else None,
        source=found.source,
        original_source=found.original_source,
        doc_number=found.doc_number,
        index_number=found.index_number,
        editor=found.editor,
        authors=tuple(found.authors),
        categories=tuple(found.categories),
        tags=tuple(found.tags),
        url=found.url,
        issuers=tuple(found.issuers),
        publisher_agency=found.publisher_agency,
        cc=tuple(found.cc),
        dateline=found.dateline,
        adopted_on=adopted_on,
        effective_on=found.effective_on,
        body_text=trim_line_edges(found.body).strip(),
        notes=notes,
    )
