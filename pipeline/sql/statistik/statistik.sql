-- The published official statistics: the years up to a snapshot's year, with the catalogue's
-- titles. They are public already: counts and rates as the source gave them, a region's rate pooled.
SELECT v.*, i.title, i.unit, i.decimals, i.kind, i.polarity, i.source, v.period || '-01' AS snapshot_from
FROM statistik_values v
LEFT JOIN ref_statistik_indicator i USING (indicator_id)
ORDER BY ALL
