-- The published regional picture, with the region's name and the questions' texts, in rank order.
SELECT r.*, n.area_name, q.area_title, q.question_text, q.question_order, round_start(r.round) AS snapshot_from
FROM enkat_region_values r
JOIN ref_area n USING (area_type, area_code)
JOIN ref_enkat_question q USING (question_id)
ORDER BY area_type, area_code, round, rank
