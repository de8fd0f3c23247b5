-- Quarantined rows per file, column and rule (small counts are hidden when published), in the
-- snapshots of their file (files.sql).
SELECT q.path, q.column_name, q.rule, count(DISTINCT q.source_row) AS rows, period_start(any_value(f.first_period)) AS snapshot_from
FROM quarantine q LEFT JOIN raw_files f USING (path)
GROUP BY q.path, q.column_name, q.rule ORDER BY q.path, q.column_name, q.rule
