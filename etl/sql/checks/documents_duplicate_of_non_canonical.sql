-- title: Duplicates that point at a non-canonical or removed copy
-- description: An active duplicate points straight at the canonical copy of its story, which is active and not itself a duplicate (no chains), so grouping by COALESCE(duplicate_of_id, id) counts each story once.
SELECT d.id AS document_id, d.source_path, d.duplicate_of_id, c.duplicate_of_id AS target_duplicate_of_id,
       c.status AS target_status
FROM documents d
JOIN documents c ON c.id = d.duplicate_of_id
WHERE d.status = 'active' AND (c.duplicate_of_id IS NOT NULL OR c.status <> 'active')
ORDER BY d.id
