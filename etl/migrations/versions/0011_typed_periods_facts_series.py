"""Typed periods, one row per fact, yearly series, on-topic figures by default.

- metrics.period_kind: year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case
  (etl/transform/periods.py). Rows loaded before are typed from their dates (an as-of figure, a year, a half
  …); a case cannot be told from dates, and the next `etl run` re-reads every document anyway (the extractor
  version changed).
- v_metrics now holds only on-topic figures of active documents, the rows BI users are pointed at; every
  figure of an active document is in v_metrics_all (same columns). Both gain period_kind.
- v_facts: one row per distinct fact (agency, indicator, unit, period), with how many documents and stories
  state it, the first and latest document, and whether they disagree.
- v_yearly_series: an indicator by agency and year, stated, partial (year to date) or derived from two
  running totals with the same start; never a running total added to its parts.
- PostgreSQL: COMMENT ON the four views and their columns (frozen copies of etl/reporting/catalog.py).

Every view here runs unchanged on SQLite (>= 3.30: window functions, NULLS LAST) and PostgreSQL (>= 12).

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERIOD_KIND_COMMENT = ("year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case: what "
                       "kind of period period_start … period_end is")

# Frozen copies of etl/reporting/catalog.py as of this revision (a test checks they agree).
_METRIC_COLUMN_COMMENTS = {'metric_id': 'metrics.id',
 'document_id': 'the document the figure was reported in',
 'document_title': 'title of that document',
 'published_on': 'publication date of the document (Beijing time)',
 'published_year': 'year of published_on',
 'published_year_month': 'year and month of published_on as YYYY-MM',
 'published_month': 'first day of the month of published_on (a time axis)',
 'source_name': 'publisher of this copy',
 'source_kind': 'media, wire, government or other',
 'original_source_name': 'outlet that first published the story',
 'duplicate_of_id': 'the canonical copy of the same story; null for a canonical copy',
 'story_id': 'id of the canonical copy: count distinct story_id to count each story once',
 'agency_id': 'agencies.id of the agency the figure belongs to',
 'agency_name': 'canonical full name of the agency',
 'agency_level': 'national, provincial, prefectural, county or township',
 'agency_region': 'full region path of the agency; null for national bodies',
 'indicator': 'indicator code from the vocabulary; null where none fits',
 'indicator_label_zh': 'Chinese label of the indicator',
 'indicator_label_en': 'English label of the indicator',
 'indicator_measures': 'money or count',
 'value': 'value in base units (yuan for CNY; 5.2 for 5.2%)',
 'value_max': 'upper bound of a range, else null',
 'unit': 'CNY, another ISO currency code, %, or the measure word (起, 家 …)',
 'qualifier': 'exact, approx, more_than, at_least, less_than, at_most or range',
 'cumulative': 'a running total (累计, 以来): never add it to its own parts',
 'period_start': 'first day of the period the figure covers, if stated',
 'period_end': 'last day of the period (an as-of figure has only this)',
 'period_kind': 'year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case',
 'period_date': 'period_end, else period_start: the day the figure is as of',
 'period_year': 'year of period_date',
 'period_year_month': 'year and month of period_date as YYYY-MM',
 'raw_text': 'the figure as written',
 'sentence': 'the body sentence that states the figure, with its period words (the title only when the body does '
             'not): the evidence',
 'on_topic': 'whether the figure is about medical-insurance supervision',
 'document_on_topic': 'whether the document is about medical-insurance fund supervision'}
VIEW_COMMENTS = {
    'v_metrics': (('One row per on-topic figure (about medical-insurance fund supervision) of an active document, '
 'flattened with its document, source, agency, indicator labels and calendar attributes: the table to '
 'point a BI tool at. Every other figure (stock-market and macro figures of finance briefings …) is in '
 'v_metrics_all.'), _METRIC_COLUMN_COMMENTS),
    'v_metrics_all': (('One row per reported figure of an active document, on topic or not (on_topic tells), with the same '
 'columns as v_metrics.'), _METRIC_COLUMN_COMMENTS),
    'v_facts': ("One row per distinct fact: an agency's figure for an indicator, unit and period, however many documents, "
     'copies and outlets state it. On-topic figures with an indicator, of active documents. Where one story '
     'states several values for one such key, or no period at all, each value is a fact of its own.',
     {'metric_id': 'the metrics row that speaks for the fact: the one of the latest document stating it',
      'agency_id': 'agencies.id of the agency the figure belongs to',
      'agency_name': 'canonical full name of the agency',
      'agency_level': 'national, provincial, prefectural, county or township',
      'agency_region': 'full region path of the agency; null for national bodies',
      'region_code': "six-digit administrative division code of the agency's region",
      'indicator': 'indicator code from the vocabulary',
      'indicator_label_zh': 'Chinese label of the indicator',
      'indicator_label_en': 'English label of the indicator',
      'unit': 'CNY, another ISO currency code, %, or the measure word (起, 家 …)',
      'period_kind': 'year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case',
      'period_start': 'first day of the period, if stated',
      'period_end': 'last day of the period (an as-of figure has only this)',
      'value': 'the value the latest document states (base units)',
      'value_max': 'upper bound of a range, else null (latest document)',
      'qualifier': 'exact, approx, more_than, at_least, less_than, at_most or range (latest document)',
      'cumulative': 'a running total in any document stating it: never add it to its own parts',
      'raw_text': 'the figure as the latest document writes it',
      'sentence': 'the sentence the latest document states it in (the evidence)',
      'documents': 'how many active documents state it (copies included)',
      'stories': 'how many stories state it (a story and its copies count once)',
      'disagree': 'whether the documents stating it give different values',
      'min_value': 'smallest value stated for it',
      'max_value': 'largest value stated for it',
      'first_document_id': 'the earliest published document stating it',
      'first_published_on': 'publication date of that document',
      'latest_document_id': "the latest published document stating it (its value is the fact's value)",
      'latest_published_on': 'publication date of that document'}),
    'v_yearly_series': ("An indicator by agency and year: for each year the figure stated for that year (value_kind 'stated'), else "
     "the latest year-to-date figure ('partial', through_month its last month), else a year derived from two "
     "running totals with the same start that end a year apart ('derived': the later less the earlier). A running "
     'total is never added to its parts; nothing is summed. Built on v_facts.',
     {'indicator': 'indicator code from the vocabulary',
      'indicator_label_zh': 'Chinese label of the indicator',
      'indicator_label_en': 'English label of the indicator',
      'agency_id': 'agencies.id of the agency; null where no agency was attributed',
      'agency_name': 'canonical full name of the agency',
      'agency_level': 'national, provincial, prefectural, county or township',
      'agency_region': 'full region path of the agency; null for national bodies',
      'region_code': "six-digit administrative division code of the agency's region",
      'year': 'calendar year',
      'value': "the year's value in base units (yuan for CNY)",
      'unit': 'CNY, another ISO currency code, %, or the measure word (起, 家 …)',
      'value_kind': 'stated (a figure for the whole year), partial (year to date) or derived',
      'through_month': 'for a partial year: the last month the figure covers (1 to 11); else null',
      'documents': 'how many documents state the figure (for a derived year: the later running total)',
      'stories': 'how many stories state it (copies count once)',
      'metric_ids': "the metrics rows it rests on: one id, or for a derived year 'earlier,later'",
      'metric_id': 'the metrics row of the figure (for a derived year: the later running total)',
      'base_metric_id': 'for a derived year: the metrics row of the earlier running total subtracted'}),
}
# 0002's comments on v_metrics, restored on downgrade: the same columns without period_kind, 0002's texts
VIEW_COMMENTS_0002 = (
    "One row per reported figure of an active document, flattened with its document, source, agency, indicator "
    "labels and calendar attributes: the table to point a BI tool at.",
    {column: text for column, text in _METRIC_COLUMN_COMMENTS.items() if column != "period_kind"}
    | {"sentence": "the sentence it was found in (the evidence)"},
)

_METRIC_COLUMNS = """
    m.id AS metric_id,
    m.document_id AS document_id,
    d.title AS document_title,
    d.published_on AS published_on,
    pd.year AS published_year,
    pd.year_month AS published_year_month,
    pd.month_start AS published_month,
    s.name AS source_name,
    s.kind AS source_kind,
    os.name AS original_source_name,
    d.duplicate_of_id AS duplicate_of_id,
    c.id AS story_id,
    m.agency_id AS agency_id,
    a.name AS agency_name,
    a.level AS agency_level,
    a.region AS agency_region,
    m.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    i.label_en AS indicator_label_en,
    i.measures AS indicator_measures,
    m.value AS value,
    m.value_max AS value_max,
    m.unit AS unit,
    m.qualifier AS qualifier,
    m.cumulative AS cumulative,
    m.period_start AS period_start,
    m.period_end AS period_end,
    m.period_kind AS period_kind,
    pe.date AS period_date,
    pe.year AS period_year,
    pe.year_month AS period_year_month,
    m.raw_text AS raw_text,
    m.sentence AS sentence,
    m.on_topic AS on_topic,
    d.on_topic AS document_on_topic
FROM metrics m
JOIN documents d ON d.id = m.document_id
LEFT JOIN documents c ON c.id = COALESCE(d.duplicate_of_id, d.id)
LEFT JOIN sources s ON s.id = d.source_id
LEFT JOIN sources os ON os.id = d.original_source_id
LEFT JOIN agencies a ON a.id = m.agency_id
LEFT JOIN indicators i ON i.code = m.indicator
LEFT JOIN dim_date pd ON pd.date = d.published_on
LEFT JOIN dim_date pe ON pe.date = COALESCE(m.period_end, m.period_start)
WHERE d.status = 'active'"""

# every column a plain column reference, so SQLite reports its declared type (see 0002)
V_METRICS_ALL = "CREATE VIEW v_metrics_all AS\nSELECT" + _METRIC_COLUMNS + "\n"
V_METRICS = "CREATE VIEW v_metrics AS\nSELECT" + _METRIC_COLUMNS + "\n  AND m.on_topic\n"

# A fact is (agency, indicator, unit, period kind, start, end). Where one story states several values under one
# such key (歙县: 59.99万元 refunded and 278.95万元 recovered, both since April), or no period at all, each value
# is a fact of its own; otherwise the values of different stories are one fact that they disagree on.
# Window functions only, so no join has to match nullable keys.
V_FACTS = """
CREATE VIEW v_facts AS
WITH figures AS (
    SELECT
        m.id AS metric_id,
        m.document_id AS document_id,
        COALESCE(d.duplicate_of_id, d.id) AS story_id,
        d.published_on AS published_on,
        m.agency_id AS agency_id,
        m.indicator AS indicator,
        m.unit AS unit,
        m.period_kind AS period_kind,
        m.period_start AS period_start,
        m.period_end AS period_end,
        m.value AS value,
        m.value_max AS value_max,
        m.qualifier AS qualifier,
        m.cumulative AS cumulative,
        m.raw_text AS raw_text,
        m.sentence AS sentence,
        CASE WHEN MIN(m.value) OVER story_key <> MAX(m.value) OVER story_key THEN 1 ELSE 0 END AS story_several
    FROM metrics m
    JOIN documents d ON d.id = m.document_id
    WHERE d.status = 'active'
      AND m.on_topic
      AND m.indicator IS NOT NULL
    WINDOW story_key AS (PARTITION BY m.agency_id, m.indicator, m.unit, m.period_kind, m.period_start, m.period_end,
                                      COALESCE(d.duplicate_of_id, d.id))
),
keyed AS (
    SELECT
        f.*,
        CASE WHEN MAX(f.story_several) OVER (PARTITION BY f.agency_id, f.indicator, f.unit, f.period_kind,
                                                          f.period_start, f.period_end) = 1
                  OR (f.period_start IS NULL AND f.period_end IS NULL)
             THEN f.value END AS value_key
    FROM figures f
),
ranked AS (
    SELECT
        f.*,
        ROW_NUMBER() OVER (fact ORDER BY f.published_on DESC NULLS LAST, f.document_id DESC, f.metric_id DESC)
            AS latest_rank,
        ROW_NUMBER() OVER (PARTITION BY f.agency_id, f.indicator, f.unit, f.period_kind, f.period_start,
                                        f.period_end, f.value_key, f.document_id
                           ORDER BY f.metric_id) AS document_rank,
        ROW_NUMBER() OVER (PARTITION BY f.agency_id, f.indicator, f.unit, f.period_kind, f.period_start,
                                        f.period_end, f.value_key, f.story_id
                           ORDER BY f.metric_id) AS story_rank,
        FIRST_VALUE(f.document_id) OVER (fact ORDER BY f.published_on ASC NULLS LAST, f.document_id ASC)
            AS first_document_id,
        FIRST_VALUE(f.published_on) OVER (fact ORDER BY f.published_on ASC NULLS LAST, f.document_id ASC)
            AS first_published_on
    FROM keyed f
    WINDOW fact AS (PARTITION BY f.agency_id, f.indicator, f.unit, f.period_kind, f.period_start, f.period_end,
                                 f.value_key)
),
counted AS (
    SELECT
        f.*,
        SUM(CASE WHEN f.document_rank = 1 THEN 1 ELSE 0 END) OVER fact AS documents,
        SUM(CASE WHEN f.story_rank = 1 THEN 1 ELSE 0 END) OVER fact AS stories,
        MIN(f.value) OVER fact AS min_value,
        MAX(f.value) OVER fact AS max_value,
        MIN(COALESCE(f.value_max, f.value)) OVER fact AS min_upper,
        MAX(COALESCE(f.value_max, f.value)) OVER fact AS max_upper,
        MAX(CASE WHEN f.cumulative THEN 1 ELSE 0 END) OVER fact AS any_cumulative
    FROM ranked f
    WINDOW fact AS (PARTITION BY f.agency_id, f.indicator, f.unit, f.period_kind, f.period_start, f.period_end,
                                 f.value_key)
)
SELECT
    c.metric_id AS metric_id,
    c.agency_id AS agency_id,
    a.name AS agency_name,
    a.level AS agency_level,
    a.region AS agency_region,
    a.region_code AS region_code,
    c.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    i.label_en AS indicator_label_en,
    c.unit AS unit,
    c.period_kind AS period_kind,
    c.period_start AS period_start,
    c.period_end AS period_end,
    c.value AS value,
    c.value_max AS value_max,
    c.qualifier AS qualifier,
    c.any_cumulative = 1 AS cumulative,
    c.raw_text AS raw_text,
    c.sentence AS sentence,
    c.documents AS documents,
    c.stories AS stories,
    (c.min_value <> c.max_value OR c.min_upper <> c.max_upper) AS disagree,
    c.min_value AS min_value,
    c.max_value AS max_value,
    c.first_document_id AS first_document_id,
    c.first_published_on AS first_published_on,
    c.document_id AS latest_document_id,
    c.published_on AS latest_published_on
FROM counted c
LEFT JOIN agencies a ON a.id = c.agency_id
LEFT JOIN indicators i ON i.code = c.indicator
WHERE c.latest_rank = 1
"""

# stated: a fact for 1 January … 31 December of one year; partial: 1 January … an earlier day of that year
# (year to date, half, first quarter, January); derived: the later of two running totals with the same start
# that end on 31 December a year apart, less the earlier. One row per agency, indicator, unit and year: the
# stated figure, else the partial one ending latest, else the derived one. A case's period is never a year's.
V_YEARLY_SERIES = """
CREATE VIEW v_yearly_series AS
WITH f AS (
    SELECT
        v.metric_id, v.agency_id, v.indicator, v.unit, v.period_start, v.period_end, v.value,
        v.documents, v.stories, v.latest_published_on,
        ds.year AS start_year, ds.month AS start_month, ds.day AS start_day,
        de.year AS end_year, de.month AS end_month, de.day AS end_day
    FROM v_facts v
    JOIN dim_date ds ON ds.date = v.period_start
    JOIN dim_date de ON de.date = v.period_end
    WHERE v.period_kind IS NULL OR v.period_kind <> 'case'
),
candidates AS (
    SELECT
        f.agency_id, f.indicator, f.unit, f.end_year AS year, f.value, 'stated' AS value_kind, 1 AS priority,
        CAST(NULL AS INTEGER) AS through_month, f.documents, f.stories, f.metric_id,
        CAST(NULL AS INTEGER) AS base_metric_id, f.period_end, f.latest_published_on
    FROM f
    WHERE f.start_year = f.end_year AND f.start_month = 1 AND f.start_day = 1
      AND f.end_month = 12 AND f.end_day = 31
    UNION ALL
    SELECT
        f.agency_id, f.indicator, f.unit, f.end_year, f.value, 'partial', 2,
        f.end_month, f.documents, f.stories, f.metric_id,
        CAST(NULL AS INTEGER), f.period_end, f.latest_published_on
    FROM f
    WHERE f.start_year = f.end_year AND f.start_month = 1 AND f.start_day = 1
      AND NOT (f.end_month = 12 AND f.end_day = 31)
    UNION ALL
    SELECT
        later.agency_id, later.indicator, later.unit, later.end_year, later.value - earlier.value, 'derived', 3,
        CAST(NULL AS INTEGER), later.documents, later.stories, later.metric_id,
        earlier.metric_id, later.period_end, later.latest_published_on
    FROM f later
    JOIN f earlier
      ON COALESCE(earlier.agency_id, 0) = COALESCE(later.agency_id, 0)
     AND earlier.indicator = later.indicator
     AND earlier.unit = later.unit
     AND earlier.period_start = later.period_start
    WHERE later.end_month = 12 AND later.end_day = 31
      AND earlier.end_month = 12 AND earlier.end_day = 31
      AND earlier.end_year = later.end_year - 1
      AND later.start_year < later.end_year
      AND later.value >= earlier.value
),
ranked AS (
    SELECT
        c.*,
        ROW_NUMBER() OVER (PARTITION BY c.agency_id, c.indicator, c.unit, c.year
                           ORDER BY c.priority, c.period_end DESC, c.latest_published_on DESC NULLS LAST,
                                    c.metric_id DESC) AS position
    FROM candidates c
)
SELECT
    r.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    i.label_en AS indicator_label_en,
    r.agency_id AS agency_id,
    a.name AS agency_name,
    a.level AS agency_level,
    a.region AS agency_region,
    a.region_code AS region_code,
    r.year AS year,
    r.value AS value,
    r.unit AS unit,
    r.value_kind AS value_kind,
    r.through_month AS through_month,
    r.documents AS documents,
    r.stories AS stories,
    CASE WHEN r.base_metric_id IS NULL THEN CAST(r.metric_id AS TEXT)
         ELSE CAST(r.base_metric_id AS TEXT) || ',' || CAST(r.metric_id AS TEXT) END AS metric_ids,
    r.metric_id AS metric_id,
    r.base_metric_id AS base_metric_id
FROM ranked r
JOIN indicators i ON i.code = r.indicator
LEFT JOIN agencies a ON a.id = r.agency_id
WHERE r.position = 1
"""

# 0002's v_metrics, restored on downgrade: the same columns without period_kind
V_METRICS_0002 = "CREATE VIEW v_metrics AS\nSELECT" + _METRIC_COLUMNS.replace("    m.period_kind AS period_kind,\n", "") + "\n"
NEW_VIEWS = ("v_yearly_series", "v_facts", "v_metrics_all", "v_metrics")  # in the order they are dropped


def _literal(text: str) -> str:
    """A SQL string literal for the fixed comment texts above (COMMENT ON takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _comment(view: str, comment: str, columns: dict[str, str]) -> None:
    op.execute(f"COMMENT ON VIEW {view} IS {_literal(comment)}")
    for column, text in columns.items():
        op.execute(f"COMMENT ON COLUMN {view}.{column} IS {_literal(text)}")


def _month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _kind_from_dates(start: date | None, end: date | None) -> str | None:
    """A stored period's kind as its dates tell it (frozen copy of etl.transform.periods.closed_kind)."""
    if start is None:
        return "as_of" if end is not None else None
    if end is None:
        return "cumulative_since"
    if start.year != end.year or start >= end:
        return "span"
    if not (start.day == 1 and _month_end(end)):
        return "year_to_date" if (start.month, start.day) == (1, 1) else "span"
    first, last = start.month, end.month
    if (first, last) == (1, 12):
        return "year"
    if (first, last) in ((1, 6), (7, 12)):
        return "half"
    if first == last:
        return "month"
    if first in (1, 4, 7, 10) and last == first + 2:
        return "quarter"
    return "year_to_date" if first == 1 else "span"


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# by which of the two dates a stored period has
_TYPE_PERIOD = {
    (True, True): "UPDATE metrics SET period_kind = :kind WHERE period_start = :start AND period_end = :end",
    (False, True): "UPDATE metrics SET period_kind = :kind WHERE period_start IS NULL AND period_end = :end",
    (True, False): "UPDATE metrics SET period_kind = :kind WHERE period_start = :start AND period_end IS NULL",
}


def _type_stored_periods(bind) -> None:
    """period_kind for the rows already loaded, one UPDATE per distinct period (the values bound as read)."""
    periods = bind.execute(sa.text(
        "SELECT DISTINCT period_start, period_end FROM metrics "
        "WHERE period_start IS NOT NULL OR period_end IS NOT NULL")).all()
    for start, end in periods:
        kind = _kind_from_dates(_as_date(start), _as_date(end))
        values = {"kind": kind, "start": start, "end": end}
        statement = _TYPE_PERIOD[(start is not None, end is not None)]
        bind.execute(sa.text(statement), {k: v for k, v in values.items() if f":{k}" in statement})


def upgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS v_metrics")
    op.add_column("metrics", sa.Column("period_kind", sa.String(length=16), nullable=True,
                                       comment=PERIOD_KIND_COMMENT))
    _type_stored_periods(bind)
    op.execute(V_METRICS_ALL)
    op.execute(V_METRICS)
    op.execute(V_FACTS)
    op.execute(V_YEARLY_SERIES)
    if bind.dialect.name == "postgresql":
        for view, (comment, columns) in VIEW_COMMENTS.items():
            _comment(view, comment, columns)


def downgrade() -> None:
    bind = op.get_bind()
    for view in NEW_VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {view}")
    with op.batch_alter_table("metrics") as batch:
        batch.drop_column("period_kind")
    op.execute(V_METRICS_0002)
    if bind.dialect.name == "postgresql":
        _comment("v_metrics", *VIEW_COMMENTS_0002)
