-- One submission per file row of the questionnaire. The latest from the same municipality, sector
-- and round is kept (rank 1); a row without a submission time counts from when its file was loaded.
WITH submissions AS (
    SELECT DISTINCT e.path, e.source_row, e.round, e.municipality_code, e.sector,
           coalesce(e.submitted_at, f.loaded_at) AS submitted_at
    FROM stg_enkat e JOIN raw_files f USING (path)
)
SELECT *, row_number() OVER (
    PARTITION BY municipality_code, sector, round ORDER BY submitted_at DESC, path DESC, source_row DESC
) AS rank
FROM submissions
