-- The mean population of the year of each covered municipality-month (the denominator of a rate).
SELECT c.municipality_code, c.period, p.population, p.basis
FROM int_coverage c
JOIN int_months m USING (period)
JOIN ref_population_mean p ON p.municipality_code = c.municipality_code AND p.year = m.year
