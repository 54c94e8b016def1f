-- title: Yearly series of an indicator by agency
-- description: One indicator (e.g. funds_recovered) by agency and year, from v_yearly_series: for each year the figure stated for the whole year (value_kind stated), else the latest year-to-date figure (partial, through_month = its last month), else a year derived from two running totals with the same start that end on 31 December a year apart (derived, metric_ids = the earlier and the later). Nothing is summed: a running total is never added to its parts, and a figure repeated by several documents or copies counts once. On-topic figures of active documents; values in base units (yuan).
-- params: indicator (text)
SELECT
    s.indicator,
    s.indicator_label_zh,
    s.indicator_label_en,
    s.agency_id,
    s.agency_name,
    s.agency_level,
    s.agency_region,
    s.region_code,
    s.year,
    s.value,
    s.unit,
    s.value_kind,
    s.through_month,
    s.documents,
    s.stories,
    s.metric_ids
FROM v_yearly_series s
WHERE s.indicator = :indicator
ORDER BY CASE s.agency_level WHEN 'national' THEN 1 WHEN 'provincial' THEN 2 WHEN 'prefectural' THEN 3
                             WHEN 'county' THEN 4 WHEN 'township' THEN 5 ELSE 6 END,
         s.agency_region ASC NULLS FIRST, s.agency_name ASC NULLS LAST, s.unit ASC, s.year ASC
