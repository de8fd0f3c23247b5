-- INTOX forms as the indicators count them: one per visit. A form exported twice (same unit, form
-- id, date and home municipality, in overlapping files) counts once, from the file loaded last;
-- ids that restart in every export do not make different visits one.
CREATE OR REPLACE TABLE int_intox_forms_all AS
SELECT s.*
FROM stg_intox s
JOIN raw_files f USING (path)
QUALIFY s.case_id IS NULL
     OR row_number() OVER (PARTITION BY coalesce(s.unit, ''), s.case_id, s.visit_date, coalesce(s.municipality_code, '') ORDER BY f.loaded_at DESC, s.path DESC, s.source_row) = 1;

CREATE OR REPLACE TABLE int_months AS
WITH bounds AS (SELECT min(period) AS first_period, max(period) AS last_period FROM int_intox_forms_all)
SELECT strftime(m, '%Y-%m') AS period,
       year(m) AS year,
       strftime(m - INTERVAL 11 MONTH, '%Y-%m') AS r12_start,
       strftime(m - INTERVAL 12 MONTH, '%Y-%m') AS ly_period
FROM bounds,
     generate_series(strptime(first_period, '%Y-%m')::DATE, strptime(last_period, '%Y-%m')::DATE, INTERVAL 1 MONTH) AS g(m)
WHERE first_period IS NOT NULL;

-- The last month each unit has sent forms for. A covered month without forms is a real zero,
-- so the build warns when a unit's forms stop before the latest month: its export may be late.
CREATE OR REPLACE TABLE int_unit_delivered AS
SELECT unit, max(period) AS last_period FROM int_intox_forms_all GROUP BY unit;

-- Municipality-months that the registration covers (schemas/intox_coverage.yaml).
CREATE OR REPLACE TABLE int_coverage AS
SELECT DISTINCT c.municipality_code, m.period
FROM ref_coverage c
JOIN int_months m ON m.period >= c.from_period AND (c.to_period IS NULL OR m.period <= c.to_period);

CREATE OR REPLACE TABLE int_intox_forms AS
SELECT f.*
FROM int_intox_forms_all f
JOIN int_coverage c USING (municipality_code, period);

CREATE OR REPLACE TABLE int_population_month AS
SELECT c.municipality_code, c.period, p.population, p.basis
FROM int_coverage c
JOIN int_months m USING (period)
JOIN ref_population_mean p ON p.municipality_code = c.municipality_code AND p.year = m.year;
