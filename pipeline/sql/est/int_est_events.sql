-- Every EST event once, with its place's key and the month it happened in.
-- An event is all that a report says (municipality, date, time band, category, place, DeSO,
-- coordinates, function, assessment, free text). One file may hold two equal events (two reports
-- of klotter at the same place on the same day) and keeps both; the same event in several files
-- (overlapping exports: January–June, then January–December) counts as often as the file with the
-- most copies of it holds it, from the first such file by path.
WITH events AS (
    SELECT s.path, s.source_row, s.municipality_code, s.event_date, s.period, s.time_band, s.category,
           s.place, s.place_key, s.deso_code, s.coordinates, s.reporter, s.assessment, t.description,
           row_number() OVER (
               PARTITION BY s.path, s.municipality_code, s.event_date, s.time_band, s.category, s.place_key,
                            s.deso_code, s.coordinates, s.reporter, s.assessment, t.description
               ORDER BY s.source_row) AS copy
    FROM stg_est s
    LEFT JOIN stg_est_text t USING (path, source_row)
),
held AS (
    SELECT *, row_number() OVER (
               PARTITION BY municipality_code, event_date, time_band, category, place_key, deso_code, coordinates,
                            reporter, assessment, description, copy
               ORDER BY path) AS holder
    FROM events
)
SELECT path, source_row, municipality_code, event_date, period, time_band, category,
       municipality_code || ':' || place_key AS place_code, place, deso_code, reporter, assessment
FROM held
WHERE holder = 1
ORDER BY municipality_code, event_date, path, source_row
