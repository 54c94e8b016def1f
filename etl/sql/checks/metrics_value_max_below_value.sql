-- title: Ranges whose upper bound is below the value
-- description: metrics.value_max is the upper bound of a range, so it is never smaller than metrics.value.
SELECT m.id AS metric_id, m.document_id, m.value, m.value_max, m.qualifier, m.raw_text
FROM metrics m
WHERE m.value_max IS NOT NULL AND m.value_max < m.value
ORDER BY m.id
