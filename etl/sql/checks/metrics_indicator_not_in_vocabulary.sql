-- title: Indicators not in the vocabulary
-- description: Every metrics.indicator is a code of the indicators table (the shared vocabulary), or null.
SELECT m.id AS metric_id, m.document_id, m.indicator, m.raw_text
FROM metrics m
LEFT JOIN indicators i ON i.code = m.indicator
WHERE m.indicator IS NOT NULL AND i.code IS NULL
ORDER BY m.id
