-- title: A period's kind fits its dates
-- description: metrics.period_kind is one of year, half, quarter, month, year_to_date, span, cumulative_since, as_of, case (or null when there is no period); an as-of figure has only period_end, a year starts on 1 January and ends on 31 December, every other kind but cumulative_since has both dates.
SELECT m.id AS metric_id, m.document_id, m.period_kind, m.period_start, m.period_end, m.raw_text
FROM metrics m
LEFT JOIN dim_date ds ON ds.date = m.period_start
LEFT JOIN dim_date de ON de.date = m.period_end
WHERE (m.period_kind IS NOT NULL AND m.period_kind NOT IN
          ('year', 'half', 'quarter', 'month', 'year_to_date', 'span', 'cumulative_since', 'as_of', 'case'))
   OR (m.period_kind IS NULL AND (m.period_start IS NOT NULL OR m.period_end IS NOT NULL))
   OR (m.period_kind = 'as_of' AND (m.period_start IS NOT NULL OR m.period_end IS NULL))
   OR (m.period_kind IN ('year', 'half', 'quarter', 'month', 'year_to_date', 'span', 'case')
       AND (m.period_start IS NULL OR m.period_end IS NULL))
   OR (m.period_kind = 'year' AND NOT (ds.month = 1 AND ds.day = 1 AND de.month = 12 AND de.day = 31
                                       AND ds.year = de.year))
ORDER BY m.id
