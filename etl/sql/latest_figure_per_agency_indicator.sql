-- title: Latest figure per agency and indicator
-- description: For each agency, indicator and unit, the figure with the latest as-of date (the end of its period, else its start, else the publication date of its document), ties broken by the newer document. On-topic figures of active documents only.
WITH ranked AS (
    SELECT
        m.id AS metric_id,
        m.agency_id,
        m.indicator,
        m.unit,
        m.value,
        m.value_max,
        m.qualifier,
        m.cumulative,
        m.period_start,
        m.period_end,
        m.raw_text,
        d.id AS document_id,
        d.title AS document_title,
        d.published_on,
        ROW_NUMBER() OVER (
            PARTITION BY m.agency_id, m.indicator, m.unit
            ORDER BY COALESCE(m.period_end, m.period_start, d.published_on) DESC NULLS LAST,
                     d.published_on DESC NULLS LAST,
                     m.id DESC
        ) AS position
    FROM metrics m
    JOIN documents d ON d.id = m.document_id
    WHERE d.status = 'active'
      AND m.on_topic
      AND m.indicator IS NOT NULL
      AND m.agency_id IS NOT NULL
)
SELECT
    a.name AS agency_name,
    a.level AS agency_level,
    r.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    r.value AS value,
    r.value_max AS value_max,
    r.unit AS unit,
    r.qualifier AS qualifier,
    r.cumulative AS cumulative,
    r.period_start AS period_start,
    r.period_end AS period_end,
    r.raw_text AS raw_text,
    r.document_id AS document_id,
    r.document_title AS document_title,
    r.published_on AS published_on,
    r.metric_id AS metric_id
FROM ranked r
JOIN agencies a ON a.id = r.agency_id
JOIN indicators i ON i.code = r.indicator
WHERE r.position = 1
ORDER BY a.name ASC, r.indicator ASC, r.unit ASC
