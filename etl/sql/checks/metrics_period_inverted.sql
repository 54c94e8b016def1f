-- title: Periods that end before they start
-- description: metrics.period_start is never after metrics.period_end.
SELECT m.id AS metric_id, m.document_id, m.period_start, m.period_end, m.raw_text
FROM metrics m
WHERE m.period_start IS NOT NULL AND m.period_end IS NOT NULL AND m.period_start > m.period_end
ORDER BY m.id
