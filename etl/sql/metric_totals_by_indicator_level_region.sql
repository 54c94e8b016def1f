-- title: Metric totals by indicator, agency level and region
-- description: For every indicator, the sum of its figures per agency level and region and unit. A figure repeated by several documents or copies counts once; a figure whose period lies inside another figure's period for the same agency is not added again; running totals (cumulative) are never added to their parts but shown beside the sum as the largest running total. On-topic figures of active documents with an indicator only.
WITH facts AS (
    SELECT DISTINCT
        m.indicator,
        m.agency_id,
        m.unit,
        m.cumulative,
        m.value,
        m.period_start,
        m.period_end
    FROM metrics m
    JOIN documents d ON d.id = m.document_id
    WHERE d.status = 'active'
      AND m.on_topic
      AND m.indicator IS NOT NULL
),
parts AS (
    SELECT f.indicator, f.agency_id, f.unit, f.value
    FROM facts f
    WHERE NOT f.cumulative
      AND NOT EXISTS (
          SELECT 1
          FROM facts g
          WHERE NOT g.cumulative
            AND g.indicator = f.indicator
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
    SELECT indicator, agency_id, unit, value AS part_value, CAST(NULL AS NUMERIC) AS running_total
    FROM parts
    UNION ALL
    SELECT indicator, agency_id, unit, CAST(NULL AS NUMERIC), value
    FROM facts
    WHERE cumulative
)
SELECT
    c.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    i.label_en AS indicator_label_en,
    a.level AS agency_level,
    a.region AS agency_region,
    c.unit AS unit,
    SUM(c.part_value) AS total,
    COUNT(c.part_value) AS figures_added,
    MAX(c.running_total) AS largest_running_total,
    COUNT(DISTINCT c.agency_id) AS agencies
FROM combined c
JOIN indicators i ON i.code = c.indicator
LEFT JOIN agencies a ON a.id = c.agency_id
GROUP BY c.indicator, i.label_zh, i.label_en, a.level, a.region, c.unit
ORDER BY c.indicator ASC, a.level ASC NULLS LAST, a.region ASC NULLS FIRST, c.unit ASC
