-- The months of the counted indicators of every source (int_indicator_month), with the windows'
-- bounds: r12_start (the first of the 12 months ending in the period) and ly_period (a year earlier).
-- A source's own months (INTOX: int_months) decide what is a real zero; these only place the windows.
WITH bounds AS (SELECT min(period) AS first_period, max(period) AS last_period FROM int_indicator_month)
SELECT strftime(m, '%Y-%m') AS period,
       year(m) AS year,
       strftime(m - INTERVAL 11 MONTH, '%Y-%m') AS r12_start,
       strftime(m - INTERVAL 12 MONTH, '%Y-%m') AS ly_period
FROM bounds,
     generate_series(strptime(first_period, '%Y-%m')::DATE, strptime(last_period, '%Y-%m')::DATE, INTERVAL 1 MONTH) AS g(m)
WHERE first_period IS NOT NULL
ORDER BY period
