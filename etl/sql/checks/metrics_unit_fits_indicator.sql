-- title: Units that do not fit the indicator
-- description: A money indicator is measured in a currency (a three-letter ISO code such as CNY); a count indicator is never in a currency or in percent.
SELECT m.id AS metric_id, m.document_id, m.indicator, i.measures, m.unit, m.raw_text
FROM metrics m
JOIN indicators i ON i.code = m.indicator
WHERE (i.measures = 'money' AND NOT (LENGTH(m.unit) = 3 AND UPPER(m.unit) = m.unit AND LOWER(m.unit) <> m.unit))
   OR (i.measures = 'count' AND (m.unit = '%' OR (LENGTH(m.unit) = 3 AND UPPER(m.unit) = m.unit AND LOWER(m.unit) <> m.unit)))
ORDER BY m.id
