-- The published counted indicators of every source (before suppression): every value of a
-- published indicator (the catalogue's `published`) with its title, unit and decimals, the
-- category's label and parent (the category of the breakdown it rolls up to) and the area's name.
-- A snapshot for period P holds every period that ended in the five years up to P's last month
-- (period_end; snapshot_to) and whose kind (period_kind) the snapshot's kind publishes (periods.CHAINS),
-- so a report has its five-year trend at every resolution it may need. Older periods are in the older
-- snapshots: beside every month of ten years the suppression takes many times as long, for no figure a
-- report shows. An indicator the catalogue publishes `latest_only` is in the snapshot of its own period only.
SELECT v.*, c.title, c.unit, c.decimals,
       coalesce(r.label, '') AS category_label, coalesce(r.sort_order, 0) AS sort_order,
       coalesce(r.parent, '') AS category_parent, n.area_name,
       period_end(v.period) AS snapshot_from,
       CASE WHEN c.latest_only THEN period_end(v.period) ELSE months_after(period_end(v.period), 59) END AS snapshot_to,
       CASE WHEN c.window_name IN ('quarter', 'tertial', 'half', 'year') THEN c.window_name ELSE 'month' END AS period_kind
FROM indicator_values v
JOIN ref_indicators c USING (indicator_id)
LEFT JOIN ref_codes r ON r.codelist = c.codelist AND r.code = v.category
LEFT JOIN ref_area n ON n.area_type = v.area_type AND n.area_code = v.area_code
WHERE c.published
ORDER BY v.indicator_id, v.area_type, v.area_code, v.period, v.dimension, v.category
