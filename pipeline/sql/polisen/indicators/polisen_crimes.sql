-- Registered crimes per municipality and month (the rows of the delivery that counts for the month,
-- int_polisen_coverage), and the rate per 100 000 on the year's mean population. Every covered
-- municipality-month has a row; a covered month without crimes is a real zero.
WITH counts AS (
    SELECT v.municipality_code, v.period, coalesce(sum(c.crimes), 0) AS crimes
    FROM int_polisen_coverage v
    LEFT JOIN int_polisen_crimes c USING (municipality_code, period)
    GROUP BY ALL
)
SELECT 'polisen_crimes' AS indicator_id, municipality_code, period, '' AS dimension, '' AS category,
       crimes AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM counts
UNION ALL
SELECT 'polisen_rate', c.municipality_code, c.period, '', '', c.crimes, p.population, p.basis
FROM counts c
JOIN ref_population_mean p ON p.municipality_code = c.municipality_code AND p.year = year(strptime(c.period, '%Y-%m'))
