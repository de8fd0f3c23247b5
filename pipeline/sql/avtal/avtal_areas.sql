-- The area of every activity in the register (kommun, region, lan, riket), from its first start month.
SELECT area_type, area_code, strftime(min(start_date), '%Y-%m') AS from_period, NULL::VARCHAR AS to_period
FROM stg_avtal
GROUP BY ALL
ORDER BY ALL
