-- title: Full-text search in titles and text
-- description: Active documents whose title or text contains the words :q as written (substring match, so it works for Chinese without word breaks), title hits first, then by how often the text contains them. Reads fts_documents: with the search index on (etl search-index enable) a trigram index (SQLite FTS5, PostgreSQL pg_trgm), else a view over documents; the second branch covers one- and two-character searches, which a trigram index cannot answer on SQLite.
-- params: q (text)
WITH hits AS (
    SELECT f.document_id
    FROM fts_documents f
    WHERE f.title LIKE '%' || CAST(:q AS VARCHAR(200)) || '%'
       OR f.body_text LIKE '%' || CAST(:q AS VARCHAR(200)) || '%'
    UNION
    SELECT d.id
    FROM documents d
    WHERE LENGTH(CAST(:q AS VARCHAR(200))) < 3
      AND (d.title LIKE '%' || CAST(:q AS VARCHAR(200)) || '%'
           OR d.body_text LIKE '%' || CAST(:q AS VARCHAR(200)) || '%')
)
SELECT
    d.id AS document_id,
    d.title AS title,
    d.published_on AS published_on,
    s.name AS source_name,
    d.duplicate_of_id AS duplicate_of_id,
    CASE WHEN d.title LIKE '%' || CAST(:q AS VARCHAR(200)) || '%' THEN 1 ELSE 0 END AS in_title,
    (LENGTH(d.body_text) - LENGTH(REPLACE(d.body_text, CAST(:q AS VARCHAR(200)), '')))
        / NULLIF(LENGTH(CAST(:q AS VARCHAR(200))), 0) AS occurrences
FROM hits h
JOIN documents d ON d.id = h.document_id
LEFT JOIN sources s ON s.id = d.source_id
WHERE d.status = 'active'
ORDER BY in_title DESC, occurrences DESC NULLS LAST, d.published_on DESC NULLS LAST, d.id ASC
