-- EST events per municipality and month, and those whose report has an assessment (a share of the
-- events). Every covered month (int_est_months) has a row; a month without events is a real zero.
WITH counts AS (
    SELECT m.municipality_code, m.period, count(e.period) AS events, count(e.assessment) AS assessed
    FROM int_est_months m
    LEFT JOIN int_est_events e USING (municipality_code, period)
    GROUP BY ALL
)
SELECT 'est_events' AS indicator_id, municipality_code, period, '' AS dimension, '' AS category,
       events AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM counts
UNION ALL
SELECT 'est_assessed', municipality_code, period, '', '', assessed, events::DOUBLE, NULL
FROM counts
