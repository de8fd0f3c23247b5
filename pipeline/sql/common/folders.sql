-- Rows read, loaded and quarantined per folder under data/raw/ (small counts are hidden when published).
SELECT regexp_replace(path, '/[^/]*$', '') AS folder, count(*) AS files, sum(rows_read) AS rows_read,
       sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
       min(first_period) AS first_period, max(last_period) AS last_period
FROM raw_files WHERE status <> 'dubblett'
GROUP BY ALL ORDER BY ALL
