-- INTOX forms as the indicators count them: one per visit. A form exported twice (same unit, form
-- id, date and home municipality, in overlapping files) counts once, from the file loaded last;
-- ids that restart in every export do not make different visits one.
SELECT s.*
FROM stg_intox s
JOIN raw_files f USING (path)
QUALIFY s.case_id IS NULL
     OR row_number() OVER (PARTITION BY coalesce(s.unit, ''), s.case_id, s.visit_date, coalesce(s.municipality_code, '') ORDER BY f.loaded_at DESC, s.path DESC, s.source_row) = 1
