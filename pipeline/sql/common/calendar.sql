-- The months a snapshot can be published for: from the first month any source has data for to the
-- current month (the build's date, ref_build; it is part of the build's fingerprint).
SELECT strftime(m, '%Y-%m') AS period
FROM (SELECT min(from_period) AS first_period FROM int_source_areas) b,
     ref_build r,
     generate_series(strptime(b.first_period, '%Y-%m')::DATE, strptime(r.current_month, '%Y-%m')::DATE, INTERVAL 1 MONTH) AS g(m)
WHERE b.first_period IS NOT NULL
ORDER BY period
