-- The published answer distributions, with the answers' labels and values.
SELECT d.*, r.label, r.value, r.sort_order, round_start(d.round) AS snapshot_from
FROM int_enkat_distribution d JOIN ref_enkat_answer r USING (scale, code)
ORDER BY ALL
