-- title: Documents per source per month
-- description: Active documents per publisher and month of publication (Beijing date, through dim_date), with how many are canonical copies of their story and how many are on topic. Undated documents come last, under an empty month.
SELECT
    s.name AS source_name,
    s.kind AS source_kind,
    dd.year_month AS year_month,
    dd.month_start AS month_start,
    COUNT(*) AS documents,
    SUM(CASE WHEN d.duplicate_of_id IS NULL THEN 1 ELSE 0 END) AS canonical_copies,
    SUM(CASE WHEN d.on_topic THEN 1 ELSE 0 END) AS on_topic_documents
FROM documents d
LEFT JOIN sources s ON s.id = d.source_id
LEFT JOIN dim_date dd ON dd.date = d.published_on
WHERE d.status = 'active'
GROUP BY s.name, s.kind, dd.year_month, dd.month_start
ORDER BY dd.year_month ASC NULLS LAST, COUNT(*) DESC, s.name ASC NULLS LAST
