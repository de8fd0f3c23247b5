-- The municipality-months the police's deliveries cover, each with the delivery whose crimes count
-- for it: the latest delivery covering the month (int_polisen_deliveries' rank) replaces every
-- earlier one for that month. A covered month without crimes is a real zero.
WITH months AS (
    SELECT municipality_code, path, rank,
           unnest(generate_series(strptime(first_period, '%Y-%m')::DATE, strptime(to_period, '%Y-%m')::DATE, INTERVAL 1 MONTH)) AS month
    FROM int_polisen_deliveries
)
SELECT municipality_code, strftime(month, '%Y-%m') AS period, path
FROM months
QUALIFY row_number() OVER (PARTITION BY municipality_code, month ORDER BY rank) = 1
ORDER BY municipality_code, period
