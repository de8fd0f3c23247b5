-- The published list of replaced submissions, with the sectors' labels.
SELECT r.*, s.label AS sector_label, round_start(r.round) AS snapshot_from
FROM int_enkat_replaced r JOIN ref_enkat_sector s USING (sector)
ORDER BY ALL
