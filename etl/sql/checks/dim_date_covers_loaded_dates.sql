-- title: Dates missing from dim_date
-- description: Every publication date and metric period date has its dim_date row, so reports that group through the date dimension lose nothing (the load step adds them).
SELECT 'documents.published_on' AS date_column, d.id AS row_id, d.published_on AS missing_date
FROM documents d
LEFT JOIN dim_date dd ON dd.date = d.published_on
WHERE d.published_on IS NOT NULL AND dd.id IS NULL
UNION ALL
SELECT 'metrics.period_end', m.id, m.period_end
FROM metrics m
LEFT JOIN dim_date dd ON dd.date = m.period_end
WHERE m.period_end IS NOT NULL AND dd.id IS NULL
UNION ALL
SELECT 'metrics.period_start', m.id, m.period_start
FROM metrics m
LEFT JOIN dim_date dd ON dd.date = m.period_start
WHERE m.period_start IS NOT NULL AND dd.id IS NULL
ORDER BY 1, 2
