-- The municipalities with a questionnaire response, from the first month of their first round.
SELECT 'kommun' AS area_type, municipality_code AS area_code, min(round_start(round)) AS from_period, NULL::VARCHAR AS to_period
FROM int_enkat_submissions
GROUP BY ALL
ORDER BY ALL
