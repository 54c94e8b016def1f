-- title: Review queue
-- description: What most needs a person, most urgent first: 1 figures that conflict with another story's figure for the same fact, 2 figures with no agency, 3 figures with no indicator, 4 documents naming an agency the transform could not place (市医保局 with no city), 5 figures whose agency is the document's main body for want of one in their sentence (agency_basis issuer, publisher or most_named), 6 documents with no date, 7 documents with no source. On-topic figures and documents of active canonical copies; rows a correction has touched are left out (they have been reviewed). `etl review --export FILE.csv` adds each figure's occurrence, for corrections.
WITH doc AS (
    SELECT d.id, d.source_path, d.title, d.published_on, d.source_id, d.unresolved_agencies, d.corrected
    FROM documents d
    WHERE d.status = 'active' AND d.duplicate_of_id IS NULL AND d.on_topic
),
fig AS (
    SELECT m.id, m.document_id, m.agency_id, m.indicator, m.unit, m.cumulative, m.period_start, m.period_end,
           m.value, m.value_max, m.raw_text, m.sentence, m.agency_basis, m.char_start
    FROM metrics m
    JOIN doc ON doc.id = m.document_id
    WHERE m.on_topic AND NOT m.corrected
),
conflict AS (
    SELECT x.id AS metric_id, MIN(y.document_id) AS other_document_id, COUNT(*) AS others
    FROM fig x
    JOIN fig y
      ON y.indicator = x.indicator
     AND y.agency_id = x.agency_id
     AND y.unit = x.unit
     AND y.cumulative = x.cumulative
     AND (y.period_start = x.period_start OR (y.period_start IS NULL AND x.period_start IS NULL))
     AND (y.period_end = x.period_end OR (y.period_end IS NULL AND x.period_end IS NULL))
     AND y.document_id <> x.document_id
    WHERE x.indicator IS NOT NULL AND x.agency_id IS NOT NULL
      AND (x.period_start IS NOT NULL OR x.period_end IS NOT NULL)
      AND (x.value <> y.value OR COALESCE(x.value_max, x.value) <> COALESCE(y.value_max, y.value))
    GROUP BY x.id
),
item AS (
    SELECT 1 AS priority, 'conflicting_figure' AS issue, f.document_id, f.id AS metric_id,
           'differs from the same fact in document ' || CAST(c.other_document_id AS VARCHAR(20))
           || CASE WHEN c.others > 1 THEN ' and others' ELSE '' END AS detail
    FROM fig f JOIN conflict c ON c.metric_id = f.id
    UNION ALL
    SELECT 2, 'missing_agency', f.document_id, f.id, 'no agency: the document names no body it could be'
    FROM fig f WHERE f.agency_id IS NULL
    UNION ALL
    SELECT 3, 'missing_indicator', f.document_id, f.id, 'no indicator of the vocabulary fits it'
    FROM fig f WHERE f.indicator IS NULL
    UNION ALL
    SELECT 4, 'unresolved_agency', doc.id, CAST(NULL AS INTEGER), doc.unresolved_agencies
    FROM doc WHERE doc.unresolved_agencies IS NOT NULL AND NOT doc.corrected
    UNION ALL
    SELECT 5, 'agency_by_fallback', f.document_id, f.id,
           'agency is the document''s ' || CASE f.agency_basis WHEN 'most_named' THEN 'most-named body'
                                                            ELSE f.agency_basis END
           || ': its sentence names none'
    FROM fig f WHERE f.agency_id IS NOT NULL AND f.agency_basis IN ('issuer', 'publisher', 'most_named')
    UNION ALL
    SELECT 6, 'missing_date', doc.id, CAST(NULL AS INTEGER), 'no publication date'
    FROM doc WHERE doc.published_on IS NULL AND NOT doc.corrected
    UNION ALL
    SELECT 7, 'missing_source', doc.id, CAST(NULL AS INTEGER), 'no publisher'
    FROM doc WHERE doc.source_id IS NULL AND NOT doc.corrected
)
SELECT
    item.priority AS priority,
    item.issue AS issue,
    item.detail AS detail,
    item.document_id AS document_id,
    doc.source_path AS source_path,
    doc.title AS title,
    item.metric_id AS metric_id,
    m.raw_text AS raw_text,
    m.value AS value,
    m.unit AS unit,
    m.indicator AS indicator,
    a.name AS agency_name,
    m.agency_basis AS agency_basis,
    m.period_start AS period_start,
    m.period_end AS period_end,
    m.sentence AS sentence,
    doc.published_on AS published_on,
    s.name AS source_name
FROM item
JOIN doc ON doc.id = item.document_id
LEFT JOIN metrics m ON m.id = item.metric_id
LEFT JOIN agencies a ON a.id = m.agency_id
LEFT JOIN sources s ON s.id = doc.source_id
ORDER BY item.priority ASC, item.document_id ASC, m.char_start ASC NULLS FIRST, item.metric_id ASC
