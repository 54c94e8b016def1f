-- title: Documents marked as a duplicate of themselves
-- description: documents.duplicate_of_id points at another document, never at the same row.
SELECT d.id AS document_id, d.source_path, d.duplicate_of_id
FROM documents d
WHERE d.duplicate_of_id = d.id
ORDER BY d.id
