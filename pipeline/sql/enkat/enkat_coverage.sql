-- The published coverage per municipality, round and sector, with names and labels.
SELECT c.*, m.municipality_name, s.label AS sector_label, s.sort_order AS sector_order, round_start(c.round) AS snapshot_from
FROM int_enkat_coverage c
JOIN ref_municipality m USING (municipality_code)
JOIN ref_enkat_sector s USING (sector)
ORDER BY municipality_code, round, sector_order
