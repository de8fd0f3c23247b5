-- Derived windows of the monthly indicators (int_indicator_month), per municipality.
-- r12: the 12 months ending in the period, only where all 12 are covered; a rate keeps the
--      population of the period's year, a share sums its denominators.
-- ly:  the same month a year earlier, shown beside the period when the period itself has a row (is covered).
-- quarter, tertial, half, year: the sum of the period's months, only where all of them are covered;
--      a rate keeps the population of the period's year (all its months are in one year).
SELECT indicator_id, municipality_code, period, dimension, category, numerator, denominator, population_basis
FROM int_indicator_month
UNION ALL
SELECT i.indicator_id || '_r12', i.municipality_code, m.period, i.dimension, i.category,
       sum(i.numerator),
       CASE WHEN any_value(c.value) = 'rate' THEN arg_max(i.denominator, i.period) ELSE sum(i.denominator) END,
       arg_max(i.population_basis, i.period)
FROM int_indicator_month i
JOIN ref_indicators c ON c.base_id = i.indicator_id AND c.window_name = 'r12'
JOIN int_count_months m ON i.period BETWEEN m.r12_start AND m.period
GROUP BY i.indicator_id, i.municipality_code, m.period, i.dimension, i.category
HAVING count(*) = 12
UNION ALL
SELECT i.indicator_id || '_ly', i.municipality_code, m.period, i.dimension, i.category,
       i.numerator, i.denominator, i.population_basis
FROM int_indicator_month i
JOIN ref_indicators c ON c.base_id = i.indicator_id AND c.window_name = 'ly'
JOIN int_count_months m ON i.period = m.ly_period
JOIN int_indicator_month now ON now.indicator_id = i.indicator_id AND now.municipality_code = i.municipality_code
    AND now.period = m.period AND now.dimension = i.dimension AND now.category = i.category
UNION ALL
SELECT i.indicator_id || '_' || p.kind, i.municipality_code, p.period, i.dimension, i.category,
       sum(i.numerator),
       CASE WHEN any_value(c.value) = 'rate' THEN arg_max(i.denominator, i.period) ELSE sum(i.denominator) END,
       arg_max(i.population_basis, i.period)
FROM int_indicator_month i
JOIN int_periods p ON p.month = i.period
JOIN ref_indicators c ON c.base_id = i.indicator_id AND c.window_name = p.kind
GROUP BY i.indicator_id, p.kind, i.municipality_code, p.period, i.dimension, i.category
HAVING count(*) = any_value(p.months)
