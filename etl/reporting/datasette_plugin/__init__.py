"""Datasette plugin (entry point `yibao_etl`): what the curated metadata asks for and plain Datasette cannot do.

It acts only on databases whose metadata carries its config (`etl datasette metadata` writes it), so it is
harmless beside other databases:
- the analyst's columns first on a table page (data/datasette.toml `columns`), by adding `_col` to the query
  of an HTML page that names no columns itself;
- a search box that finds every word (any length, each as written) in a document's title and text, like
  `etl search`: with the search index on, words of three characters or more are looked up in it (FTS5 trigrams
  cannot answer shorter ones), shorter words by LIKE;
- Chinese labels beside the column names, column descriptions folded away (the column menu still shows them);
- document titles linking to a reading page (title, date, source, text first; every field below);
- amounts with thousands separators and in 万/亿.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, tilde_decode
from markupsafe import Markup, escape

from etl.reporting.chart import compact

PLUGIN = "yibao-etl"
STATIC = Path(__file__).resolve().parent / "static"
# What a search looks in: the key column of the page's rows, the rows of the base tables that hold the text
# (their key), and the text columns; {match} is where the words' conditions go.
SEARCHES = {
    "documents": ("id", "SELECT d.id FROM documents d WHERE {match}", ("d.title", "d.body_text")),
    "metrics": ("metric_id", "SELECT m.id FROM metrics m JOIN documents d ON d.id = m.document_id WHERE {match}",
                ("m.sentence", "d.title")),
}
SEARCH_WORDS = {"documents": "title or text", "metrics": "sentence or document title"}
# a word is anything between spaces; "quoted words" or “quoted words” are one phrase
WORD = re.compile(r'"([^"]+)"|“([^”]+)”|(\S+)')


def search_words(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in WORD.finditer(text)]


def _config(datasette, database: str | None) -> dict[str, Any]:
    if not database:
        return {}
    try:
        return datasette.plugin_config(PLUGIN, database=database) or {}
    except KeyError:
        return {}


def _table(datasette, database: str | None, table: str | None) -> dict[str, Any]:
    return _config(datasette, database).get("tables", {}).get(table or "", {}) if table else {}


def _curated_anywhere(datasette) -> bool:
    return any(_config(datasette, name) for name in datasette.databases)


async def _with_columns(datasette, scope: dict) -> dict:
    """The scope of an HTML table page with `_col` for the curated order, unless the query names columns."""
    base = datasette.setting("base_url") or "/"
    path = scope.get("path", "")
    if not path.startswith(base):
        return scope
    parts = path[len(base):].strip("/").split("/")
    if len(parts) != 2 or "." in parts[1] or not parts[0]:
        return scope
    database, table = tilde_decode(parts[0]), tilde_decode(parts[1])
    order = _table(datasette, database, table).get("columns")
    if not order or database not in datasette.databases:
        return scope
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(key in ("_col", "_nocol") for key, _ in query):
        return scope
    db = datasette.get_database(database)
    columns = await db.table_columns(table)
    pks = set(await db.primary_keys(table)) if await db.table_exists(table) else set()
    chosen = [c for c in order if c in columns and c not in pks]
    chosen += [c for c in columns if c not in chosen and c not in pks]
    if not columns:
        return scope
    query += [("_col", c) for c in chosen]
    return {**scope, "query_string": urlencode(query).encode("ascii")}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def curated_columns(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                scope = await _with_columns(datasette, scope)
            await app(scope, receive, send)

        return curated_columns

    return wrap


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def _index_on(db) -> bool:
    rows = await db.execute("SELECT type FROM sqlite_master WHERE name = 'fts_documents'")
    return any(row["type"] == "table" for row in rows)


@hookimpl(trylast=True)  # after Datasette's own search filter, so this one's search box is the one shown
def filters_from_request(request, database, table, datasette):
    kind = _table(datasette, database, table).get("search")
    if kind not in SEARCHES:
        return None

    async def inner():
        text = request.args.get("_search") or ""
        words = search_words(text)
        context = {"supports_search": True, "search": text}
        if not words:
            return FilterArguments([], extra_context=context)
        key, candidates, columns = SEARCHES[kind]
        use_index = kind == "documents" and await _index_on(datasette.get_database(database))
        conditions, params = [], {}
        for i, word in enumerate(words):
            name = f"yibao_word_{i}"
            if use_index and len(word) >= 3:
                # the words themselves are bound parameters
                conditions.append(f"d.id IN (SELECT rowid FROM fts_documents WHERE fts_documents MATCH :{name})")  # noqa: S608
                params[name] = '"' + word.replace('"', '""') + '"'
            else:
                conditions.append("(" + " OR ".join(f"{c} LIKE :{name} ESCAPE '\\'" for c in columns) + ")")
                params[name] = _like(word)
        where = f"{escape_sqlite(key)} IN ({candidates.format(match=' AND '.join(conditions))})"
        described = " and ".join(f"“{w}”" for w in words)
        return FilterArguments([where], params, [f"{SEARCH_WORDS[kind]} contains {described}"], context)

    return inner


@hookimpl
def extra_css_urls(database, datasette):
    if _config(datasette, database) or (not database and _curated_anywhere(datasette)):
        return [datasette.urls.static_plugins(PLUGIN, "curated.css")]
    return []


@hookimpl
def extra_body_script(database, datasette):
    config = _config(datasette, database)
    if not config and not (not database and _curated_anywhere(datasette)):
        return ""
    labels = json.dumps(config.get("labels", {}), ensure_ascii=False).replace("</", "<\\/")
    return f"window.yibaoLabels = {labels};\n" + (STATIC / "curated.js").read_text(encoding="utf-8")


def _compact(value: float) -> str:

    return compact(value)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    settings = _table(datasette, database, table)
    if not settings or value is None:
        return None
    key = settings.get("links", {}).get(column)
    if key and key in row.keys() and row[key] is not None:
        href = datasette.urls.row(database, "documents", row[key])
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column in settings.get("amounts", ()) and isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value) if float(value).is_integer() else value
        shown = f"{number:,}"
        if abs(value) >= 1e4:
            shown += f' <span class="yibao-compact">{escape(_compact(float(value)))}</span>'
        return Markup(shown)
    return None


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    reading = _table(datasette, database, table).get("reading")
    if view_name != "row" or not reading or request is None:
        return {}

    async def inner():
        pk = tilde_decode(request.url_vars.get("pks", ""))
        rows = list(await datasette.get_database(database).execute(reading["sql"], {"id": pk}))
        if not rows:
            return {}
        row = dict(rows[0])
        labels = _config(datasette, database).get("labels", {})
        body = [p.strip() for p in (row.pop(reading["body"], None) or "").split("\n") if p.strip()]
        title = row.pop(reading["title"], None)
        url = row.pop("url", None)
        meta = [(f"{labels.get(k, k)} · {k}", v) for k, v in row.items() if v not in (None, "")]
        figures = None
        if reading.get("figures") and pk.isdigit():
            figures = datasette.urls.database(database) + f"/{reading['figures']}?document_id={int(pk)}"
        return {"yibao_reading": {"title": title, "meta": meta, "url": url, "body": body, "figures": figures}}

    return inner
