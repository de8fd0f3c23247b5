-- Submissions that a later one from the same municipality, sector and round replaced.
SELECT r.round, r.municipality_code, r.sector, r.path, r.source_row, r.submitted_at,
       k.path AS kept_path, k.source_row AS kept_row, k.submitted_at AS kept_submitted_at
FROM int_enkat_submissions r
JOIN int_enkat_submissions k ON k.municipality_code = r.municipality_code AND k.sector = r.sector AND k.round = r.round AND k.rank = 1
WHERE r.rank > 1
