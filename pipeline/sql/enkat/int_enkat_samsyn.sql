-- Samsyn: pairs of sectors whose presence answers lie two steps or more apart (lower first).
SELECT a.municipality_code, a.round, a.area_id, a.question_id,
       a.sector AS sector_low, a.presence AS answer_low, b.sector AS sector_high, b.presence AS answer_high,
       b.presence_value - a.presence_value AS difference
FROM int_enkat_answers a
JOIN int_enkat_answers b ON b.municipality_code = a.municipality_code AND b.round = a.round AND b.question_id = a.question_id
WHERE b.presence_value - a.presence_value >= 2
