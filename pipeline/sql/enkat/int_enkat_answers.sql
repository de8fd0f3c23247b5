-- The answers of the kept submissions, with their values (0-3 for presence, -1/0/1 for trend,
-- NULL for "Vet ej").
SELECT e.municipality_code, e.round, e.sector, e.area_id, e.question_id,
       e.presence, p.value AS presence_value, e.trend, t.value AS trend_value
FROM stg_enkat e
JOIN int_enkat_submissions s ON s.path = e.path AND s.source_row = e.source_row AND s.rank = 1
LEFT JOIN ref_enkat_answer p ON p.scale = 'presence' AND p.code = e.presence
LEFT JOIN ref_enkat_answer t ON t.scale = 'trend' AND t.code = e.trend
