-- title: Documents dated in the future
-- description: No active document is published after today (Beijing time; `etl check` binds today). A future date is a misread date.
-- params: today (date)
SELECT d.id AS document_id, d.source_path, d.published_on, d.title
FROM documents d
WHERE d.status = 'active' AND d.published_on > :today
ORDER BY d.id
