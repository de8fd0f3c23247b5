-- The files the reports list in their data-quality section: loaded and refused ones, without row
-- counts (a file's row count would give a unit's monthly count away).
SELECT path, source, left(sha256, 12) AS sha256, status, duplicate_of, first_period, last_period, description
FROM raw_files
UNION ALL
SELECT path, NULL, left(sha256, 12), 'avvisad', NULL, NULL, NULL, message
FROM refused_files
ORDER BY path
