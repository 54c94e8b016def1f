"""The dashboard: panels defined as data (data/dashboard.toml), turned into datasette-dashboards' chart config.

Each panel's SQL reads the same views and sql/ reports as SQL users and runs on SQLite and PostgreSQL alike
(panel_sql gives the text; the tests run it on both). A panel whose views or reports do not exist in the
database (yet) is left out and named in a "waiting for" note, so a panel for a view that another change adds
starts drawing once that view is there, with no code to change.
"""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from etl.reporting.queries import find_reports
from etl.rules import rows as rule_rows

DASHBOARD_TOML = Path(__file__).resolve().parent / "data" / "dashboard.toml"
SLUG = "yibao"
GRID_COLUMNS = 4
TOP_SERIES = 8
REPORT_REF = re.compile(r"\{report:(\w+)\}")
# Tick labels in 亿 (10^8) and 万 (10^4), as Chinese figures are written (Vega expression language).
COMPACT_LABEL = ("abs(datum.value) >= 1e8 ? format(datum.value / 1e8, '.4~g') + '亿' : "
                 "abs(datum.value) >= 1e4 ? format(datum.value / 1e4, '.4~g') + '万' : format(datum.value, '~g')")


@dataclass(frozen=True, slots=True)
class Source:
    sql: str
    needs: tuple[str, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)

    def reports(self) -> list[str]:
        return REPORT_REF.findall(self.sql)


@dataclass(frozen=True, slots=True)
class Panel:
    slug: str
    title_zh: str
    title_en: str
    kind: str
    sources: tuple[Source, ...]
    options: dict[str, Any]

    @property
    def title(self) -> str:
        return f"{self.title_zh} · {self.title_en}"

    def option(self, name: str, source: Source | None = None, default: Any = None) -> Any:
        if source is not None and name in source.overrides:
            return source.overrides[name]
        return self.options.get(name, default)


@dataclass(frozen=True, slots=True)
class Dashboard:
    title_zh: str
    title_en: str
    description: str
    panels: tuple[Panel, ...]


@cache
def dashboard() -> Dashboard:
    data = tomllib.loads(DASHBOARD_TOML.read_text(encoding="utf-8"))
    panels = []
    for entry in data["panel"]:
        entry = dict(entry)
        sources = tuple(Source(s["sql"].strip(), tuple(s.get("needs", ())),
                               {k: v for k, v in s.items() if k not in ("sql", "needs")})
                        for s in entry.pop("source"))
        panels.append(Panel(entry.pop("slug"), entry.pop("title_zh"), entry.pop("title_en"), entry.pop("kind"),
                            sources, entry))
    return Dashboard(data["title_zh"], data["title_en"], data.get("description", ""), tuple(panels))


@cache
def provinces_sql() -> str:
    """The provinces of the division gazetteer as a (code, name) row set both databases read."""
    rows = [(r["code"], r["name"]) for r in rule_rows("divisions")
            if r["level"] == "province" and r["status"] == "current"]
    values = ", ".join(f"('{code}', '{name}')" for code, name in sorted(rows) if code.isdigit() and "'" not in name)
    # gazetteer data, not user input: six-digit codes and names without quotes
    return f"(SELECT column1 AS code, column2 AS name FROM (VALUES {values}) AS province_values)"  # noqa: S608


def _report_bodies() -> dict[str, str]:
    """Reports a panel can use: those without parameters (the dashboard binds none)."""
    return {r.name: r.body for r in find_reports() if not r.params}


def panel_sql(source: Source, reports: dict[str, str] | None = None) -> str:
    """The source's SQL with its {report:NAME} and {provinces} placeholders filled in."""
    reports = _report_bodies() if reports is None else reports
    sql = REPORT_REF.sub(lambda m: f"(\n{reports[m.group(1)]}\n)", source.sql)
    return sql.replace("{provinces}", provinces_sql())


def choose_source(panel: Panel, objects: set[str], reports: set[str]) -> tuple[Source | None, list[str]]:
    """The first source whose views and reports exist (None if none does), and what the first source lacks."""
    first_missing: list[str] = []
    for source in panel.sources:
        missing = [n for n in source.needs if n not in objects] + [f"report {r}" for r in source.reports()
                                                                     if r not in reports]
        if not missing:
            return source, first_missing
        first_missing = first_missing or missing
    return None, first_missing


def _as_list(value: Any) -> list[str]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _top_series(sql: str, series: str, ys: list[str], top: int) -> str:
    """Only the rows of the `top` series with the largest values (the rest would be unreadable lines)."""
    peak = f"MAX(COALESCE({', '.join(ys)}))" if len(ys) > 1 else f"MAX({ys[0]})"
    # column names and SQL from dashboard.toml, not user input
    return (f"WITH panel_rows AS (\n{sql}\n)\nSELECT * FROM panel_rows WHERE {series} IN (\n"  # noqa: S608
            f"    SELECT {series} FROM panel_rows GROUP BY {series} ORDER BY {peak} DESC, {series} ASC "
            f"LIMIT {int(top)}\n)")


def _escaped(column: str) -> str:
    """A column as HTML text (the plugin's tables set innerHTML), in SQL both databases run."""
    return (f"REPLACE(REPLACE(REPLACE(COALESCE(CAST({column} AS VARCHAR(4000)), ''), '&', '&amp;'), '<', '&lt;'), "
            f"'>', '&gt;')")


def _html_table(sql: str, columns: list[str], links: dict[str, str], row_url: str, labels: dict[str, str]) -> str:
    """The panel's rows as HTML-escaped text under bilingual headings; linked columns as links."""
    cells = []
    for column in columns:
        cell = _escaped(column)
        if column in links:
            cell = f"'<a href=\"{row_url}/' || CAST({links[column]} AS VARCHAR(20)) || '\">' || {cell} || '</a>'"
        heading = _axis_title(column, labels)
        cells.append(f'{cell} AS "{heading if len(heading.encode()) <= 63 else column}"')
    return f"SELECT {', '.join(cells)}\nFROM (\n{sql}\n) panel_rows"


def _axis_title(column: str, labels: dict[str, str]) -> str:
    return f"{labels[column]} · {column}" if column in labels else column


def vega_lite(panel: Panel, source: Source, labels: dict[str, str]) -> dict[str, Any]:
    """The Vega-Lite spec of a line or bar panel (drawn as SVG, no action menu: it links to the internet)."""
    x, series = panel.option("x", source), panel.option("series", source)
    ys = _as_list(panel.option("y", source))
    transform: list[dict[str, Any]] = []
    y_field, y_title = ys[0], _axis_title(ys[0], labels)
    colour = series
    if len(ys) > 1:
        transform += [{"fold": ys, "as": ["measure", "amount"]}, {"filter": "datum.amount != null"}]
        y_field, y_title = "amount", " / ".join(ys)
        colour = series or "measure"
    else:
        transform.append({"filter": f"datum['{y_field}'] != null"})
    encoding: dict[str, Any] = {
        "x": {"field": x, "type": "ordinal", "title": _axis_title(x, labels), "axis": {"labelAngle": -40}},
        "y": {"field": y_field, "type": "quantitative", "title": y_title,
              "axis": {"labelExpr": COMPACT_LABEL, "tickMinStep": 1}},
        "tooltip": [{"field": x}, *([{"field": series}] if series else []),
                    *([{"field": "measure"}] if len(ys) > 1 else []), {"field": y_field, "format": ",.6~g"}],
    }
    if colour:
        encoding["color"] = {"field": colour, "type": "nominal", "title": _axis_title(colour, labels),
                             "legend": {"orient": "bottom", "columns": 2, "labelLimit": 220}}
    if panel.option("y_scale", source):
        encoding["y"]["scale"] = {"type": panel.option("y_scale", source)}
        if panel.option("y_scale", source) == "log":  # one grid line per power of ten
            encoding["y"]["axis"] = {"labelExpr": COMPACT_LABEL, "values": [10 ** k for k in range(13)]}
    if panel.option("sort_x", source) == "-y":
        encoding["x"]["sort"] = "-y"
    if panel.kind == "line":
        mark: dict[str, Any] = {"type": "line", "point": {"filled": True, "size": 60}, "tooltip": True}
        if len(ys) > 1 and series:
            encoding["strokeDash"] = {"field": "measure", "type": "nominal", "title": "measure",
                                      "legend": {"orient": "bottom"}}
            encoding["shape"] = {"field": "measure", "type": "nominal", "legend": None}
    else:
        mark = {"type": "bar", "tooltip": True}
        if colour and not panel.option("stack", source):
            encoding["xOffset"] = {"field": colour}
    return {"mark": mark, "encoding": encoding, "transform": transform, "height": 260,
            "usermeta": {"embedOptions": {"renderer": "svg", "actions": False}}}


def chart_config(panel: Panel, source: Source, database: str, labels: dict[str, str], row_url: str,
                 reports: dict[str, str]) -> dict[str, Any]:
    """One panel as a datasette-dashboards chart."""
    sql = panel_sql(source, reports)
    note = panel.option("note", source)
    title = panel.title + (f" — {note}" if note else "")
    if panel.kind == "metric":
        return {"title": title, "db": database, "query": sql, "library": "metric",
                "display": {"field": panel.option("y", source), "prefix": "", "suffix": ""}}
    if panel.kind == "table":
        columns = _as_list(panel.option("columns", source))
        return {"title": title, "db": database, "library": "table",
                "query": _html_table(sql, columns, panel.option("links", source, {}), row_url, labels)}
    series = panel.option("series", source)
    if series:
        sql = _top_series(sql, series, _as_list(panel.option("y", source)), panel.option("top", source, TOP_SERIES))
    return {"title": title, "db": database, "query": sql, "library": "vega-lite",
            "display": vega_lite(panel, source, labels)}


@dataclass(slots=True)
class Resolved:
    """What the dashboard draws on one database, and which panels wait for objects it lacks."""

    drawn: list[tuple[Panel, Source]]
    waiting: list[tuple[Panel, list[str]]]
    fallbacks: list[tuple[Panel, list[str]]]  # drawn from a later source: what the first one lacks


def resolve(objects: set[str], reports: set[str] | None = None) -> Resolved:
    reports = set(_report_bodies()) if reports is None else reports
    out = Resolved([], [], [])
    for panel in dashboard().panels:
        source, missing = choose_source(panel, objects, reports)
        if source is None:
            out.waiting.append((panel, missing))
            continue
        out.drawn.append((panel, source))
        if missing:
            out.fallbacks.append((panel, missing))
    return out


def _layout(panels: list[Panel]) -> list[list[str]]:
    """Rows of the 4-column grid: each panel takes `span` cells; the last panel of a short row stretches."""
    rows: list[list[str]] = []
    row: list[str] = []
    for panel in panels:
        span = min(int(panel.options.get("span", 2)), GRID_COLUMNS)
        if len(row) + span > GRID_COLUMNS:
            rows.append(row + [row[-1]] * (GRID_COLUMNS - len(row)))
            row = []
        row += [panel.slug] * span
    if row:
        rows.append(row + [row[-1]] * (GRID_COLUMNS - len(row)))
    return rows


def waiting_note(resolved: Resolved) -> str:
    """Markdown: the panels not drawn, and those drawn from a fallback, with what the database lacks."""
    parts = []
    if resolved.waiting:
        parts.append("**尚未显示 · not shown yet** (the database lacks what they read):\n\n" + "\n".join(
            f"- {panel.title}: waiting for {', '.join(html.escape(m) for m in missing)}"
            for panel, missing in resolved.waiting))
    if resolved.fallbacks:
        parts.append("**暂用替代数据 · drawn from a fallback** until the database has:\n\n" + "\n".join(
            f"- {panel.title}: {', '.join(html.escape(m) for m in missing)}" for panel, missing in resolved.fallbacks))
    return "\n\n".join(parts)


def dashboards_config(database: str, objects: set[str], labels: dict[str, str], row_url: str,
                      reports_available: set[str] | None = None) -> dict[str, Any]:
    """datasette-dashboards' plugin config: the one dashboard, its panels in the order of dashboard.toml.

    `reports_available` narrows the shipped reports (a deployment whose etl/sql lacks some, as ETL_SQL_DIR allows).
    """
    board = dashboard()
    reports = _report_bodies()
    names = set(reports) if reports_available is None else set(reports) & reports_available
    resolved = resolve(objects, names)
    charts = {panel.slug: chart_config(panel, source, database, labels, row_url, reports)
              for panel, source in resolved.drawn}
    shown = [panel for panel, _ in resolved.drawn]
    if resolved.waiting or resolved.fallbacks:
        charts["waiting"] = {"title": "waiting", "library": "markdown", "display": waiting_note(resolved)}
        shown.append(Panel("waiting", "", "", "markdown", (), {"span": GRID_COLUMNS}))
    return {SLUG: {"title": f"{board.title_zh} · {board.title_en}", "description": board.description,
                   "layout": _layout(shown), "charts": charts}}
