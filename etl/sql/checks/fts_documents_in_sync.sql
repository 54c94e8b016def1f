-- title: Documents missing from the search index
-- description: Every document has its row in fts_documents (with the search index on, kept by triggers; off, a view over documents), so `etl search` and the search report find it.
SELECT d.id AS document_id, d.source_path, d.title
FROM documents d
WHERE d.id NOT IN (SELECT f.document_id FROM fts_documents f)
ORDER BY d.id
