"""A series report as an SVG line chart, for people who paste figures into a document (`etl report --format chart`).

Generic over an x column (a year, a month, a date or any ordered value), a numeric y column and an optional
series column; which columns a report charts is data (data/report_charts.csv), else a time column is guessed.
Written by hand rather than with a plotting library: one kind of chart, a few hundred lines of SVG text, no
fonts or native code to install, and the same bytes for the same rows on every machine. Chinese text is left to
the viewer's fonts (Noto Sans CJK and the usual Windows/macOS faces are named).
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from etl.reporting.render import plain

CHARTS_CSV = Path(__file__).resolve().parent / "data" / "report_charts.csv"
# Columns that make a report a series report when no chart is defined for it, in order of preference.
TIME_COLUMNS = ("year", "year_month", "month_start", "period_year", "period_year_month", "published_year",
                "published_year_month", "published_month", "period_date", "published_on", "date")
MAX_SERIES = 8
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7")
FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
WIDTH, HEIGHT = 880, 460
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 70, 56
LEGEND_WIDTH = 210
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class ChartError(ValueError):
    """The rows cannot be charted as asked (no such column, no time axis): a usage error."""


@dataclass(frozen=True, slots=True)
class Axes:
    x: str
    y: str
    series: str | None = None


@dataclass(frozen=True, slots=True)
class ChartDefinition:
    report: str
    axes: Axes
    sample_params: dict[str, str]
    title_zh: str


@cache
def definitions() -> dict[str, ChartDefinition]:
    """The charted reports of data/report_charts.csv by report name."""
    out = {}
    with CHARTS_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            params = dict(p.split("=", 1) for p in row["sample_params"].split(";") if "=" in p)
            out[row["report"]] = ChartDefinition(row["report"], Axes(row["x"], row["y"], row["series"] or None),
                                                 params, row["title_zh"])
    return out


def _numeric(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def choose_axes(report: str, columns: list[str], rows: list[tuple], x: str | None = None, y: str | None = None,
                series: str | None = None) -> Axes:
    """The columns to chart: as given, else as defined for the report, else a time column and the first numbers."""
    defined = definitions().get(report)
    base = defined.axes if defined else None
    x = x or (base.x if base else next((c for c in TIME_COLUMNS if c in columns), None))
    if x is None:
        raise ChartError(f"{report} has no time column ({', '.join(TIME_COLUMNS[:4])} …): "
                         f"name the columns with --x COLUMN --y COLUMN [--series COLUMN]")
    if y is None and base and base.x == x:
        y = base.y
    if y is None:
        numeric = [c for i, c in enumerate(columns)
                   if c != x and not c.endswith("id") and any(_numeric(r[i]) for r in rows)
                   and all(r[i] is None or _numeric(r[i]) for r in rows)]
        if not numeric:
            raise ChartError(f"{report} has no numeric column to chart: give --y COLUMN")
        y = numeric[0]
    if series is None and base and base.x == x:
        series = base.series
    for role, name in (("x", x), ("y", y), ("series", series)):
        if name is not None and name not in columns:
            raise ChartError(f"--{role} {name}: {report} has no such column; it has: {', '.join(columns)}")
    return Axes(x, y, series)


@dataclass(slots=True)
class Series:
    name: str
    values: dict[object, float]


@dataclass(slots=True)
class Plot:
    """What the SVG shows: ordered x values, the series drawn (largest first) and notes on what was left out."""

    xs: list
    series: list[Series]
    y_label: str
    notes: list[str]


def _x_value(value):
    value = plain(value)
    return value if not isinstance(value, float) or not value.is_integer() else int(value)


def _filled(xs: list) -> list:
    """Years or YYYY-MM months with the gaps filled, so a missing year shows as a gap; other values sorted."""
    if all(isinstance(v, int) for v in xs) and xs and max(xs) - min(xs) <= 200:
        return list(range(min(xs), max(xs) + 1))
    months = [YEAR_MONTH.match(v) for v in xs] if all(isinstance(v, str) for v in xs) else []
    if xs and all(months):
        first, last = min(xs), max(xs)
        year, month = int(first[:4]), int(first[5:])
        out = []
        while f"{year:04d}-{month:02d}" <= last and len(out) <= 600:
            out.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
    return sorted(set(xs), key=lambda v: (str(type(v)), v))


def plot_data(columns: list[str], rows: list[tuple], axes: Axes) -> Plot:
    """Rows -> series of (x, y): rows with the same x and series are added; one unit only; nulls left out."""
    notes: list[str] = []
    ix, iy = columns.index(axes.x), columns.index(axes.y)
    iseries = columns.index(axes.series) if axes.series else None
    unit_label = ""
    if "unit" in columns and axes.y != "unit":
        iu = columns.index("unit")
        units = Counter(r[iu] for r in rows if r[iu] is not None and r[iy] is not None)
        if units:
            unit, _ = sorted(units.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]
            if len(units) > 1:
                others = ", ".join(sorted(str(u) for u in units if u != unit))
                notes.append(f"unit {unit} only (also in the rows: {others})")
            rows = [r for r in rows if r[iu] == unit]
            unit_label = f" ({unit})"
    sums: dict[str, dict[object, float]] = defaultdict(dict)
    for row in rows:
        x, y = _x_value(row[ix]), row[iy]
        if x is None or not _numeric(y):
            continue
        name = "" if iseries is None else str(plain(row[iseries]) if row[iseries] is not None else "—")
        sums[name][x] = sums[name].get(x, 0.0) + float(y)
    ranked = sorted(sums.items(), key=lambda kv: (-max(abs(v) for v in kv[1].values()), kv[0]))
    if len(ranked) > MAX_SERIES:
        notes.append(f"{MAX_SERIES} of {len(ranked)} series shown, largest first")
        ranked = ranked[:MAX_SERIES]
    xs = _filled([x for _, values in ranked for x in values])
    return Plot(xs, [Series(name, values) for name, values in ranked], axes.y + unit_label, notes)


def compact(value: float) -> str:
    """A tick label in the units Chinese figures are written in: 亿 (10⁸) and 万 (10⁴)."""
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(value) >= size:
            return f"{value / size:.4g}{word}"
    return f"{value:.4g}"


def nice_ticks(low: float, high: float, count: int = 5, whole: bool = False) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering low..high; whole numbers only if whole."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if whole:
        step = max(step, 1.0)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    return ticks


def text_width(text: str, size: float = 12) -> float:
    """Rough rendered width: CJK characters are square, Latin ones about half as wide."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.56 for ch in text)


def _clip(text: str, width: float, size: float = 12) -> str:
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _text(x: float, y: float, body: str, size: float = 12, anchor: str = "start", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"{extra}>'
            f"{escape(body)}</text>")


def svg(plot: Plot, title: str) -> str:
    """The plot as a standalone SVG document: lines with a point per value, y ticks, x labels, a legend."""
    legend = bool(plot.series) and (len(plot.series) > 1 or plot.series[0].name != "")
    right = WIDTH - RIGHT - (LEGEND_WIDTH if legend else 0)
    bottom = HEIGHT - BOTTOM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family={quoteattr(FONT)}>',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
           _text(LEFT, 26, _clip(title, WIDTH - LEFT - RIGHT, 16), 16, extra=' font-weight="bold"'),
           _text(LEFT, 46, _clip(" · ".join(["y: " + plot.y_label, *plot.notes]), WIDTH - LEFT - RIGHT, 11), 11,
                 extra=' fill="#555555"')]
    values = [v for s in plot.series for v in s.values.values()]
    if not values:
        out.append(_text((LEFT + right) / 2, (TOP + bottom) / 2, "无数据 · no rows to chart", 14, "middle"))
        return "\n".join([*out, "</svg>"]) + "\n"
    ticks = nice_ticks(min(0.0, min(values)), max(0.0, max(values)), whole=all(v.is_integer() for v in values))
    low, high = ticks[0], ticks[-1]

    def py(value: float) -> float:
        return bottom - (value - low) / ((high - low) or 1.0) * (bottom - TOP)

    step = (right - LEFT) / max(len(plot.xs), 1)

    def px(index: int) -> float:
        return LEFT + step * (index + 0.5)

    out.append('<g class="axis y-axis" fill="#555555" stroke="none">')
    for tick in ticks:
        out.append(f'<line x1="{LEFT}" x2="{right}" y1="{py(tick):.1f}" y2="{py(tick):.1f}" '
                   f'stroke="{"#888888" if tick == 0 else "#e5e5e5"}"/>')
        out.append(_text(LEFT - 6, py(tick) + 4, compact(tick), 11, "end"))
    out.append("</g>")
    labels = [str(x) for x in plot.xs]
    every = max(1, math.ceil(max(text_width(t, 11) for t in labels) * 1.2 / step)) if labels else 1
    out.append('<g class="axis x-axis" fill="#555555">')
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(_text(px(i), bottom + 18, label, 11, "middle"))
    out.append("</g>")
    position = {x: i for i, x in enumerate(plot.xs)}
    for n, series in enumerate(plot.series):
        color = PALETTE[n % len(PALETTE)]
        out.append(f'<g class="series" data-series={quoteattr(series.name)} stroke={quoteattr(color)} '
                   f'fill={quoteattr(color)}>')
        path, previous = [], None
        for x in plot.xs:
            if x in series.values:
                i = position[x]
                path.append(f"{'L' if previous == i - 1 else 'M'}{px(i):.1f},{py(series.values[x]):.1f}")
                previous = i
        if len(series.values) > 1:
            out.append(f'<path class="line" d="{" ".join(path)}" fill="none" stroke-width="2"/>')
        for x in plot.xs:
            if x in series.values:
                tip = f"{series.name + ' · ' if series.name else ''}{x}: {compact(series.values[x])}"
                out.append(f'<circle class="point" cx="{px(position[x]):.1f}" cy="{py(series.values[x]):.1f}" '
                           f'r="3.5"><title>{escape(tip)}</title></circle>')
        out.append("</g>")
    if legend:
        out.append('<g class="legend" fill="#333333">')
        for n, series in enumerate(plot.series):
            y = TOP + 8 + n * 22
            out.append(f'<rect x="{right + 16}" y="{y - 9}" width="12" height="12" fill="{PALETTE[n % len(PALETTE)]}"/>')
            out.append(_text(right + 34, y + 2, _clip(series.name, LEGEND_WIDTH - 40), 12))
        out.append("</g>")
    return "\n".join([*out, "</svg>"]) + "\n"


def chart_title(report: str, english_title: str) -> str:
    defined = definitions().get(report)
    return f"{defined.title_zh} · {english_title}" if defined and defined.title_zh else english_title


def report_svg(report: str, english_title: str, columns: list[str], rows: list[tuple], x: str | None = None,
               y: str | None = None, series: str | None = None) -> str:
    """A report's rows as an SVG chart (see choose_axes for which columns)."""
    axes = choose_axes(report, columns, rows, x, y, series)
    return svg(plot_data(columns, rows, axes), chart_title(report, english_title))
