-- Every area with a figure of official statistics (a count or a value the source gave), from
-- January of its first year.
SELECT area_type, area_code, min(period) || '-01' AS from_period, NULL::VARCHAR AS to_period
FROM statistik_values
WHERE count IS NOT NULL OR value_given IS NOT NULL
GROUP BY ALL
ORDER BY ALL
