-- title: Funds recovered by agency and year
-- description: Money recovered or refunded to the medical-insurance fund (indicator funds_recovered) per agency and year of the period the figure covers (else the year it was published). A figure repeated by several documents or copies counts once; a figure whose period lies inside another figure's period for the same agency is not added again; running totals (cumulative) are never added to their parts but shown beside the sum as the largest running total. On-topic figures of active documents only; values in base units (yuan).
WITH facts AS (
    SELECT DISTINCT
        m.agency_id,
        m.unit,
        m.cumulative,
        m.value,
        m.period_start,
        m.period_end,
        COALESCE(pe.year, pd.year) AS year
    FROM metrics m
    JOIN documents d ON d.id = m.document_id
    LEFT JOIN dim_date pe ON pe.date = COALESCE(m.period_end, m.period_start)
    LEFT JOIN dim_date pd ON pd.date = d.published_on
    WHERE d.status = 'active'
      AND m.on_topic
      AND m.indicator = 'funds_recovered'
),
parts AS (
    -- figures that may be added up: not running totals, and not inside another figure's period
    SELECT f.agency_id, f.unit, f.value, f.year
    FROM facts f
    WHERE NOT f.cumulative
      AND NOT EXISTS (
          SELECT 1
          FROM facts g
          WHERE NOT g.cumulative
            AND g.agency_id = f.agency_id
            AND g.unit = f.unit
            AND g.period_start IS NOT NULL
            AND f.period_end IS NOT NULL
            AND g.period_start <= COALESCE(f.period_start, f.period_end)
            AND g.period_end >= f.period_end
            AND (g.period_start < COALESCE(f.period_start, f.period_end) OR g.period_end > f.period_end)
      )
),
combined AS (
    SELECT agency_id, year, unit, value AS part_value, CAST(NULL AS NUMERIC) AS running_total
    FROM parts
    UNION ALL
    SELECT agency_id, year, unit, CAST(NULL AS NUMERIC), value
    FROM facts
    WHERE cumulative
)
SELECT
    a.name AS agency_name,
    a.level AS agency_level,
    a.region AS agency_region,
    c.year AS year,
    c.unit AS unit,
    SUM(c.part_value) AS total_recovered,
    COUNT(c.part_value) AS figures_added,
    MAX(c.running_total) AS largest_running_total
FROM combined c
LEFT JOIN agencies a ON a.id = c.agency_id
GROUP BY a.name, a.level, a.region, c.year, c.unit
ORDER BY c.year DESC NULLS LAST, a.name ASC NULLS LAST, c.unit ASC
