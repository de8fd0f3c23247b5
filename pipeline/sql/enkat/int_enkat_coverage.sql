-- Coverage: per municipality and round, each sector that answered and each expected one that did not.
WITH answered AS (
    SELECT municipality_code, round, sector, count(*) AS submissions, max(submitted_at) AS submitted_at
    FROM int_enkat_submissions GROUP BY ALL
)
SELECT r.municipality_code, r.round, s.sector, s.expected,
       coalesce(a.submissions, 0) AS submissions, greatest(coalesce(a.submissions, 0) - 1, 0) AS replaced,
       a.submitted_at
FROM (SELECT DISTINCT municipality_code, round FROM int_enkat_submissions) r
CROSS JOIN ref_enkat_sector s
LEFT JOIN answered a ON a.municipality_code = r.municipality_code AND a.round = r.round AND a.sector = s.sector
WHERE a.sector IS NOT NULL OR s.expected
