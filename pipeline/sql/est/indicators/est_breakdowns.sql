-- EST events per municipality and month by category (every code of est_kategori) and by place
-- (every place of the municipality in est_plats, whose codes begin with the municipality's code).
-- Every covered month (int_est_months) has a row for every category and place, zero where nothing
-- was reported, so that the breakdowns add up to est_events.
WITH grid AS (
    SELECT 'est_category' AS indicator_id, m.municipality_code, m.period, 'kategori' AS dimension, r.code AS category
    FROM int_est_months m
    JOIN ref_codes r ON r.codelist = 'est_kategori'
    UNION ALL
    SELECT 'est_place', m.municipality_code, m.period, 'plats', r.code
    FROM int_est_months m
    JOIN ref_codes r ON r.codelist = 'est_plats' AND split_part(r.code, ':', 1) = m.municipality_code
),
events AS (
    SELECT 'est_category' AS indicator_id, municipality_code, period, category FROM int_est_events
    UNION ALL
    SELECT 'est_place', municipality_code, period, place_code FROM int_est_events
)
SELECT g.indicator_id, g.municipality_code, g.period, g.dimension, g.category,
       count(e.category) AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM grid g
LEFT JOIN events e USING (indicator_id, municipality_code, period, category)
GROUP BY ALL
