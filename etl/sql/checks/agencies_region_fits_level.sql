-- title: Agencies whose region does not fit their level
-- description: National bodies have no region; every other agency has one (its full region path).
SELECT a.id AS agency_id, a.name, a.level, a.region
FROM agencies a
WHERE (a.level = 'national' AND a.region IS NOT NULL)
   OR (a.level <> 'national' AND (a.region IS NULL OR a.region = ''))
ORDER BY a.id
