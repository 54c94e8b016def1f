-- title: Agencies without a valid level
-- description: Every agency has a level: national, provincial, prefectural, county or township.
SELECT a.id AS agency_id, a.name, a.level, a.region
FROM agencies a
WHERE a.level IS NULL
   OR a.level NOT IN ('national', 'provincial', 'prefectural', 'county', 'township')
ORDER BY a.id
