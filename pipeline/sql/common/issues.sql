-- Quarantined rows per file, column and rule (small counts are hidden when published).
SELECT path, column_name, rule, count(DISTINCT source_row) AS rows FROM quarantine GROUP BY ALL ORDER BY ALL
