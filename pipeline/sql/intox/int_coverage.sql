-- Municipality-months that the registration covers (schemas/intox_coverage.yaml), within int_months.
SELECT DISTINCT c.municipality_code, m.period
FROM ref_coverage c
JOIN int_months m ON m.period >= c.from_period AND (c.to_period IS NULL OR m.period <= c.to_period)
