-- The files the reports list in their data-quality section: loaded and refused ones, without row
-- counts (a file's row count would give a unit's monthly count away). A file is in the snapshots
-- from the month its rows begin: next month's files do not change this month's snapshot. A refused
-- file, whose months are unknown, is in all of them.
SELECT path, source, left(sha256, 12) AS sha256, status, duplicate_of, first_period, last_period, description,
       period_start(first_period) AS snapshot_from
FROM raw_files
UNION ALL
SELECT path, NULL, left(sha256, 12), 'avvisad', NULL, NULL, NULL, message, NULL
FROM refused_files
ORDER BY path
