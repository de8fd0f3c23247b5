-- The forms of covered municipality-months: what the indicators count.
SELECT f.*
FROM int_intox_forms_all f
JOIN int_coverage c USING (municipality_code, period)
