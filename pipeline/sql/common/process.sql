-- The process indicators (kort sikt: was the work done) of each snapshot month: the register's
-- activities, the questionnaire's response rate, INTOX units' months without forms.
SELECT area_type, area_code, indicator_id, title, label, period, numerator, denominator, value::DOUBLE AS value, unit,
       period AS snapshot_from, period AS snapshot_to
FROM (
    SELECT * FROM avtal_process
    UNION ALL BY NAME SELECT * FROM enkat_response_rate
    UNION ALL BY NAME SELECT * FROM intox_silent_months
)
ORDER BY period, indicator_id, area_type, area_code, label
