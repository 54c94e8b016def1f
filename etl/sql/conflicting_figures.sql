-- title: Conflicting figures
-- description: Pairs of figures for the same indicator, agency, unit and period (and both running totals or both not) that two different stories report with different values. A story speaks through its canonical copy (duplicate copies say the same and are left out). On-topic figures of active documents with an agency and a period only.
WITH f AS (
    SELECT
        m.id AS metric_id,
        m.document_id,
        m.agency_id,
        m.indicator,
        m.unit,
        m.cumulative,
        m.period_start,
        m.period_end,
        m.value,
        m.value_max,
        m.raw_text,
        d.published_on,
        s.name AS source_name
    FROM metrics m
    JOIN documents d ON d.id = m.document_id
    LEFT JOIN sources s ON s.id = d.source_id
    WHERE d.status = 'active'
      AND d.duplicate_of_id IS NULL
      AND m.on_topic
      AND m.indicator IS NOT NULL
      AND m.agency_id IS NOT NULL
      AND (m.period_start IS NOT NULL OR m.period_end IS NOT NULL)
)
SELECT
    a.name AS agency_name,
    x.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    x.period_start AS period_start,
    x.period_end AS period_end,
    x.unit AS unit,
    x.document_id AS document_id_a,
    x.source_name AS source_a,
    x.published_on AS published_on_a,
    x.value AS value_a,
    x.raw_text AS raw_text_a,
    y.document_id AS document_id_b,
    y.source_name AS source_b,
    y.published_on AS published_on_b,
    y.value AS value_b,
    y.raw_text AS raw_text_b,
    y.value - x.value AS difference,
    y.value * 1.0 / NULLIF(x.value, 0) AS ratio_b_to_a
FROM f x
JOIN f y
  ON y.indicator = x.indicator
 AND y.agency_id = x.agency_id
 AND y.unit = x.unit
 AND y.cumulative = x.cumulative
 AND (y.period_start = x.period_start OR (y.period_start IS NULL AND x.period_start IS NULL))
 AND (y.period_end = x.period_end OR (y.period_end IS NULL AND x.period_end IS NULL))
 AND y.document_id > x.document_id
JOIN agencies a ON a.id = x.agency_id
JOIN indicators i ON i.code = x.indicator
WHERE x.value <> y.value
   OR COALESCE(x.value_max, x.value) <> COALESCE(y.value_max, y.value)
ORDER BY a.name ASC, x.indicator ASC, x.period_end ASC NULLS FIRST, x.document_id ASC, y.document_id ASC
