-- title: Metrics with a negative value
-- description: A reported figure (money recovered, cases, institutions …) is never below zero; a negative value means the number parser took a dash or a range for a minus sign.
SELECT m.id AS metric_id, m.document_id, m.indicator, m.value, m.value_max, m.raw_text
FROM metrics m
WHERE m.value < 0 OR m.value_max < 0
ORDER BY m.id
