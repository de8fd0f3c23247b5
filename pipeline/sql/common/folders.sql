-- Rows read, loaded and quarantined per folder under data/raw/ (small counts are hidden when published),
-- over the files of each snapshot (files.sql): one row per folder and month from which its sums hold,
-- until the month before a later file's rows begin.
WITH files AS (
    SELECT regexp_replace(path, '/[^/]*$', '') AS folder, coalesce(period_start(first_period), '0000-01') AS since, *
    FROM raw_files WHERE status <> 'dubblett'
),
steps AS (
    SELECT folder, since, lead(since) OVER (PARTITION BY folder ORDER BY since) AS next
    FROM (SELECT DISTINCT folder, since FROM files)
)
SELECT s.folder, count(*) AS files, sum(f.rows_read) AS rows_read,
       sum(f.rows_loaded) AS rows_loaded, sum(f.rows_quarantined) AS rows_quarantined,
       min(f.first_period) AS first_period, max(f.last_period) AS last_period,
       s.since AS snapshot_from, month_before(any_value(s.next)) AS snapshot_to
FROM steps s JOIN files f ON f.folder = s.folder AND f.since <= s.since
GROUP BY s.folder, s.since ORDER BY s.folder, s.since
