-- The municipalities with EST reports, one row per unbroken stretch of covered months (int_est_months).
SELECT 'kommun' AS area_type, municipality_code AS area_code, min(period) AS from_period, max(period) AS to_period
FROM int_est_months
GROUP BY municipality_code, stretch
ORDER BY ALL
