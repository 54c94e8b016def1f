-- title: Coverage: which agencies have figures for which years and indicators
-- description: For every agency (by level and region), indicator and unit, each year from the first to the last year its facts (v_facts) end in: how many facts end that year, how many of them are running totals or as-of figures (not a year's own figure), and what the yearly series holds for it (value_kind stated, partial or derived, and the value; empty where it has none). A year with no facts at all is listed with facts = 0, so gaps show. Facts without an agency or a date are left out.
WITH dated AS (
    SELECT
        v.agency_id,
        v.indicator,
        v.unit,
        COALESCE(pe.year, ps.year) AS year,
        v.period_kind,
        v.documents
    FROM v_facts v
    LEFT JOIN dim_date pe ON pe.date = v.period_end
    LEFT JOIN dim_date ps ON ps.date = v.period_start
    WHERE v.agency_id IS NOT NULL
      AND (v.period_end IS NOT NULL OR v.period_start IS NOT NULL)
),
per_year AS (
    SELECT
        agency_id,
        indicator,
        unit,
        year,
        COUNT(*) AS facts,
        SUM(CASE WHEN period_kind IN ('span', 'cumulative_since', 'as_of') THEN 1 ELSE 0 END) AS running_totals,
        MAX(documents) AS most_documents
    FROM dated
    GROUP BY agency_id, indicator, unit, year
),
bounds AS (
    SELECT agency_id, indicator, unit, MIN(year) AS first_year, MAX(year) AS last_year
    FROM per_year
    GROUP BY agency_id, indicator, unit
),
years AS (
    SELECT DISTINCT year FROM dim_date
),
grid AS (
    SELECT b.agency_id, b.indicator, b.unit, y.year
    FROM bounds b
    JOIN years y ON y.year BETWEEN b.first_year AND b.last_year
)
SELECT
    a.level AS agency_level,
    a.region AS agency_region,
    a.region_code AS region_code,
    a.name AS agency_name,
    g.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    g.unit AS unit,
    g.year AS year,
    COALESCE(p.facts, 0) AS facts,
    COALESCE(p.running_totals, 0) AS running_totals,
    s.value_kind AS series_value_kind,
    s.value AS series_value,
    s.through_month AS through_month
FROM grid g
JOIN agencies a ON a.id = g.agency_id
JOIN indicators i ON i.code = g.indicator
LEFT JOIN per_year p
  ON p.agency_id = g.agency_id AND p.indicator = g.indicator AND p.unit = g.unit AND p.year = g.year
LEFT JOIN v_yearly_series s
  ON s.agency_id = g.agency_id AND s.indicator = g.indicator AND s.unit = g.unit AND s.year = g.year
ORDER BY CASE a.level WHEN 'national' THEN 1 WHEN 'provincial' THEN 2 WHEN 'prefectural' THEN 3
                      WHEN 'county' THEN 4 WHEN 'township' THEN 5 ELSE 6 END,
         a.region ASC NULLS FIRST, a.name ASC, g.indicator ASC, g.unit ASC, g.year ASC
