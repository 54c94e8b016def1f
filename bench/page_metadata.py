"""Page metadata and body text of saved pages: etl's extractor against trafilatura and htmldate.

    python bench/page_metadata.py --gold DEV.json --pages DIR [--repeat 3]

Run it in an environment that also has ``trafilatura`` and ``htmldate`` (they are not dependencies of the
product; without them only etl's columns are printed). For every labelled page it measures:

- dates: the Beijing day right on the pages that print a date; a day given where the page prints none;
- titles: right (the label or one of its alternatives), wrong (a title that is neither), on titled pages,
  and any title on pages the label says have none;
- body: share of the labelled on-topic figures (their ``raw`` text) found in the body, and share of the
  layout's furniture strings (menus, related links, footer) that leaked into it;
- time per page.

Three sets: the pages as saved (``.txt`` pages are handed to the HTML tools as one ``<p>`` per line, the
way the simple HTML saves are written), and every page again inside two CMS layouts written for this
benchmark (navigation, breadcrumbs, a related-links column with other dates and headlines, a footer): one
that names its parts (``<nav>``, ``class="related"``, ``<footer>``), one built of anonymous ``div`` ids.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.extract import extract_document

try:
    import htmldate
    import trafilatura
except ImportError:  # the comparison columns are left out
    htmldate = trafilatura = None

FURNITURE = ("网站首页", "机构设置", "政务公开", "办事服务", "互动交流", "当前位置", "相关阅读", "版权所有",
             "网站标识码", "ICP备", "联系我们", "关于我们", "热点推荐", "扫一扫")
RELATED = ("2023-05-01 某省召开全省卫生健康工作会议", "2022-11-15 关于公布年度先进集体的通知",
           "2024-02-20 某市举办政务公开培训班")


def _paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html_lib.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def semantic_layout(article: str, title: str | None) -> str:
    related = "".join(f"<li><a href='#'>{item}</a></li>" for item in RELATED)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{html_lib.escape(title or '某某网')}_某某网</title></head><body>"
        "<header><nav><a href='/'>网站首页</a> <a>机构设置</a> <a>政务公开</a> <a>办事服务</a> <a>互动交流</a></nav>"
        "</header><div class='breadcrumb'>当前位置：首页 &gt; 新闻中心 &gt; 正文</div>"
        f"<main><article>{article}</article></main>"
        f"<aside class='related'><h3>相关阅读</h3><ul>{related}</ul><h3>热点推荐</h3></aside>"
        "<footer>版权所有 © 2026 某某网 网站标识码1234567890 京ICP备12345678号 <a>联系我们</a> <a>关于我们</a>"
        " 扫一扫</footer></body></html>"
    )


def anonymous_layout(article: str, title: str | None) -> str:
    related = "".join(f"<div><a href='#'>{item}</a></div>" for item in RELATED)
    return (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
        f"<title>{html_lib.escape(title or '某某网')}</title></head><body>"
        "<div id='top'><div id='t1'><a>网站首页</a>|<a>机构设置</a>|<a>政务公开</a>|<a>办事服务</a>|<a>互动交流</a></div>"
        "<div id='t2'>当前位置：首页 &gt; 新闻中心</div></div>"
        "<table width='1000'><tr><td id='left' width='700'>"
        f"<div id='c1'>{article}</div></td>"
        f"<td id='right' width='300'><div>相关阅读</div>{related}<div>热点推荐</div></td></tr></table>"
        "<div id='bottom'>版权所有 2026 某某网 网站标识码1234567890 京ICP备12345678号 联系我们 关于我们 扫一扫</div>"
        "</body></html>"
    )


@dataclass
class Result:
    title: str | None
    day: str | None
    body: str
    seconds: float


def run_etl(data: bytes, name: str) -> Result:
    start = time.perf_counter()
    doc = extract_document(data, name)
    seconds = time.perf_counter() - start
    return Result(doc.title, doc.published_on.isoformat() if doc.published_on else None, doc.body_text, seconds)


def run_trafilatura(data: bytes, name: str) -> Result:
    html = data.decode("utf-8")
    start = time.perf_counter()
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True)
    seconds = time.perf_counter() - start
    if doc is None:
        return Result(None, None, "", seconds)
    return Result(doc.title, doc.date, doc.text or "", seconds)


def run_htmldate(data: bytes, name: str, *, extensive: bool) -> Result:
    html = data.decode("utf-8")
    start = time.perf_counter()
    day = htmldate.find_date(html, original_date=True, extensive_search=extensive)
    return Result(None, day, "", time.perf_counter() - start)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def score(gold: list[dict], pages: dict[str, bytes], tool: Callable[[bytes, str], Result], repeat: int,
          has_body: bool) -> dict:
    c = dict(dated=0, day_ok=0, day_wrong=0, titled=0, title_ok=0, title_wrong=0, untitled_wrong=0,
             figures=0, figures_found=0, furniture=0, furniture_leaked=0)
    times: list[float] = []
    for g in gold:
        data = pages[g["file"]]
        results = [tool(data, g["file"]) for _ in range(repeat)]
        result = results[0]
        times.append(min(r.seconds for r in results))
        if g["published_on"]:
            c["dated"] += 1
            c["day_ok"] += result.day == g["published_on"]
        c["day_wrong"] += result.day is not None and result.day != g["published_on"]
        titles = [g["title"], *g.get("title_alternatives", [])]
        title = (result.title or "").strip() or None
        if g["title"]:
            c["titled"] += 1
            c["title_ok"] += title in titles
            c["title_wrong"] += title is not None and title not in titles
        else:
            c["untitled_wrong"] += title is not None
        if has_body:
            body = _squash(result.body)
            raws = [m["raw"] for m in g["metrics"] if m.get("on_topic")]
            c["figures"] += len(raws)
            c["figures_found"] += sum(_squash(raw) in body for raw in raws)
            c["furniture"] += len(FURNITURE) + len(RELATED)
            c["furniture_leaked"] += sum(_squash(word) in body for word in (*FURNITURE, *RELATED))
    c["ms_median"] = statistics.median(times) * 1000
    c["ms_total"] = sum(times) * 1000
    return c


def load_pages(gold: list[dict], folder: Path, layout: Callable[[str, str | None], str] | None,
               for_html_tool: bool) -> dict[str, bytes]:
    """The bytes each tool is given: the saved file, or its text inside a layout."""
    out: dict[str, bytes] = {}
    for g in gold:
        path = folder / g["file"]
        raw = path.read_bytes()
        is_html = path.suffix.lower() in (".html", ".htm")
        if layout is None:
            if is_html or not for_html_tool:
                out[g["file"]] = raw
            else:
                out[g["file"]] = ("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><div class='article'>"
                                  + _paragraphs(raw.decode("utf-8", "replace")) + "</div></body></html>").encode()
            continue
        saved = raw.decode("utf-8", "replace")
        # a simple HTML save is one <p> per line of the page: its lines go into the layout unchanged
        text = "\n".join(html_lib.unescape(p) for p in re.findall(r"<p>(.*?)</p>", saved, re.S)) if is_html else saved
        title = re.search(r"<title>(.*?)</title>", saved, re.S) if is_html else None
        out[g["file"]] = layout(_paragraphs(text), html_lib.unescape(title.group(1)) if title else None).encode()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--pages", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gold = [g for g in json.loads(args.gold.read_text(encoding="utf-8"))["documents"]
            if (args.pages / g["file"]).exists()]
    tools: list[tuple[str, Callable[[bytes, str], Result], bool]] = [("etl", run_etl, False)]
    if trafilatura is not None:
        tools += [
            (f"trafilatura {trafilatura.__version__}", run_trafilatura, True),
            (f"htmldate {htmldate.__version__}", lambda d, n: run_htmldate(d, n, extensive=False), True),
            (f"htmldate {htmldate.__version__} extensive", lambda d, n: run_htmldate(d, n, extensive=True), True),
        ]
    print(f"{len(gold)} labelled pages")
    print("| set | tool | days right | wrong days | titles right | wrong titles | titles where none |"
          " figures in body | furniture in body | ms/page (median) | ms total |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for set_name, layout in (("as saved", None), ("semantic layout", semantic_layout),
                             ("anonymous layout", anonymous_layout)):
        for name, tool, html_tool in tools:
            sample = load_pages(gold[:1], args.pages, layout, html_tool)
            tool(sample[gold[0]["file"]], gold[0]["file"])  # imports and first-use pattern builds stay untimed
            c = score(gold, load_pages(gold, args.pages, layout, html_tool), tool, args.repeat,
                      has_body="htmldate" not in name)
            body = "–" if "htmldate" in name else f"{c['figures_found']}/{c['figures']}"
            leak = "–" if "htmldate" in name or layout is None else f"{c['furniture_leaked']}/{c['furniture']}"
            titles = ("–", "–", "–") if "htmldate" in name else (
                f"{c['title_ok']}/{c['titled']}", str(c["title_wrong"]), str(c["untitled_wrong"]))
            print(f"| {set_name} | {name} | {c['day_ok']}/{c['dated']} | {c['day_wrong']} | {' | '.join(titles)} |"
                  f" {body} | {leak} | {c['ms_median']:.1f} | {c['ms_total']:.0f} |")


if __name__ == "__main__":
    main()
