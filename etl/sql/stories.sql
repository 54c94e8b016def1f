-- title: Stories, each counted once across its copies
-- description: One row per story: its canonical copy (the earliest published; documents.duplicate_of_id points there from every other copy), how many active copies and distinct outlets carried it, and when it first and last appeared. Count the rows to count stories, not files.
SELECT
    c.id AS story_id,
    c.title AS title,
    s.name AS first_source,
    c.published_on AS first_published_on,
    MAX(d.published_on) AS last_published_on,
    COUNT(*) AS copies,
    COUNT(DISTINCT d.source_id) AS outlets,
    SUM(CASE WHEN d.on_topic THEN 1 ELSE 0 END) AS on_topic_copies
FROM documents d
JOIN documents c ON c.id = COALESCE(d.duplicate_of_id, d.id)
LEFT JOIN sources s ON s.id = c.source_id
WHERE d.status = 'active'
  AND c.status = 'active'
GROUP BY c.id, c.title, s.name, c.published_on
ORDER BY COUNT(*) DESC, c.published_on ASC NULLS LAST, c.id ASC
