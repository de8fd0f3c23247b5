-- INTOX forms per municipality and month: count, and rate on the year's mean population.
-- Every covered municipality-month has a row; a month without forms is a real zero.
WITH counts AS (
    SELECT c.municipality_code, c.period, count(f.period) AS forms
    FROM int_coverage c
    LEFT JOIN int_intox_forms f USING (municipality_code, period)
    GROUP BY ALL
)
SELECT 'intox_cases' AS indicator_id, municipality_code, period, '' AS dimension, '' AS category,
       forms AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM counts
UNION ALL
SELECT 'intox_rate', municipality_code, period, '', '', forms, p.population, p.basis
FROM counts
JOIN int_population_month p USING (municipality_code, period)
