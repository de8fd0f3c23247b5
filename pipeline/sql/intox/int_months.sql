-- INTOX's own months: from the first to the last month with forms. A covered month without forms
-- is a real zero only inside this range.
WITH bounds AS (SELECT min(period) AS first_period, max(period) AS last_period FROM int_intox_forms_all)
SELECT strftime(m, '%Y-%m') AS period, year(m) AS year
FROM bounds,
     generate_series(strptime(first_period, '%Y-%m')::DATE, strptime(last_period, '%Y-%m')::DATE, INTERVAL 1 MONTH) AS g(m)
WHERE first_period IS NOT NULL
ORDER BY period
