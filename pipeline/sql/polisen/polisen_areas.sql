-- The municipalities the police's deliveries have figures for, with their covered months: one row
-- per unbroken stretch of months.
WITH months AS (
    SELECT municipality_code, period,
           year(strptime(period, '%Y-%m')) * 12 + month(strptime(period, '%Y-%m'))
               - row_number() OVER (PARTITION BY municipality_code ORDER BY period) AS stretch
    FROM int_polisen_coverage
)
SELECT 'kommun' AS area_type, municipality_code AS area_code, min(period) AS from_period, max(period) AS to_period
FROM months
GROUP BY municipality_code, stretch
ORDER BY ALL
