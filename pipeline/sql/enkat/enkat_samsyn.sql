-- The published samsyn pairs, with the labels of sectors and answers, the widest gaps first.
SELECT m.*, q.area_title, q.question_text, q.question_order,
       sl.label AS sector_low_label, al.label AS answer_low_label, sh.label AS sector_high_label, ah.label AS answer_high_label,
       round_start(m.round) AS snapshot_from
FROM int_enkat_samsyn m
JOIN ref_enkat_question q USING (question_id)
JOIN ref_enkat_sector sl ON sl.sector = m.sector_low
JOIN ref_enkat_sector sh ON sh.sector = m.sector_high
JOIN ref_enkat_answer al ON al.scale = 'presence' AND al.code = m.answer_low
JOIN ref_enkat_answer ah ON ah.scale = 'presence' AND ah.code = m.answer_high
ORDER BY municipality_code, round, difference DESC, question_order, sl.sort_order, sh.sort_order
