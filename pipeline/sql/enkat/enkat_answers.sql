-- The published answers, with the catalogue's labels. Questionnaire answers are assessments by
-- organisations, not records about persons, so they are published as answered. A snapshot for
-- month P holds the rounds begun by P (round_start, pipeline/sql/common/macros.sql).
SELECT a.municipality_code, a.round, a.sector, s.label AS sector_label, s.sort_order AS sector_order,
       a.area_id, q.area_title, q.area_order, a.question_id, q.question_text, q.question_order,
       a.presence, p.label AS presence_label, a.presence_value, a.trend, t.label AS trend_label, a.trend_value,
       round_start(a.round) AS snapshot_from
FROM int_enkat_answers a
JOIN ref_enkat_question q USING (question_id)
JOIN ref_enkat_sector s USING (sector)
LEFT JOIN ref_enkat_answer p ON p.scale = 'presence' AND p.code = a.presence
LEFT JOIN ref_enkat_answer t ON t.scale = 'trend' AND t.code = a.trend
ORDER BY ALL
