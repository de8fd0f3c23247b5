-- The crimes that count: the rows of the delivery that covers their municipality and month
-- (int_polisen_coverage), `crimes` each, with the category codes of the breakdowns. A code that
-- brottskoder.csv does not know counts under 'okand_brottskod' in every category; a crime date not
-- given ('-') has the weekday 'okand'; a crime without a DeSO is in area 'okant', and so is the RegSO
-- of a DeSO that the DeSO table (ref_polisen_deso) does not know.
SELECT s.path, s.source_row, s.municipality_code, s.period, s.crimes, s.crime_code, s.crime_text,
       c.crime_code IS NOT NULL AS code_known,
       coalesce(c.level1, 'okand_brottskod') AS level1,
       coalesce(c.level2, 'okand_brottskod') AS level2,
       coalesce(c.question_area, 'okand_brottskod') AS question_area,
       s.crime_date_from,
       coalesce(isodow(s.crime_date_from)::VARCHAR, 'okand') AS weekday,
       coalesce(s.deso_code, 'okant') AS deso,
       coalesce(d.regso, 'okant') AS regso,
       s.deso_code IS NULL OR d.deso_code IS NOT NULL AS deso_known
FROM stg_polisen s
JOIN int_polisen_coverage v USING (municipality_code, period, path)
LEFT JOIN ref_polisen_crime_code c USING (crime_code)
LEFT JOIN ref_polisen_deso d USING (deso_code)
ORDER BY s.path, s.source_row
