"""The rule tables an analyst reviews (CSV files in this folder, described in README.md), read and checked here.

Every table is declared once in TABLES: its columns, which of them must be filled, what each value may be, and
which column is its key. The first read of any table checks every table (a few milliseconds), so a typo in
`measures`, an indicator code no table defines or an alias two bodies claim stops the program with the file
and the line, instead of silently becoming `count` or going to the last row. The stages read rows from here,
never the files themselves.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl.constants import LEVELS as _LEVELS
from etl.constants import QUALIFIERS

RULES_DIR = Path(__file__).resolve().parent


class RuleError(ValueError):
    """A mistake in a rule table: where (file and line) and what."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


class Row(dict):
    """One row of a table (column -> text as written), with the line it is on."""

    line: int = 0


@dataclass(frozen=True, slots=True)
class Column:
    """A column: filled or not, the values it may hold (choices or a pattern), a list split on `sep`."""

    name: str
    required: bool = True
    choices: frozenset[str] | None = None
    pattern: str | None = None
    sep: str | None = None  # the value is a list of items separated by this


@dataclass(frozen=True, slots=True)
class Table:
    """A rule table: its file, columns and the column (or columns) no two rows may share."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    doc: str = ""
    checks: tuple[Callable[[dict[str, list[Row]]], Iterable[tuple[Row, str]]], ...] = field(default=())

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


def _choices(*values: str) -> frozenset[str]:
    return frozenset(values)


def _items(value: str, sep: str) -> list[str]:
    return [item.strip() for item in value.split(sep) if item.strip()]


def _cues(tables: dict[str, list[Row]]) -> set[str]:
    return {cue for row in tables["indicators"] for cue in _items(row["typical_cues"], ";")}


def _known_code(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
    measures = {row["code"]: row["measures"] for row in tables["indicators"]}
    for row in tables["indicator_rules"]:
        if row["code"] not in measures:
            yield row, f"unknown indicator code {row['code']!r} (not in indicators.csv)"
            continue
        units = _items(row["units"], " ")
        if units and measures[row["code"]] != "count":
            yield row, f"units for {row['code']!r}, which measures {measures[row['code']]}: only counts take units"


def _restricted_taken(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
    listed = {unit for row in tables["indicator_rules"] for unit in _items(row["units"], " ")}
    for row in tables["restricted_units"]:
        if row["unit"] not in listed:
            yield row, f"no indicator takes {row['unit']!r} (list it in the units of indicator_rules.csv)"


def _known_currency(table: str) -> Callable:
    """A currency code that currencies.csv gives no word for would never be written: an error."""

    def check(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
        codes = {row["code"] for row in tables["currencies"]}
        for row in tables[table]:
            if row["currency"] not in codes:
                yield row, f"currency {row['currency']!r} is in no row of currencies.csv"

    return check


def _known_outlet(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
    names = {row["name"] for row in tables["outlets"]}
    for row in tables["outlet_currencies"]:
        if row["outlet"] not in names:
            yield row, f"{row['outlet']!r} is no outlet of outlets.csv (its name as the outlet writes it)"


def _known_suffix(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
    canonical = {row["canonical"] for row in tables["local_agency_suffixes"]}
    for row in tables["local_anaphora"]:
        if row["canonical_suffix"] not in canonical:
            yield row, f"{row['canonical_suffix']!r} is no canonical suffix of local_agency_suffixes.csv"


def _weak_is_a_cue(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
    cues = _cues(tables)
    for row in tables["weak_cues"]:
        if row["cue"] not in cues:
            yield row, f"{row['cue']!r} is no indicator's cue (typical_cues of indicators.csv)"


def _one_body_per_alias(table: str, name: str, aliases: str, fold: bool = False) -> Callable:
    """An alias (or a name) that two rows claim would silently go to the last of them: an error."""
    def check(tables: dict[str, list[Row]]) -> Iterable[tuple[Row, str]]:
        owner: dict[str, str] = {}
        for row in tables[table]:
            forms = [row[name], *_items(row[aliases], "|")]
            for form in dict.fromkeys(forms):
                key = form.lower() if fold and form.isascii() else form
                if key in owner and owner[key] != row[name]:
                    yield row, f"{form!r} is claimed by {owner[key]!r} and {row[name]!r}"
                owner.setdefault(key, row[name])

    return check


LEVELS = frozenset(_LEVELS)
MEASURE_WORD = "[\u4e00-\u9fff]{1,3}"  # a measure word (家, 人次, 批次), not a currency code or %

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("indicators", (
        Column("code", pattern=r"[a-z][a-z0-9_]*"), Column("label_zh"), Column("label_en"),
        Column("measures", choices=_choices("money", "count")), Column("typical_cues", sep=";"),
    ), key=("code",), doc="the indicator vocabulary: codes, labels, what they measure, the words that signal them"),
    Table("indicator_rules", (
        Column("code"), Column("rank", choices=_choices("specific", "generic")),
        Column("units", required=False, sep=" ", pattern=MEASURE_WORD),
    ), key=("code",), checks=(_known_code,),
        doc="per indicator: specific cues beat generic ones; the measure words a count indicator takes"),
    Table("restricted_units", (Column("unit", pattern=MEASURE_WORD), Column("why")), key=("unit",),
          checks=(_restricted_taken,),
          doc="measure words only the indicators listing them take (any other code refuses them)"),
    Table("weak_cues", (Column("cue"),), key=("cue",), checks=(_weak_is_a_cue,),
          doc="cues that name the wrong-doing, not an act against it: never rank as specific"),
    Table("currencies", (
        Column("word"), Column("code", pattern=r"[A-Z]{3}"), Column("prefix", choices=_choices("yes", "no")),
    ), key=("word",), doc="currency words after a figure, their ISO 4217 code; prefix: also written before it"),
    Table("qualifier_words", (
        Column("word"), Column("position", choices=_choices("before", "after")),
        Column("qualifier", choices=frozenset(QUALIFIERS) - {"exact", "range"}),
    ), key=("word", "position"), doc="words before or after a figure that make it approximate or a bound"),
    Table("government_suffixes", (
        Column("suffix"), Column("traditional", required=False),
        Column("used_by", sep=" ", choices=_choices("source", "agency", "issuer")),
    ), key=("suffix",), doc="last words of a government body's name, and which readers take each"),
    Table("outlets", (
        Column("name"), Column("kind", choices=_choices("media", "wire", "government")),
        Column("aliases", required=False, sep="|"),
    ), key=("name",), checks=(_one_body_per_alias("outlets", "name", "aliases", fold=True),),
        doc="outlets and offices that publish pages, with their short forms, slugs and other-script spellings"),
    Table("page_labels", (
        Column("label"),
        Column("field", choices=_choices("date", "source", "title", "author", "editor", "furniture")),
    ), key=("label",), doc="labels of a page's metadata lines"),
    Table("national_agencies", (Column("name"), Column("aliases", required=False, sep="|")),
          key=("name",), checks=(_one_body_per_alias("national_agencies", "name", "aliases"),),
          doc="national bodies: official names and short forms"),
    Table("local_agency_suffixes", (
        Column("surface"), Column("canonical"), Column("level", required=False, choices=LEVELS),
    ), key=("surface",), doc="a local body's suffix as written -> its full form (医保局 -> 医疗保障局)"),
    Table("foreign_countries", (Column("name"),), key=("name",),
          doc="countries and foreign institutions whose bodies are not China's"),
    Table("local_anaphora", (Column("surface"), Column("canonical_suffix")), key=("surface",),
          checks=(_known_suffix,), doc="当地医保部门 and the like: the body of that kind named last"),
    Table("money_leads", (Column("word"), Column("currency", pattern=r"[A-Z]{3}")), key=("word",),
          checks=(_known_currency("money_leads"),),
          doc="words after which a number with 万/亿 is money though 元 is missing, and its currency"),
    Table("outlet_currencies", (Column("outlet"), Column("currency", pattern=r"[A-Z]{3}")), key=("outlet",),
          checks=(_known_currency("outlet_currencies"), _known_outlet),
          doc="Hong Kong and Macau outlets, on whose pages a bare 元 is their own currency"),
    Table("divisions", (
        Column("code", pattern=r"\d{6}"), Column("name"),
        Column("level", choices=_choices("province", "prefecture", "county")),
        Column("status", pattern=r"current|former:\d{6}"),
    ), key=("code", "name"), doc="administrative divisions, current and former"),
    Table("period_words", (
        Column("word"), Column("traditional", required=False),
        Column("meaning", choices=_choices(
            "as_of", "boundary", "case_act", "case_actor", "case_span", "comparison", "comparison_after",
            "cumulative", "now", "part", "since_from", "since_mark", "since_mark_after_from",
            "since_mark_after_year", "to_now", "vague_since", "year")),
        Column("value", required=False, pattern=r"-?\d+(?:-\d+)?"),
    ), key=("word", "meaning"), doc="words that date a figure's period (今年, 上半年, 截至 …)"),
)}


def read_table(table: Table, folder: Path = RULES_DIR) -> list[Row]:
    """The rows of one table as written, each checked on its own (columns, filled, allowed values, key)."""
    path = folder / table.file
    if not path.is_file():
        raise RuleError(table.file, 0, "missing file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [c.name for c in table.columns if c.name not in header]
        if missing:
            raise RuleError(table.file, 1, f"missing column {', '.join(missing)} (columns: {', '.join(header)})")
        found: list[Row] = []
        seen: dict[tuple[str, ...], int] = {}
        for values in reader:
            if not values:
                continue
            row = Row(zip(header, values, strict=False))  # a length that differs is reported below
            row.line = reader.line_num
            problem = (f"{len(values)} values for {len(header)} columns" if len(values) != len(header)
                       else row_problem(table, row))
            if problem:
                raise RuleError(table.file, row.line, problem)
            key = tuple(row[k] for k in table.key)
            if key and key in seen:
                raise RuleError(table.file, row.line, f"{' / '.join(key)} is already on line {seen[key]}")
            seen[key] = row.line
            found.append(row)
    return found


def row_problem(table: Table, row: Row) -> str | None:
    """What is wrong with one row on its own, or None."""
    for column in table.columns:
        value = row.get(column.name, "")
        if not value:
            if column.required:
                return f"{column.name} is empty"
            continue
        if value != value.strip():
            return f"{column.name}: spaces around {value!r}"
        items = _items(value, column.sep) if column.sep else (value,)
        pattern = _compiled(column.pattern) if column.pattern is not None else None
        for item in items:
            if column.choices is not None and item not in column.choices:
                return f"{column.name}: {item!r} is not one of {', '.join(sorted(column.choices))}"
            if pattern is not None and pattern.fullmatch(item) is None:
                return f"{column.name}: {item!r} is not of the form {column.pattern}"
        if column.sep and len(set(items)) != len(items):
            return f"{column.name}: an item is listed twice in {value!r}"
    return None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def check_tables(folder: Path = RULES_DIR) -> dict[str, list[Row]]:
    """Every table read and checked, rows and across tables; raises RuleError for the first mistake."""
    tables = {name: read_table(table, folder) for name, table in TABLES.items()}
    for table in TABLES.values():
        for check in table.checks:
            for row, problem in check(tables):
                raise RuleError(table.file, row.line, problem)
    return tables


@cache
def _checked() -> dict[str, list[Row]]:
    return check_tables()


def check() -> None:
    """Every table checked (once per process): a run calls it first, so a mistake stops it before any work."""
    _checked()


def rows(name: str) -> list[Row]:
    """The rows of the table `name` (README.md), checked with every other table on the first call."""
    return _checked()[name]


def items(value: str, sep: str) -> list[str]:
    """The items of a list value (aliases `|`, cues `;`, units ` `), trimmed, empty ones dropped."""
    return _items(value, sep)


def rule_files(folder: Path = RULES_DIR) -> list[Path]:
    """Every file the tables are read from (what the extractor version hashes)."""
    return [folder / table.file for table in TABLES.values()]


def government_suffixes(reader: str) -> list[str]:
    """The last words of a government body's name that `reader` (source, agency or issuer: the column used_by
    of government_suffixes.csv) takes, in both scripts, longest first."""
    words = {w for row in rows("government_suffixes") if reader in _items(row["used_by"], " ")
             for w in (row["suffix"], row["traditional"]) if w}
    return sorted(words, key=lambda w: (-len(w), w))
