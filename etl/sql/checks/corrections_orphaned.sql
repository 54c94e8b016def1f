-- title: Corrections whose target no longer exists
-- description: A correction the last run could not apply: the document it names is gone or its file changed (a sha256 that no longer matches), or the figure it names is no longer in the text. Fix or drop it in the corrections folder (file and line below), then run again. Pending ones (documents not re-read yet) are not failures.
SELECT c.file, c.line, c.kind, c.target, c.detail
FROM corrections c
WHERE c.status = 'orphaned'
ORDER BY c.file, c.line
