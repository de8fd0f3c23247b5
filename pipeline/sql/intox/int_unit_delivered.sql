-- The last month each unit has sent forms for. A covered month without forms is a real zero,
-- so the build warns when a unit's forms stop before the latest month (intox_warnings).
SELECT unit, max(period) AS last_period FROM int_intox_forms_all GROUP BY unit
