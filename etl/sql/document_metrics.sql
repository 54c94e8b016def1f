-- title: Metrics of one document, with their evidence
-- description: Every figure found in one document (by documents.id) with the sentence it came from and its place in the text, in reading order (figures found only in the title first).
-- params: document_id (integer)
SELECT
    m.id AS metric_id,
    d.title AS document_title,
    m.indicator AS indicator,
    i.label_zh AS indicator_label_zh,
    a.name AS agency_name,
    m.value AS value,
    m.value_max AS value_max,
    m.unit AS unit,
    m.qualifier AS qualifier,
    m.cumulative AS cumulative,
    m.on_topic AS on_topic,
    m.period_start AS period_start,
    m.period_end AS period_end,
    m.raw_text AS raw_text,
    m.sentence AS sentence,
    m.char_start AS char_start,
    m.char_end AS char_end
FROM metrics m
JOIN documents d ON d.id = m.document_id
LEFT JOIN indicators i ON i.code = m.indicator
LEFT JOIN agencies a ON a.id = m.agency_id
WHERE m.document_id = :document_id
  AND d.status = 'active'
ORDER BY m.char_start ASC NULLS FIRST, m.id ASC
