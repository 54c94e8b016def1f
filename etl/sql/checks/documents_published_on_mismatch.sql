-- title: Publication date inconsistent with the publication time
-- description: When a document has a publication time (published_at, UTC), published_on is that moment's calendar day in Beijing time; dim_date holds when each Beijing day starts and ends in UTC.
SELECT d.id AS document_id, d.source_path, d.published_at, d.published_on
FROM documents d
LEFT JOIN dim_date dd ON dd.date = d.published_on
WHERE d.status = 'active'
  AND d.published_at IS NOT NULL
  AND (d.published_on IS NULL OR dd.id IS NULL
       OR d.published_at < dd.utc_start OR d.published_at >= dd.utc_end)
ORDER BY d.id
