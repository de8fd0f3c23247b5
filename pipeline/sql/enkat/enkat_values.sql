-- The published figures per municipality, round and question (and area), with titles.
SELECT v.*, a.area_title, a.area_order, coalesce(q.question_text, '') AS question_text, coalesce(q.question_order, -1) AS question_order,
       round_start(v.round) AS snapshot_from
FROM int_enkat_values v
JOIN (SELECT DISTINCT area_id, area_title, area_order FROM ref_enkat_question) a USING (area_id)
LEFT JOIN ref_enkat_question q ON q.question_id = v.question_id
ORDER BY municipality_code, round, area_order, question_order
