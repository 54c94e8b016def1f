"""Descriptions of the reporting views, for tools that cannot read PostgreSQL comments (Datasette on SQLite).

Migrations 0002 and 0011 hold their own frozen copies (a migration must not change when this module does); a
test checks they agree on PostgreSQL, where the migrations write them as COMMENT ON. The search table's
descriptions live with it, in etl.load.search_index (the load writes them).
"""

from __future__ import annotations

METRIC_COLUMNS: dict[str, str] = {
    "metric_id": "metrics.id",
    "document_id": "the document the figure was reported in",
    "document_title": "title of that document",
    "published_on": "publication date of the document (Beijing time)",
    "published_year": "year of published_on",
    "published_year_month": "year and month of published_on as YYYY-MM",
    "published_month": "first day of the month of published_on (a time axis)",
    "source_name": "publisher of this copy",
    "source_kind": "media, wire, government or other",
    "original_source_name": "outlet that first published the story",
    "duplicate_of_id": "the canonical copy of the same story; null for a canonical copy",
    "story_id": "id of the canonical copy: count distinct story_id to count each story once",
    "agency_id": "agencies.id of the agency the figure belongs to",
    "agency_name": "canonical full name of the agency",
    "agency_level": "national, provincial, prefectural, county or township",
    "agency_region": "full region path of the agency; null for national bodies",
    "indicator": "indicator code from the vocabulary; null where none fits",
    "indicator_label_zh": "Chinese label of the indicator",
    "indicator_label_en": "English label of the indicator",
    "indicator_measures": "money or count",
    "value": "value in base units (yuan for CNY; 5.2 for 5.2%)",
    "value_max": "upper bound of a range, else null",
    "unit": "CNY, another ISO currency code, %, or the measure word (起, 家 …)",
    "qualifier": "exact, approx, more_than, at_least, less_than, at_most or range",
    "cumulative": "a running total (累计, 以来): never add it to its own parts",
    "period_start": "first day of the period the figure covers, if stated",
    "period_end": "last day of the period (an as-of figure has only this)",
    "period_kind": "year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case",
    "period_date": "period_end, else period_start: the day the figure is as of",
    "period_year": "year of period_date",
    "period_year_month": "year and month of period_date as YYYY-MM",
    "raw_text": "the figure as written",
    "sentence": "the body sentence that states the figure, with its period words (the title only when the body "
                "does not): the evidence",
    "on_topic": "whether the figure is about medical-insurance supervision",
    "document_on_topic": "whether the document is about medical-insurance fund supervision",
}

VIEW_DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "v_metrics": (
        "One row per on-topic figure (about medical-insurance fund supervision) of an active document, "
        "flattened with its document, source, agency, indicator labels and calendar attributes: the table to "
        "point a BI tool at. Every other figure (stock-market and macro figures of finance briefings …) is in "
        "v_metrics_all.",
        METRIC_COLUMNS,
    ),
    "v_metrics_all": (
        "One row per reported figure of an active document, on topic or not (on_topic tells), with the same "
        "columns as v_metrics.",
        METRIC_COLUMNS,
    ),
    "v_facts": (
        "One row per distinct fact: an agency's figure for an indicator, unit and period, however many "
        "documents, copies and outlets state it. On-topic figures with an indicator, of active documents. "
        "Where one story states several values for one such key, or no period at all, each value is a fact "
        "of its own.",
        {
            "metric_id": "the metrics row that speaks for the fact: the one of the latest document stating it",
            "agency_id": "agencies.id of the agency the figure belongs to",
            "agency_name": "canonical full name of the agency",
            "agency_level": "national, provincial, prefectural, county or township",
            "agency_region": "full region path of the agency; null for national bodies",
            "region_code": "six-digit administrative division code of the agency's region",
            "indicator": "indicator code from the vocabulary",
            "indicator_label_zh": "Chinese label of the indicator",
            "indicator_label_en": "English label of the indicator",
            "unit": "CNY, another ISO currency code, %, or the measure word (起, 家 …)",
            "period_kind": "year, half, quarter, month, year_to_date, span, cumulative_since, as_of or case",
            "period_start": "first day of the period, if stated",
            "period_end": "last day of the period (an as-of figure has only this)",
            "value": "the value the latest document states (base units)",
            "value_max": "upper bound of a range, else null (latest document)",
            "qualifier": "exact, approx, more_than, at_least, less_than, at_most or range (latest document)",
            "cumulative": "a running total in any document stating it: never add it to its own parts",
            "raw_text": "the figure as the latest document writes it",
            "sentence": "the sentence the latest document states it in (the evidence)",
            "documents": "how many active documents state it (copies included)",
            "stories": "how many stories state it (a story and its copies count once)",
            "disagree": "whether the documents stating it give different values",
            "min_value": "smallest value stated for it",
            "max_value": "largest value stated for it",
            "first_document_id": "the earliest published document stating it",
            "first_published_on": "publication date of that document",
            "latest_document_id": "the latest published document stating it (its value is the fact's value)",
            "latest_published_on": "publication date of that document",
        },
    ),
    "v_yearly_series": (
        "An indicator by agency and year: for each year the figure stated for that year (value_kind "
        "'stated'), else the latest year-to-date figure ('partial', through_month its last month), else a "
        "year derived from two running totals with the same start that end a year apart ('derived': the later "
        "less the earlier). A running total is never added to its parts; nothing is summed. Built on v_facts.",
        {
            "indicator": "indicator code from the vocabulary",
            "indicator_label_zh": "Chinese label of the indicator",
            "indicator_label_en": "English label of the indicator",
            "agency_id": "agencies.id of the agency; null where no agency was attributed",
            "agency_name": "canonical full name of the agency",
            "agency_level": "national, provincial, prefectural, county or township",
            "agency_region": "full region path of the agency; null for national bodies",
            "region_code": "six-digit administrative division code of the agency's region",
            "year": "calendar year",
            "value": "the year's value in base units (yuan for CNY)",
            "unit": "CNY, another ISO currency code, %, or the measure word (起, 家 …)",
            "value_kind": "stated (a figure for the whole year), partial (year to date) or derived",
            "through_month": "for a partial year: the last month the figure covers (1 to 11); else null",
            "documents": "how many documents state the figure (for a derived year: the later running total)",
            "stories": "how many stories state it (copies count once)",
            "metric_ids": "the metrics rows it rests on: one id, or for a derived year 'earlier,later'",
            "metric_id": "the metrics row of the figure (for a derived year: the later running total)",
            "base_metric_id": "for a derived year: the metrics row of the earlier running total subtracted",
        },
    ),
    "v_documents": (
        "One row per active document with its publisher, story and calendar attributes (no body text; "
        "see documents.body_text).",
        {
            "id": "documents.id",
            "title": "title of the document",
            "published_on": "publication date (Beijing time)",
            "published_at": "publication time in UTC, when the document gives a time of day",
            "published_year": "year of published_on",
            "published_year_quarter": "year and quarter of published_on as YYYY-Qn",
            "published_year_month": "year and month of published_on as YYYY-MM",
            "published_month": "first day of the month of published_on (a time axis)",
            "source_id": "sources.id of the publisher of this copy",
            "source_name": "publisher of this copy",
            "source_kind": "media, wire, government or other",
            "original_source_id": "sources.id of the outlet that first published the story",
            "original_source_name": "outlet that first published the story",
            "duplicate_of_id": "the canonical copy of the same story; null for a canonical copy",
            "story_id": "id of the canonical copy: count distinct story_id to count each story once",
            "doc_number": "发文字号, e.g. 云医保发〔2022〕6号",
            "index_number": "索引号 of government information-disclosure pages",
            "url": "original URL when the file gives one",
            "format": "detected file format",
            "on_topic": "whether the document is about medical-insurance fund supervision",
            "source_path": "path of the file relative to the folder it was loaded from",
            "authors": "reporters or authors, separated by '; '",
            "categories": "categories given by the publisher, separated by '; '",
            "tags": "tags given by the publisher, separated by '; '",
        },
    ),
}
